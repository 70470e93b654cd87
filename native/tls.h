// tls.h: TLS over the pump's own non-blocking sockets, through the OpenSSL that Node ships (its
// headers come with Node's; the node binary exports the symbols, so nothing extra is linked).
// OpenSSL never touches a socket: the pump reads ciphertext with receive() (keeping the kernel's
// receive timestamp) into a memory BIO, and sends what OpenSSL wrote into another memory BIO.
//
//   socket --receive()--> in_ BIO --SSL_read--> plaintext --> response parser
//   request bytes --SSL_write--> out_ BIO --send()--> socket
//
// Allocation happens per connection (SSL_new) and per handshake; the memory BIOs and OpenSSL's
// record buffers reach their size on the first request and are reused after that.
#pragma once
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ratetest {

struct TlsOptions {
  std::string server_name;  // the URL's host: SNI (names only) and the name the certificate must match
  bool verify = true;       // false = --insecure
  std::string ca_file;      // --ca: trust these instead of the system store
  std::string cert_file;    // --cert/--key: client certificate (mTLS)
  std::string key_file;
  bool alpn_h2 = false;     // --http2: offer only h2 by ALPN, and require it
};

enum class TlsFailure { handshake = 0, verify };
constexpr int kTlsFailureKinds = 2;

// One SSL_CTX for the whole run: OpenSSL lets any number of threads create connections from one
// context, and it holds the trust store, which is expensive to load.
class TlsContext {
 public:
  // Returns nullptr with *error_out naming the flag and OpenSSL's reason when a file will not load.
  static std::unique_ptr<TlsContext> create(const TlsOptions& options, std::string* error_out);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* ctx() const { return ctx_; }
  const TlsOptions& options() const { return options_; }
  bool server_name_is_ip() const { return server_name_is_ip_; }

 private:
  TlsContext(SSL_CTX* ctx, const TlsOptions& options);
  SSL_CTX* ctx_;
  TlsOptions options_;
  bool server_name_is_ip_;
};

enum class TlsStep { done, want_io, failed };

// What SSL_read produced.
enum class TlsRead { data, need_more, closed, failed };

// One connection slot's TLS state. The SSL object lives as long as one TCP connection; the saved
// session outlives it, so the slot's next connection resumes instead of doing a full handshake.
class TlsConn {
 public:
  TlsConn() = default;
  ~TlsConn();
  TlsConn(const TlsConn&) = delete;  // OpenSSL holds a pointer to it (SSL app data)
  TlsConn& operator=(const TlsConn&) = delete;

  // A fresh SSL for a new TCP connection, offering the slot's saved session. False on failure.
  bool begin(const TlsContext& context, uint64_t now_ns);
  // Queues a close_notify alert (send it with out_data/consume_out before closing the socket).
  // Without one, a server may drop the session from its cache as uncleanly shut down.
  void shutdown();
  // Drops the connection's SSL (not the saved session).
  void end();
  bool active() const { return ssl_ != nullptr; }

  TlsStep handshake();
  bool resumed() const { return SSL_session_reused(ssl_) == 1; }
  // The server chose h2 by ALPN.
  bool alpn_h2() const;
  uint64_t started_ns() const { return started_ns_; }

  // Ciphertext from the socket.
  bool feed(const char* data, size_t length);
  // Plaintext out; *length_out set for TlsRead::data.
  TlsRead read(char* buffer, size_t capacity, size_t* length_out);
  // Plaintext in (the memory BIO takes all of it).
  bool write(const char* data, size_t length);

  // Ciphertext waiting for the socket.
  size_t pending_out() const;
  const char* out_data() const;
  void consume_out(size_t length);

  // Why the last handshake() or read() failed, and OpenSSL's words for it (`fallback` when
  // OpenSSL has none, e.g. the peer closed the connection mid-handshake).
  TlsFailure failure_kind() const;
  void failure_message(char* buffer, size_t capacity, const char* fallback) const;

  // OpenSSL's new-session callback: keeps the slot's latest session (TLS 1.3 sends its tickets
  // after the handshake, so this runs inside SSL_read as well as at the end of a handshake).
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

 private:

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  SSL_SESSION* session_ = nullptr;
  uint64_t started_ns_ = 0;
  unsigned long error_ = 0;  // first OpenSSL error of the last failure, 0 = none queued
};

}  // namespace ratetest
