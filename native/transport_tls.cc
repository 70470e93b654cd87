// transport_tls.cc: the TLS byte stream: the handshake, driven by the poller like any other I/O,
// then every read and write through the slot's TlsConn (tls.h). Ciphertext is read with receive(),
// so responses keep their kernel receive timestamps. After the handshake: no allocation, no
// N-API, no logging.
#include <errno.h>
#include <sys/socket.h>

#include "conn.h"
#include "tls.h"
#include "transport.h"

namespace ratetest {
namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

class TlsStream final : public ByteStream {
 public:
  TlsStream(uint32_t conn, const StreamShared& shared) : conn_(conn), shared_(shared) {}

  OpenResult begin(int fd, uint64_t now_ns) override {
    fd_ = fd;
    arrived_ns_ = now_ns;
    if (!tls_.begin(*shared_.tls, now_ns)) {
      record_failure(TlsFailure::handshake, "cannot create a TLS connection");
      return OpenResult{OpenStep::failed, false, false, 0};
    }
    return drive_handshake(now_ns);
  }

  OpenResult on_open_io(bool readable, bool writable, uint64_t now_ns) override {
    if (writable) {
      const IoResult flushed = flush();
      if (flushed.io == Io::failed) return refused(flushed.err_no);
    }
    if (!readable) return want_io();
    const ssize_t n = receive(fd_, shared_.read_buffer, shared_.buffer_size, *shared_.clock, now_ns, &arrived_ns_);
    if (n < 0) return would_block(errno) ? want_io() : refused(errno);
    if (n == 0) {
      record_failure(TlsFailure::handshake, "the server closed the connection during the TLS handshake");
      return OpenResult{OpenStep::failed, false, false, 0};
    }
    tls_.feed(shared_.read_buffer, static_cast<size_t>(n));
    return drive_handshake(now_ns);
  }

  IoResult write(const char* data, size_t size) override {
    shared_.recorder->bytes_written.add(size);
    if (!tls_.write(data, size)) return IoResult{Io::failed, 0};
    return flush();
  }

  // Sends what OpenSSL has written.
  IoResult flush() override {
    while (tls_.pending_out() > 0) {
      const ssize_t n = send(fd_, tls_.out_data(), tls_.pending_out(), kSendFlags);
      if (n < 0) return would_block(errno) ? IoResult{Io::blocked, 0} : IoResult{Io::failed, errno};
      tls_.consume_out(static_cast<size_t>(n));
    }
    return IoResult{Io::done, 0};
  }

  IoResult read(StreamEvents& events, uint64_t now_ns) override {
    uint64_t arrived_ns = now_ns;
    const long n = read_socket(fd_, conn_, shared_, events, now_ns, &arrived_ns);
    if (n < 0) return IoResult{Io::gone, 0};
    if (n == 0) return queued();
    tls_.feed(shared_.read_buffer, static_cast<size_t>(n));
    arrived_ns_ = arrived_ns;
    return drain(events, now_ns);
  }

  // Decrypts every record fed so far, each timed by the read that brought it in.
  IoResult drain(StreamEvents& events, uint64_t now_ns) override {
    for (;;) {
      size_t length = 0;
      const TlsRead read = tls_.read(shared_.plain_buffer, shared_.buffer_size, &length);
      if (read == TlsRead::need_more) break;
      if (read == TlsRead::data) {
        if (!events.on_stream_bytes(conn_, shared_.plain_buffer, length, arrived_ns_, now_ns)) return IoResult{Io::gone, 0};
        continue;
      }
      if (read == TlsRead::closed) {
        events.on_stream_eof(conn_, now_ns);
      } else {
        events.on_stream_error(conn_, StreamError::rejected, 0, now_ns);  // an alert or a bad record
      }
      return IoResult{Io::gone, 0};
    }
    return flush();  // reading can produce output (a key update, an alert)
  }

  void record_rejection() override { record_failure(TlsFailure::handshake, "TLS alert before the first response"); }

  void close() override {
    if (fd_ >= 0 && tls_.active()) {
      // Best effort, one send: a clean close_notify lets the server keep the session resumable.
      tls_.shutdown();
      if (tls_.pending_out() > 0) (void)send(fd_, tls_.out_data(), tls_.pending_out(), kSendFlags);
    }
    tls_.end();
    fd_ = -1;
  }

 private:
  // Runs the handshake as far as the bytes at hand allow; called again when the server answers.
  OpenResult drive_handshake(uint64_t now_ns) {
    const TlsStep step = tls_.handshake();
    if (step == TlsStep::failed) {
      record_failure(tls_.failure_kind(), "TLS handshake failed");
      const IoResult alert = flush();  // the alert telling the server why, if it can go
      if (alert.io == Io::failed) return refused(alert.err_no);
      // A handshake that failed fails the same way at once if retried (a certificate that does
      // not verify), so the slot waits out the back-off like a refused connect; it is counted as
      // a TLS error, not a connect error.
      return OpenResult{OpenStep::failed, false, false, 0};
    }
    const IoResult flushed = flush();
    if (flushed.io == Io::failed) return refused(flushed.err_no);
    if (step == TlsStep::want_io) return want_io();
    Recorder& recorder = *shared_.recorder;
    recorder.handshake.record(now_ns - tls_.started_ns());
    recorder.tls_handshakes.add();
    if (tls_.resumed()) recorder.tls_resumed.add();
    if (shared_.tls->options().alpn_h2 && !tls_.alpn_h2()) {
      record_failure(TlsFailure::handshake, "--http2: the server did not choose h2 by ALPN");
      return OpenResult{OpenStep::failed, false, false, 0};
    }
    // TLS 1.3 session tickets (and, from a hostile server, early bytes) can share the handshake's
    // last read; drain() takes them now rather than when the next bytes arrive.
    return OpenResult{OpenStep::ready, tls_.pending_out() > 0, true, 0};
  }

  OpenResult want_io() const { return OpenResult{OpenStep::want_io, tls_.pending_out() > 0, false, 0}; }
  static OpenResult refused(int err_no) { return OpenResult{OpenStep::refused, false, false, err_no}; }
  IoResult queued() const { return IoResult{tls_.pending_out() > 0 ? Io::blocked : Io::done, 0}; }

  void record_failure(TlsFailure kind, const char* fallback) {
    Recorder& recorder = *shared_.recorder;
    recorder.tls_errors[static_cast<int>(kind)].add();
    if (!recorder.tls_first_error.has()) {
      tls_.failure_message(recorder.tls_first_error.buffer(), FirstMessage::kCapacity, fallback);
      recorder.tls_first_error.publish();
    }
  }

  const uint32_t conn_;
  const StreamShared shared_;
  int fd_ = -1;
  uint64_t arrived_ns_ = 0;  // kernel receive time of the last ciphertext fed
  TlsConn tls_;
};

}  // namespace

std::unique_ptr<ByteStream> make_tls_stream(uint32_t conn, const StreamShared& shared) { return std::make_unique<TlsStream>(conn, shared); }

}  // namespace ratetest
