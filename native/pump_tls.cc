// pump_tls.cc: the pump's https path: the handshake, driven by the poller like any other I/O, and
// the read and write paths through the connection's TlsConn (tls.h). Ciphertext is read with
// receive(), so responses keep their kernel receive timestamps. Same rules as pump.cc: after the
// handshake, no allocation, no N-API, no logging.
#include <errno.h>
#include <sys/socket.h>

#include "pump.h"

namespace ratetest {

void Pump::start_handshake(uint32_t index, uint64_t now_ns) {
  conns_[index].state = ConnState::handshaking;
  if (!tls_[index].begin(*tls_context_, now_ns)) {
    handshake_failed(index, TlsFailure::handshake, "cannot create a TLS connection", now_ns);
    return;
  }
  drive_handshake(index, now_ns);
}

// Runs the handshake as far as the bytes at hand allow; called again when the server answers.
void Pump::drive_handshake(uint32_t index, uint64_t now_ns) {
  TlsConn& tls = tls_[index];
  const TlsStep step = tls.handshake();
  if (step == TlsStep::failed) {
    record_tls_error(index, tls.failure_kind(), "TLS handshake failed");
    const uint32_t generation = conns_[index].generation;
    flush_tls(index, now_ns);  // the alert telling the server why, if it can go
    if (conns_[index].generation != generation) return;  // the send failed and replaced it
    abandon_connect(index);
    retry_later(index, now_ns);
    return;
  }
  if (!flush_tls(index, now_ns) || step == TlsStep::want_io) return;
  recorder_.handshake.record(now_ns - tls.started_ns());
  recorder_.tls_handshakes.add();
  if (tls.resumed()) recorder_.tls_resumed.add();
  if (h2_ != nullptr && !tls.alpn_h2()) {
    handshake_failed(index, TlsFailure::handshake, "--http2: the server did not choose h2 by ALPN", now_ns);
    return;
  }
  finish_connect(index, now_ns);
}

void Pump::record_tls_error(uint32_t index, TlsFailure kind, const char* fallback) {
  recorder_.tls_errors[static_cast<int>(kind)].add();
  if (!recorder_.tls_first_error.has()) {
    tls_[index].failure_message(recorder_.tls_first_error.buffer(), FirstMessage::kCapacity, fallback);
    recorder_.tls_first_error.publish();
  }
}

// A handshake that failed will fail the same way at once if retried (a certificate that does not
// verify), so the slot waits out the back-off like a refused connect; it is counted as a TLS
// error, not a connect error.
void Pump::handshake_failed(uint32_t index, TlsFailure kind, const char* fallback, uint64_t now_ns) {
  record_tls_error(index, kind, fallback);
  abandon_connect(index);
  retry_later(index, now_ns);
}

void Pump::on_tls_readable(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  uint64_t arrived_ns = now_ns;
  const ssize_t n = receive(conn.fd, read_buffer_.get(), kReadBufferBytes, clock_offset_, now_ns, &arrived_ns);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    // During the handshake fail() counts it as a connect error and backs off.
    if (conn.state == ConnState::handshaking) {
      fail(index, ErrorKind::connect, errno, now_ns);
    } else {
      on_read_error(index, errno, now_ns);
    }
    return;
  }
  if (n == 0) {
    if (conn.state == ConnState::handshaking) {
      handshake_failed(index, TlsFailure::handshake, "the server closed the connection during the TLS handshake", now_ns);
    } else {
      on_eof(index, now_ns);
    }
    return;
  }
  TlsConn& tls = tls_[index];
  const uint32_t generation = conn.generation;
  tls.feed(read_buffer_.get(), static_cast<size_t>(n));
  if (conn.state == ConnState::handshaking) {
    drive_handshake(index, now_ns);
    if (conn.generation != generation || conn.state == ConnState::handshaking) return;
  }
  for (;;) {
    size_t length = 0;
    const TlsRead read = tls.read(plain_buffer_.get(), kReadBufferBytes, &length);
    if (read == TlsRead::need_more) break;
    if (read == TlsRead::data) {
      on_bytes(index, plain_buffer_.get(), length, arrived_ns, now_ns);
      if (conn.generation != generation) return;
      continue;
    }
    if (read == TlsRead::closed) {
      on_eof(index, now_ns);
      return;
    }
    // An alert or a bad record. Before any response it is the handshake failing late: TLS 1.3
    // ends the client's side of the handshake before the server has checked a client
    // certificate, so a rejected --cert arrives here as an alert.
    if (conn.responses == 0) {
      record_tls_error(index, TlsFailure::handshake, "TLS alert before the first response");
      recorder_.errors[static_cast<int>(ErrorKind::read)].add(conn.in_flight.size());
      close_conn(index);
      retry_later(index, now_ns);
    } else {
      fail(index, ErrorKind::read, 0, now_ns);
    }
    return;
  }
  flush_tls(index, now_ns);  // reading can produce output (a key update, an alert)
}

// Sends what OpenSSL has written. False when the connection failed (and was replaced).
bool Pump::flush_tls(uint32_t index, uint64_t now_ns) {
  TlsConn& tls = tls_[index];
  while (tls.pending_out() > 0) {
    const ssize_t n = send(conns_[index].fd, tls.out_data(), tls.pending_out(), kSendFlags);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        set_want_write(index, true);
        return true;
      }
      fail(index, ErrorKind::write, errno, now_ns);
      return false;
    }
    tls.consume_out(static_cast<size_t>(n));
  }
  set_want_write(index, false);
  return true;
}

}  // namespace ratetest
