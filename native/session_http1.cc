// session_http1.cc: the HTTP/1.1 session: requests go out as the source wrote them, responses
// come back in order (one at a time, or --pipeline n deep) and are framed by ResponseParser.
// Hot path: no allocation, no N-API.
#include "response.h"
#include "transport.h"

namespace ratetest {
namespace {

class Http1Session final : public Session {
 public:
  Http1Session(uint32_t conn, PendingRequest* storage, uint32_t pipeline, bool capture) : conn_(conn), capture_(capture) {
    in_flight_.attach(storage, pipeline);
  }

  void clear() override { in_flight_.clear(); }
  uint32_t in_flight() const override { return in_flight_.size(); }
  const PendingRequest& unanswered(uint32_t i) const override { return in_flight_.at(i); }
  bool can_take() const override { return !in_flight_.full(); }

  // With --pipeline n the request joins those already in flight; its times go on the FIFO so its
  // response is timed from its own intended send time.
  IoResult submit(const RequestBytes& bytes, const PendingRequest& request, ByteStream& stream) override {
    if (in_flight_.empty()) parser_.reset(request.head_request);
    in_flight_.push(request);
    return stream.write(bytes.data, bytes.size);
  }

  bool receive(const char* data, size_t left, uint64_t arrived_ns, uint64_t now_ns, CompletionSink& sink) override {
    while (left > 0) {
      if (in_flight_.empty()) {
        // Bytes nobody asked for: the framing of everything after them is unknowable.
        sink.on_session_error(conn_, now_ns);
        return false;
      }
      size_t consumed = 0;
      const ParseStatus status = parser_.feed(data, left, &consumed);
      if (capture_) sink.on_response_bytes(conn_, data, consumed);
      data += consumed;
      left -= consumed;
      if (status == ParseStatus::error) {
        sink.on_session_error(conn_, now_ns);
        return false;
      }
      if (status == ParseStatus::need_more) return true;
      if (!sink.on_completion(conn_, complete(arrived_ns), now_ns)) return false;
    }
    return true;
  }

  // A response without a length ends with the connection; with more behind it, none can.
  bool on_eof(Completion* out, uint64_t now_ns) override {
    if (in_flight_.size() != 1 || parser_.on_eof() != ParseStatus::complete) return false;
    *out = complete(now_ns);
    return true;
  }

 private:
  // The oldest request is answered; the next response is framed afresh.
  Completion complete(uint64_t arrived_ns) {
    const Completion completion{in_flight_.oldest(), parser_.status(), arrived_ns, parser_.keep_alive()};
    in_flight_.pop();
    if (!in_flight_.empty()) parser_.reset(in_flight_.oldest().head_request);
    return completion;
  }

  const uint32_t conn_;
  const bool capture_;
  InFlight in_flight_;
  ResponseParser parser_;
};

}  // namespace

std::unique_ptr<Session> make_http1_session(uint32_t conn, PendingRequest* storage, uint32_t pipeline, bool capture) {
  return std::make_unique<Http1Session>(conn, storage, pipeline, capture);
}

}  // namespace ratetest
