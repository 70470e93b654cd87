// pump_h2.cc: the pump's --http2 path. Each connection carries an H2Session (h2_session.h) over
// its socket (h2c, prior knowledge) or its TLS BIOs (h2 by ALPN); reads keep their kernel receive
// timestamps, and each stream completes at the timestamp of the read that ended it. Same rules
// as pump.cc: no allocation of ours per request (nghttp2's goes to the pump's pool), no N-API.
//
// This sits behind the pump's own dispatch (if h2_ in send_request / on_bytes / on_writable /
// finish_connect / close_conn) until connections reach their protocol through one transport
// interface; then it becomes that interface's HTTP/2 layer unchanged.
#include <errno.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "pump.h"

namespace ratetest {

// Connected (TCP, and TLS with h2 chosen): the preface and our SETTINGS go out; the connection
// takes requests once the server's SETTINGS arrive (h2_settle).
void Pump::h2_open(uint32_t index, uint64_t now_ns) {
  conns_[index].state = ConnState::idle;
  if (!h2_[index].begin()) {
    recorder_.record_error(ErrorKind::connect, ENOMEM);
    close_conn(index);
    retry_later(index, now_ns);
    return;
  }
  h2_flush(index, now_ns);
}

// The request the source just wrote into conn.request (its times already on the InFlight) as a
// new stream. One that HTTP/2 cannot carry is a write error; the connection stays.
void Pump::h2_submit(uint32_t index, uint64_t seq, uint64_t now_ns) {
  Conn& conn = conns_[index];
  H2Session& h2 = h2_[index];
  const InFlight::Slot times = conn.in_flight.at(conn.in_flight.size() - 1);
  const char* scheme = tls_context_ != nullptr ? "https" : "http";
  const H2RequestError error = h2_request_from_http1(conn.request.data, conn.request.size, scheme, plan_.authority.c_str(), &h2_request_);
  if (error != H2RequestError::none || !h2.submit(h2_request_, times, seq)) {
    conn.in_flight.remove(times);
    --busy_;
    recorder_.in_flight.set(busy_);
    recorder_.record_error(ErrorKind::write, 0);
    if (!recorder_.names.empty()) recorder_.names[static_cast<size_t>(times.name)]->errors.add();
    if (conn.in_flight.empty()) timeouts_.remove(static_cast<int32_t>(index));
    h2_settle(index, now_ns);
    return;
  }
  if (h2_flush(index, now_ns)) h2_settle(index, now_ns);
}

// Sends what the session has to say. False when the connection failed (and was replaced).
bool Pump::h2_flush(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  H2Session& h2 = h2_[index];
  const uint8_t* data = nullptr;
  if (tls_context_ != nullptr) {
    for (size_t n = h2.output(&data); n > 0; n = h2.output(&data)) {
      recorder_.bytes_written.add(n);
      if (!tls_[index].write(reinterpret_cast<const char*>(data), n)) {
        fail(index, ErrorKind::write, 0, now_ns);
        return false;
      }
    }
    return flush_tls(index, now_ns);
  }
  const uint32_t generation = conn.generation;
  if (conn.unsent_size > 0) {
    flush_plain(index, now_ns);
    if (conn.generation != generation) return false;
    if (conn.unsent_size > 0) return true;  // still behind a full socket buffer
  }
  for (size_t n = h2.output(&data); n > 0; n = h2.output(&data)) {
    const ssize_t sent = send(conn.fd, data, n, kSendFlags);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      fail(index, ErrorKind::write, errno, now_ns);
      return false;
    }
    const size_t written = sent > 0 ? static_cast<size_t>(sent) : 0;
    recorder_.bytes_written.add(written);
    if (written < n) {
      // The rest waits for the socket; nghttp2 is asked for more once it has gone.
      if (conn.unsent.size() < n - written) conn.unsent.resize(n - written);
      std::memcpy(conn.unsent.data(), data + written, n - written);
      conn.unsent_size = n - written;
      conn.write_offset = 0;
      set_want_write(index, true);
      return true;
    }
  }
  return true;
}

