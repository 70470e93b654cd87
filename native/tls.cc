// tls.cc: the OpenSSL calls, and nothing else: no sockets, no clocks, no recording (the pump
// owns those). Every call that can fail clears OpenSSL's per-thread error queue first, so the
// error read after it is this call's.
#include "tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

namespace ratetest {
namespace {

// ALPN in wire form: one length-prefixed protocol name.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnH2[] = {2, 'h', '2'};

// Where distributions keep their CA bundle, for when the OpenSSL directory compiled into Node
// (OPENSSLDIR, /etc/ssl in Linux builds from nodejs.org) holds none. Node's own bundled roots
// (tls.rootCertificates) live in Node's C++ and are not reachable through OpenSSL's API, so the
// system store is what "verification on" means here; --ca or SSL_CERT_FILE choose another.
constexpr const char* kSystemBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",    // Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",              // openSUSE
    "/etc/ssl/cert.pem",                   // macOS, BSDs
    "/usr/local/etc/openssl/cert.pem",     // Homebrew
};

std::string openssl_reason() {
  char text[256];
  const unsigned long code = ERR_peek_last_error();
  if (code == 0) return "unknown OpenSSL error";
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool is_file(const char* path) {
  struct stat info;
  return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

void load_system_roots(SSL_CTX* ctx) {
  // Honours SSL_CERT_FILE and SSL_CERT_DIR, else OPENSSLDIR/cert.pem and OPENSSLDIR/certs.
  SSL_CTX_set_default_verify_paths(ctx);
  if (getenv("SSL_CERT_FILE") == nullptr) {
    for (const char* bundle : kSystemBundles) {
      if (is_file(bundle) && SSL_CTX_load_verify_locations(ctx, bundle, nullptr) == 1) break;
    }
  }
  ERR_clear_error();  // a missing default location is not an error
}

bool is_ip_literal(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

TlsContext::TlsContext(SSL_CTX* ctx, const TlsOptions& options)
    : ctx_(ctx), options_(options), server_name_is_ip_(is_ip_literal(options.server_name)) {}

std::unique_ptr<TlsContext> TlsContext::create(const TlsOptions& options, std::string* error_out) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    *error_out = "cannot create a TLS context: " + openssl_reason();
    return nullptr;
  }
  std::unique_ptr<TlsContext> context(new TlsContext(ctx, options));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Sessions are kept per connection slot by on_new_session, not in OpenSSL's shared cache
  // (which would need a lock between pump threads).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, TlsConn::on_new_session);
  const bool h2 = options.alpn_h2;
  if (SSL_CTX_set_alpn_protos(ctx, h2 ? kAlpnH2 : kAlpnHttp11, h2 ? sizeof kAlpnH2 : sizeof kAlpnHttp11) != 0) {
    *error_out = std::string("cannot offer ALPN ") + (h2 ? "h2" : "http/1.1") + ": " + openssl_reason();
    return nullptr;
  }
  if (options.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!options.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
        *error_out = "--ca cannot load \"" + options.ca_file + "\" as PEM certificates: " + openssl_reason();
        return nullptr;
      }
    } else {
      load_system_roots(ctx);
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
      *error_out = "--cert cannot load \"" + options.cert_file + "\" as a PEM certificate: " + openssl_reason();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      *error_out = "--key cannot load \"" + options.key_file + "\" as a PEM private key: " + openssl_reason();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      *error_out = "--key \"" + options.key_file + "\" does not match --cert \"" + options.cert_file + "\"";
      return nullptr;
    }
  }
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsConn::~TlsConn() {
  end();
  if (session_ != nullptr) SSL_SESSION_free(session_);
}

bool TlsConn::begin(const TlsContext& context, uint64_t now_ns) {
  end();
  ERR_clear_error();
  error_ = 0;
  started_ns_ = now_ns;
  ssl_ = SSL_new(context.ctx());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || in_ == nullptr || out_ == nullptr) {
    error_ = ERR_peek_error();
    BIO_free(in_);
    BIO_free(out_);
    in_ = out_ = nullptr;
    SSL_free(ssl_);
    ssl_ = nullptr;
    return false;
  }
  // An empty memory BIO means "no more yet", not end of stream.
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_app_data(ssl_, this);
  SSL_set_connect_state(ssl_);
  const TlsOptions& options = context.options();
  const char* name = options.server_name.c_str();
  // SNI carries host names only (RFC 6066); an address is matched against the certificate's IP SANs.
  if (!context.server_name_is_ip()) SSL_set_tlsext_host_name(ssl_, name);
  if (options.verify) {
    if (context.server_name_is_ip()) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name);
    } else {
      SSL_set1_host(ssl_, name);
    }
  }
  if (session_ != nullptr) SSL_set_session(ssl_, session_);
  return true;
}

