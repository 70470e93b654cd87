// session_h2.cc: the HTTP/2 session of one connection slot (transport.h's Session over
// h2_session.h): each request becomes a stream, frames go to the slot's ByteStream, and every
// stream that ends is handed to the pump as a Completion, in whatever order the server answers.
// Hot path: no allocation of ours (nghttp2's goes to the pump's pool), no N-API.
#include <cstring>

#include "h2_request.h"
#include "h2_session.h"
#include "transport.h"

namespace ratetest {
namespace {

class Http2Session final : public Session {
 public:
  Http2Session(uint32_t conn, ByteStream* stream, const H2Shared& shared, uint32_t streams, size_t body_reserve)
      : conn_(conn), stream_(stream), shared_(shared) {
    h2_.attach(shared.pool, shared.counters, streams, body_reserve, shared.grpc, shared.capture_limit);
  }

  void clear() override {
    h2_.end();
    last_received_ns_ = 0;
  }
  uint32_t in_flight() const override { return h2_.in_flight(); }
  const PendingRequest& unanswered(uint32_t i) const override { return h2_.open_stream(i).times; }
  bool can_take() const override { return h2_.can_submit(); }
  bool ended() const override { return h2_.going_away() || h2_.finished(); }

  // The client preface, our SETTINGS and the raised connection window.
  IoResult open(ByteStream& stream) override {
    if (!h2_.begin()) return IoResult{Io::failed, 0};
    return flush(stream);
  }

  // The source's HTTP/1.1 bytes as HEADERS (and DATA). One HTTP/2 cannot carry (no request
  // line, a field that will not convert) fails the connection as a write error.
  IoResult submit(const RequestBytes& bytes, const PendingRequest& request, ByteStream& stream) override {
    const bool converted = h2_request_from_http1(bytes.data, bytes.size, shared_.scheme, shared_.authority, shared_.scratch) == H2RequestError::none;
    if (!h2_.submit(converted ? shared_.scratch : nullptr, request)) return IoResult{Io::failed, 0};
    return IoResult{Io::queued, 0};
  }

  IoResult send_queued(ByteStream& stream) override { return flush(stream); }

  bool receive(const char* data, size_t size, uint64_t arrived_ns, uint64_t now_ns, CompletionSink& sink) override {
    last_received_ns_ = arrived_ns;
    const bool fed = h2_.feed(data, size);
    if (!report_ends(arrived_ns, now_ns, sink)) return false;
    // SETTINGS and PING acks, WINDOW_UPDATEs; the stream's read() reports if they queued. After
    // a protocol error nghttp2 has queued a GOAWAY telling the server why: it goes too, and the
    // session has failed once it has.
    (void)flush(*stream_);
    if (!fed || h2_.failed()) {
      sink.on_session_error(conn_, now_ns);
      return false;
    }
    return report_ends(arrived_ns, now_ns, sink);
  }

  // A stream's end is its END_STREAM frame, never the connection's close.
  bool on_eof(Completion*, uint64_t) override { return false; }

  // Nothing heard since the oldest overdue stream went out: the connection itself is dead (as
  // HTTP/1.1's timeout assumes) and is replaced. Otherwise the server is answering other streams,
  // so only the overdue ones are reset; the connection goes on serving the rest.
  Expiry expire(uint64_t written_ns, uint64_t now_ns, CompletionSink& sink) override {
    if (h2_.in_flight() == 0) return Expiry::streams;
    if (h2_.oldest_written_ns() <= written_ns && last_received_ns_ < h2_.oldest_written_ns()) return Expiry::connection;
    if (h2_.expire(written_ns) == 0) return Expiry::streams;
    return report_ends(now_ns, now_ns, sink) ? Expiry::streams : Expiry::gone;
  }
  bool times_requests() const override { return true; }
  uint64_t oldest_written_ns() const override { return h2_.oldest_written_ns(); }

 private:
  // nghttp2 hands out one frame per call: ten HEADERS frames would be ten send()s (ten TLS
  // records). They are gathered in the pump's frame buffer and written at once.
  IoResult flush(ByteStream& stream) {
    const uint8_t* data = nullptr;
    size_t gathered = 0;
    IoResult result{Io::done, 0};
    for (size_t n = h2_.output(&data); n > 0; n = h2_.output(&data)) {
      if (gathered + n > shared_.frames_size) {
        result = stream.write(shared_.frames, gathered);
        gathered = 0;
        if (result.io == Io::failed) return result;
      }
      if (n > shared_.frames_size) {
        result = stream.write(reinterpret_cast<const char*>(data), n);
        if (result.io == Io::failed) return result;
        continue;
      }
      std::memcpy(shared_.frames + gathered, data, n);
      gathered += n;
    }
    if (gathered > 0) result = stream.write(shared_.frames, gathered);
    if (result.io == Io::failed) return result;
    if (h2_.failed()) return IoResult{Io::failed, 0};
    return result;
  }

  // Streams that ended, each timed by the read that ended it. False when the pump closed the
  // connection in answer (the session was cleared: touch nothing).
  bool report_ends(uint64_t arrived_ns, uint64_t now_ns, CompletionSink& sink) {
    for (size_t i = 0; i < h2_.end_count(); ++i) {
      const H2Session::Stream& stream = h2_.ended(i);
      Completion completion{stream.times, stream.status, arrived_ns, true, Outcome::response};
      if (stream.end == H2End::reset) completion.outcome = Outcome::reset;
      if (stream.end == H2End::refused) completion.outcome = Outcome::refused;
      if (shared_.grpc) completion.grpc = &stream.grpc;
      if (stream.end == H2End::timeout) completion.outcome = Outcome::timeout;
      if (shared_.capture_limit > 0 && completion.outcome == Outcome::response) capture(stream, sink);
      if (!sink.on_completion(conn_, completion, now_ns)) return false;
    }
    h2_.take_ends();
    return true;
  }

  // The response as the script's response() hook reads one over HTTP/1.1: header, blank line, body.
  void capture(const H2Session::Stream& stream, CompletionSink& sink) {
    sink.on_response_bytes(conn_, stream.head.data(), stream.head.size());
    sink.on_response_bytes(conn_, "\r\n", 2);
    sink.on_response_bytes(conn_, stream.response_body.data(), stream.response_body.size());
  }

  const uint32_t conn_;
  ByteStream* const stream_;
  const H2Shared shared_;
  H2Session h2_;
  uint64_t last_received_ns_ = 0;  // kernel receive time of the last bytes read
};

}  // namespace

std::unique_ptr<Session> make_h2_session(uint32_t conn, ByteStream* stream, const H2Shared& shared, uint32_t streams, size_t body_reserve) {
  return std::make_unique<Http2Session>(conn, stream, shared, streams, body_reserve);
}

}  // namespace ratetest