void Pump::h2_on_bytes(uint32_t index, const char* data, size_t length, uint64_t arrived_ns, uint64_t now_ns) {
  const bool fed = h2_[index].feed(data, length);
  h2_take_ends(index, arrived_ns, now_ns);
  if (!fed) {
    h2_failed(index, now_ns);
    return;
  }
  if (h2_flush(index, now_ns)) h2_settle(index, now_ns);  // SETTINGS ACKs, WINDOW_UPDATEs, PINGs
}

// Streams that ended: answered ones are recorded at completed_ns (the read that ended them),
// reset ones are errors, refused ones wait to be sent again with their intended times.
void Pump::h2_take_ends(uint32_t index, uint64_t completed_ns, uint64_t now_ns) {
  Conn& conn = conns_[index];
  H2Session& h2 = h2_[index];
  if (h2.end_count() == 0) return;
  bool answered = false;
  for (size_t i = 0; i < h2.end_count(); ++i) {
    const H2Session::Stream& stream = h2.ended(i);
    conn.in_flight.remove(stream.times);
    --busy_;
    switch (stream.end) {
      case H2End::response:
        record_response(stream.times, stream.status, completed_ns);
        ++conn.responses;
        answered = true;
        break;
      case H2End::reset:
        recorder_.record_error(ErrorKind::read, 0);
        if (!recorder_.names.empty()) recorder_.names[static_cast<size_t>(stream.times.name)]->errors.add();
        break;
      case H2End::refused:
        refused_[(refused_first_ + refused_size_) % refused_.size()] = Refused{stream.times.intended_ns, stream.seq};
        ++refused_size_;
        break;
    }
  }
  h2.take_ends();
  recorder_.in_flight.set(busy_);
  // The timeout runs from the last answer, as with --pipeline: later streams may wait on it.
  timeouts_.remove(static_cast<int32_t>(index));
  if (!conn.in_flight.empty() && (answered || conn.state == ConnState::busy)) {
    timeouts_.push_back(static_cast<int32_t>(index), now_ns + plan_.timeout_ns);
  }
}

// After any exchange: the connection's state and availability follow its session.
void Pump::h2_settle(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  H2Session& h2 = h2_[index];
  h2_take_ends(index, now_ns, now_ns);
  recorder_.h2.allocator_calls.set(h2_pool_->calls());
  recorder_.h2.system_allocations.set(h2_pool_->system_allocations());
  if (h2.failed()) {
    h2_failed(index, now_ns);
    return;
  }
  if ((h2.going_away() || h2.finished()) && conn.in_flight.empty()) {
    // GOAWAY (or a session with nothing left to say): replaced, as a server's idle close is.
    close_conn(index);
    open(index, now_ns);
    return;
  }
  conn.state = conn.in_flight.empty() ? ConnState::idle : ConnState::busy;
  if (h2.can_submit()) {
    make_available(index);
  } else {
    make_unavailable(index);
  }
}

// A connection-level protocol error: counted, the connection replaced. One that broke before
// carrying anything waits out the back-off, so a server that always breaks the protocol right
// after the preface costs 20 connections a second, not a busy loop.
void Pump::h2_failed(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  if (conn.in_flight.empty() && conn.responses == 0) {
    recorder_.record_error(ErrorKind::parse, 0);
    close_conn(index);
    retry_later(index, now_ns);
    return;
  }
  fail(index, ErrorKind::parse, 0, now_ns);
}

// Streams a GOAWAY refused, oldest first, each with its own intended time: the wait it had
// counts in its latency. Counted as sent once, when first written.
void Pump::resend_refused(uint64_t now_ns) {
  while (refused_size_ > 0 && idle_count_ > 0) {
    const Refused refused = refused_[refused_first_];
    const uint32_t index = take_idle();
    const int name = source_->next(refused.seq, now_ns, &conns_[index].request);
    if (name < 0) {
      make_available(index);
      return;
    }
    refused_first_ = (refused_first_ + 1) % refused_.size();
    --refused_size_;
    recorder_.h2.resent.add();
    track_request(index, name, refused.intended_ns, now_ns);
    h2_submit(index, refused.seq, now_ns);
  }
}

}  // namespace ratetest
