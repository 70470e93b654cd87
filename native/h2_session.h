// h2_session.h: one connection's HTTP/2 client session (nghttp2), driven from memory: the pump
// feeds it the bytes it read (plain, or decrypted from the TLS BIOs) and sends the bytes it
// produces. Its callbacks only move data and mark stream ends; the pump drains the ends after
// each feed and times them with the receive timestamp of that read. No I/O, no clock, no N-API.
//
//   pump --submit(request, slot data)--> nghttp2 --output()--> socket / TLS
//   socket / TLS --feed(bytes)--> nghttp2 --callbacks--> ends_[] --> pump (one completion each)
#pragma once
#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "grpc_response.h"
#include "h2_pool.h"
#include "h2_request.h"
#include "recorder.h"
#include "in_flight.h"

namespace ratetest {

// How a stream ended.
enum class H2End : uint8_t {
  response,  // END_STREAM from the server: a complete response
  reset,     // RST_STREAM (from either side) before the response ended
  refused,   // above a GOAWAY's last-stream-id: never processed, safe to send again
  timeout,   // unanswered for --timeout: this side reset it (RST_STREAM CANCEL)
};

class H2Session {
 public:
  // The request a stream carries, kept until the stream ends.
  struct Stream {
    InFlight::Slot times{};
    int32_t id = 0;  // 0: nghttp2 refused it (the connection then fails)
    int status = 0;
    bool in_use = false;
    bool ended = false;  // END_STREAM received
    H2End end = H2End::response;
    std::vector<char> body;  // copied at submit: the connection's request buffer is reused
    size_t body_size = 0;
    size_t body_sent = 0;
    GrpcResponse grpc;  // a gRPC run's framing and status; untouched otherwise
    // A script's response() hook only: the response as HTTP/1.1-style text ("HTTP/2 200",
    // "name: value" lines) and its body, up to the capture limit and one byte more (so the pump
    // sees when it was cut short).
    std::vector<char> head;
    std::vector<char> response_body;
  };

  H2Session() = default;
  ~H2Session();
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // Once, before the run: stream slots for `capacity` streams, memory from `pool`. grpc: read
  // each response as a gRPC call's (Stream::grpc). capture_limit: response bytes each stream keeps
  // for a script's response() hook (0: none).
  void attach(H2Pool* pool, H2Counters* counters, uint32_t capacity, size_t body_reserve, bool grpc = false, size_t capture_limit = 0);
  // A new session for a new connection: the preface, SETTINGS and the raised windows are queued
  // for output(). False when nghttp2 cannot create one.
  bool begin();
  void end();
  bool active() const { return session_ != nullptr; }

  // The server's SETTINGS arrived: streams may be opened up to stream_limit().
  bool ready() const { return settings_received_; }
  uint32_t stream_limit() const { return stream_limit_; }
  uint32_t in_flight() const { return in_flight_; }
  bool can_submit() const { return ready() && !going_away_ && in_flight_ < stream_limit(); }
  // GOAWAY received: no new streams here; the connection is replaced once its streams end.
  bool going_away() const { return going_away_; }
  // Neither side will send anything more (a GOAWAY and no streams left, or a protocol error).
  bool finished() const;
  // This side ended the session with an error (a protocol error by the server).
  bool failed() const { return failed_; }

  // Opens a stream for `request` (nullptr: a request HTTP/2 cannot carry). False when it could
  // not: the request still counts in in_flight() until end(), so the caller fails the connection
  // and every request on it is counted.
  bool submit(const H2Request* request, const InFlight::Slot& times);
  // i-th stream in flight, i < in_flight(), in no particular order.
  const Stream& open_stream(uint32_t i) const { return streams_[open_[i]]; }
  // Received bytes. False on a fatal error (the session is then finished()).
  bool feed(const char* data, size_t length);
  // Next bytes to send, valid until the next call; 0 when there are none.
  size_t output(const uint8_t** data);

  // Streams that ended during the last feed(), in order; the pump calls take_ends() after it.
  size_t end_count() const { return end_count_; }
  const Stream& ended(size_t i) const { return streams_[ends_[i]]; }
  // Frees the slots of the ended streams.
  void take_ends();

  // The earliest write among the streams in flight (only while in_flight() > 0).
  uint64_t oldest_written_ns() const;
  // Resets (RST_STREAM CANCEL, sent with the next output()) every stream written at or before
  // `written_ns` and puts it on the ends as H2End::timeout. Returns how many.
  uint32_t expire(uint64_t written_ns);

 private:
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                       const uint8_t* value, size_t value_length, uint8_t flags, void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_data_chunk(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data, size_t length, void* self);
  void capture_header(Stream* stream, const uint8_t* name, size_t name_length, const uint8_t* value, size_t value_length);
  void keep(std::vector<char>* to, const void* data, size_t length) const;
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* self);
  static ssize_t read_body(nghttp2_session*, int32_t stream_id, uint8_t* buffer, size_t length, uint32_t* flags,
                           nghttp2_data_source* source, void* self);
  Stream* stream_of(int32_t stream_id);
  void check_stall();
  void close_stream(Stream* stream);

  H2Pool* pool_ = nullptr;
  size_t capture_limit_ = 0;
  H2Counters* counters_ = nullptr;
  nghttp2_session* session_ = nullptr;
  nghttp2_session_callbacks* callbacks_ = nullptr;
  nghttp2_option* option_ = nullptr;
  std::vector<Stream> streams_;
  std::vector<uint32_t> free_;  // free stream slots
  std::vector<uint32_t> open_;  // slots of the streams in flight (dense; in_flight_ of them)
  std::unique_ptr<uint32_t[]> ends_;
  size_t end_count_ = 0;
  uint32_t in_flight_ = 0;
  uint32_t bodies_pending_ = 0;
  bool settings_received_ = false;
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS within our slots, kept as each SETTINGS
  // arrives: can_submit() is asked several times per request.
  uint32_t stream_limit_ = 0;
  bool going_away_ = false;
  int32_t last_stream_id_ = 0;
  bool failed_ = false;
  bool stalled_ = false;
  bool grpc_ = false;
};

// Whether the nghttp2 inside this process ("1.61.0": Node's process.versions.nghttp2; Node's
// binary does not export nghttp2_version()) is at least the one whose headers this addon was built
// with: older ones may lack functions or fields the session uses.
bool h2_version_ok(const std::string& runtime);

}  // namespace ratetest