void TlsConn::shutdown() {
  if (ssl_ == nullptr || !SSL_is_init_finished(ssl_)) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
}

void TlsConn::end() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // frees both BIOs
  ssl_ = nullptr;
  in_ = out_ = nullptr;
}

int TlsConn::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* conn = static_cast<TlsConn*>(SSL_get_app_data(ssl));
  if (conn == nullptr) return 0;
  if (conn->session_ != nullptr) SSL_SESSION_free(conn->session_);
  conn->session_ = session;
  return 1;  // we keep the reference
}

TlsStep TlsConn::handshake() {
  ERR_clear_error();
  error_ = 0;
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) return TlsStep::done;
  const int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return TlsStep::want_io;
  error_ = ERR_peek_error();
  return TlsStep::failed;
}

bool TlsConn::feed(const char* data, size_t length) {
  return BIO_write(in_, data, static_cast<int>(length)) == static_cast<int>(length);
}

TlsRead TlsConn::read(char* buffer, size_t capacity, size_t* length_out) {
  ERR_clear_error();
  error_ = 0;
  const int r = SSL_read(ssl_, buffer, static_cast<int>(capacity));
  if (r > 0) {
    *length_out = static_cast<size_t>(r);
    return TlsRead::data;
  }
  switch (SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return TlsRead::need_more;
    case SSL_ERROR_ZERO_RETURN:
      return TlsRead::closed;  // close_notify
    default:
      error_ = ERR_peek_error();
      return TlsRead::failed;
  }
}

bool TlsConn::write(const char* data, size_t length) {
  ERR_clear_error();
  error_ = 0;
  const int r = SSL_write(ssl_, data, static_cast<int>(length));
  if (r == static_cast<int>(length)) return true;
  error_ = ERR_peek_error();
  return false;
}

size_t TlsConn::pending_out() const { return out_ == nullptr ? 0 : BIO_ctrl_pending(out_); }

const char* TlsConn::out_data() const {
  char* data = nullptr;
  BIO_get_mem_data(out_, &data);
  return data;
}

void TlsConn::consume_out(size_t length) {
  // A memory BIO has no "skip"; reading into a small stack buffer drops the bytes already sent.
  char discard[4096];
  while (length > 0) {
    const int n = BIO_read(out_, discard, static_cast<int>(length < sizeof discard ? length : sizeof discard));
    if (n <= 0) return;
    length -= static_cast<size_t>(n);
  }
}

// With --insecure OpenSSL still records what verification would have said; only a verifying
// connection fails for it.
static long verify_failure(SSL* ssl) {
  if (ssl == nullptr || (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) == 0) return X509_V_OK;
  return SSL_get_verify_result(ssl);
}

TlsFailure TlsConn::failure_kind() const {
  return verify_failure(ssl_) != X509_V_OK ? TlsFailure::verify : TlsFailure::handshake;
}

void TlsConn::failure_message(char* buffer, size_t capacity, const char* fallback) const {
  if (capacity == 0) return;
  const long verify = verify_failure(ssl_);
  if (verify != X509_V_OK) {
    std::snprintf(buffer, capacity, "certificate verify failed: %s", X509_verify_cert_error_string(verify));
  } else if (error_ != 0) {
    ERR_error_string_n(error_, buffer, capacity);
  } else {
    std::snprintf(buffer, capacity, "%s", fallback);
  }
}

bool TlsConn::alpn_h2() const {
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_, &protocol, &length);
  return length == 2 && protocol[0] == 'h' && protocol[1] == '2';
}

}  // namespace ratetest
