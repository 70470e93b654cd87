// h2_session.cc: the nghttp2 client session of one connection (see h2_session.h). Callbacks move
// data and mark stream ends, nothing else: no I/O, no clock, no allocation of our own after
// attach() (nghttp2's own goes to the pump's pool).
#include "h2_session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ratetest {
namespace {

// A large response must not wait on our WINDOW_UPDATEs: 16 MiB per stream, 1 GiB per connection
// (h2load's defaults are 64 KiB and 1 GiB; at 64 KiB a 1 MB response costs 16 round trips of
// window updates).
constexpr int32_t kStreamWindowBytes = 16 * 1024 * 1024;
constexpr int32_t kConnectionWindowBytes = 1024 * 1024 * 1024;

H2Session* self_of(void* user_data) { return static_cast<H2Session*>(user_data); }

// What a captured response's header lines usually fit in, reserved per stream before the run.
constexpr size_t kCaptureHeadReserve = 1024;
// A captured body's buffer is kept for the next response up to this size.
constexpr size_t kCaptureBodyKeep = 4096;

}  // namespace

bool h2_version_ok(const std::string& runtime) {
  unsigned major = 0, minor = 0, patch = 0;
  if (std::sscanf(runtime.c_str(), "%u.%u.%u", &major, &minor, &patch) != 3) return false;
  return ((major << 16) | (minor << 8) | patch) >= NGHTTP2_VERSION_NUM;
}

H2Session::~H2Session() {
  end();
  if (callbacks_ != nullptr) nghttp2_session_callbacks_del(callbacks_);
  if (option_ != nullptr) nghttp2_option_del(option_);
}

void H2Session::attach(H2Pool* pool, H2Counters* counters, uint32_t capacity, size_t body_reserve, bool grpc, size_t capture_limit) {
  pool_ = pool;
  grpc_ = grpc;
  capture_limit_ = capture_limit;
  counters_ = counters;
  streams_.resize(capacity);
  free_.reserve(capacity);
  open_.resize(capacity);
  for (uint32_t i = capacity; i > 0; --i) free_.push_back(i - 1);
  for (Stream& stream : streams_) stream.body.reserve(body_reserve);
  ends_.reset(new uint32_t[capacity]);
  nghttp2_session_callbacks_new(&callbacks_);
  nghttp2_session_callbacks_set_on_header_callback(callbacks_, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks_, on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks_, on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks_, on_stream_close);
  if (grpc || capture_limit > 0) nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks_, on_data_chunk);
  if (capture_limit > 0) {
    for (Stream& stream : streams_) stream.head.reserve(kCaptureHeadReserve);
  }
  nghttp2_option_new(&option_);
  // Streams wait for the server's SETTINGS (ready()), so nghttp2 never has to queue one.
  nghttp2_option_set_peer_max_concurrent_streams(option_, capacity);
}

bool H2Session::begin() {
  end();
  if (nghttp2_session_client_new3(&session_, callbacks_, this, option_, pool_->mem()) != 0) {
    session_ = nullptr;
    return false;
  }
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindowBytes)},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, sizeof settings / sizeof settings[0]) != 0 ||
      nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindowBytes) != 0) {
    end();
    return false;
  }
  settings_received_ = going_away_ = failed_ = stalled_ = false;
  last_stream_id_ = 0;
  stream_limit_ = 0;
  return true;
}

void H2Session::end() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  session_ = nullptr;
  for (uint32_t i = 0; i < streams_.size(); ++i) {
    if (!streams_[i].in_use) continue;
    streams_[i].in_use = false;
    free_.push_back(i);
  }
  end_count_ = 0;
  in_flight_ = 0;
  bodies_pending_ = 0;
  settings_received_ = false;  // can_submit() stays false until the next session's SETTINGS
}

bool H2Session::finished() const {
  return session_ == nullptr || (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0);
}

bool H2Session::submit(const H2Request* request, const InFlight::Slot& times) {
  if (free_.empty()) return false;  // never: the pump sends only while can_submit()
  const uint32_t slot = free_.back();
  free_.pop_back();
  Stream& stream = streams_[slot];
  stream.times = times;
  stream.id = 0;
  stream.status = 0;
  stream.ended = false;
  stream.in_use = true;
  stream.body_size = stream.body_sent = 0;
  if (grpc_) stream.grpc.reset();
  stream.head.clear();
  stream.response_body.clear();
  open_[in_flight_++] = slot;
  counters_->streams_in_flight.record(in_flight_);
  if (request == nullptr || session_ == nullptr) return false;
  if (request->body_size > 0) {
    if (stream.body.size() < request->body_size) stream.body.resize(request->body_size);
    std::memcpy(stream.body.data(), request->body, request->body_size);
  }
  nghttp2_data_provider provider{};
  provider.source.ptr = &stream;
  provider.read_callback = read_body;
  const int32_t id = nghttp2_submit_request(session_, nullptr, request->fields, request->field_count,
                                            request->body_size > 0 ? &provider : nullptr, &stream);
  if (id < 0) return false;
  stream.id = id;
  stream.body_size = request->body_size;
  if (stream.body_size > 0) ++bodies_pending_;
  return true;
}

bool H2Session::feed(const char* data, size_t length) {
  const ssize_t n = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(data), length);
  if (n >= 0) return true;
  if (!failed_) counters_->protocol_errors.add();
  failed_ = true;
  return false;
}

size_t H2Session::output(const uint8_t** data) {
  const ssize_t n = nghttp2_session_mem_send(session_, data);
  if (n < 0) {
    if (!failed_) counters_->protocol_errors.add();
    failed_ = true;
    return 0;
  }
  if (n == 0 && bodies_pending_ > 0) check_stall();
  return static_cast<size_t>(n);
}

// Everything that could go has gone, yet a body is unsent: the server's window is shut.
void H2Session::check_stall() {
  bool stalled = nghttp2_session_get_remote_window_size(session_) <= 0;
  for (const Stream& stream : streams_) {
    if (stalled) break;
    if (stream.in_use && stream.body_sent < stream.body_size &&
        nghttp2_session_get_stream_remote_window_size(session_, stream.id) <= 0) {
      stalled = true;
    }
  }
  if (stalled && !stalled_) counters_->stalls.add();
  stalled_ = stalled;
}

void H2Session::take_ends() {
  for (size_t i = 0; i < end_count_; ++i) {
    Stream& stream = streams_[ends_[i]];
    stream.in_use = false;
    free_.push_back(ends_[i]);
    // A buffer grown for one large response goes back to its reserve (as the pump's capture
    // does): kept, every stream slot that ever saw one would hold up to the capture limit.
    if (stream.head.capacity() > kCaptureHeadReserve) {
      std::vector<char>().swap(stream.head);
      stream.head.reserve(kCaptureHeadReserve);
    }
    if (stream.response_body.capacity() > kCaptureBodyKeep) std::vector<char>().swap(stream.response_body);
  }
  end_count_ = 0;
}

uint64_t H2Session::oldest_written_ns() const {
  uint64_t oldest = UINT64_MAX;
  for (uint32_t i = 0; i < in_flight_; ++i) oldest = std::min(oldest, streams_[open_[i]].times.written_ns);
  return oldest;
}

// The stream forgets its user data, so whatever the server still sends for it (a late answer)
// finds no stream and is dropped.
uint32_t H2Session::expire(uint64_t written_ns) {
  uint32_t expired = 0;
  for (uint32_t i = 0; i < in_flight_;) {
    Stream& stream = streams_[open_[i]];
    if (stream.times.written_ns > written_ns || stream.id <= 0) {
      ++i;
      continue;
    }
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_CANCEL);
    nghttp2_session_set_stream_user_data(session_, stream.id, nullptr);
    stream.end = H2End::timeout;
    close_stream(&stream);  // moves the last open stream into position i
    ++expired;
  }
  return expired;
}

H2Session::Stream* H2Session::stream_of(int32_t stream_id) {
  return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_, stream_id));
}

int H2Session::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                         const uint8_t* value, size_t value_length, uint8_t, void* user_data) {
  H2Session* self = self_of(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  Stream* stream = self->stream_of(frame->hd.stream_id);
  if (stream == nullptr) return 0;
  if (self->capture_limit_ > 0) self->capture_header(stream, name, name_length, value, value_length);
  if (self->grpc_ && name_length > 0 && name[0] == 'g') {
    stream->grpc.on_header(name, name_length, value, value_length);
    return 0;
  }
  if (name_length != 7 || std::memcmp(name, ":status", 7) != 0) return 0;
  int status = 0;
  for (size_t i = 0; i < value_length && i < 3 && value[i] >= '0' && value[i] <= '9'; ++i) status = status * 10 + (value[i] - '0');
  stream->status = status;
  return 0;
}

// A script's response() hook sees the response as over HTTP/1.1: a status line, then header
// lines (trailers after the header), then the body. An informational (1xx) header is replaced
// by the final one.
void H2Session::capture_header(Stream* stream, const uint8_t* name, size_t name_length, const uint8_t* value, size_t value_length) {
  if (name_length == 7 && std::memcmp(name, ":status", 7) == 0) {
    stream->head.clear();
    keep(&stream->head, "HTTP/2 ", 7);
    keep(&stream->head, value, value_length);
    keep(&stream->head, "\r\n", 2);
    return;
  }
  if (name_length > 0 && name[0] == ':') return;
  keep(&stream->head, name, name_length);
  keep(&stream->head, ": ", 2);
  keep(&stream->head, value, value_length);
  keep(&stream->head, "\r\n", 2);
}

// Up to the capture limit and one byte more: the pump cuts at the limit and counts the cut.
void H2Session::keep(std::vector<char>* to, const void* data, size_t length) const {
  const size_t room = capture_limit_ + 1 - std::min(to->size(), capture_limit_ + 1);
  const char* bytes = static_cast<const char*>(data);
  to->insert(to->end(), bytes, bytes + std::min(length, room));
}

int H2Session::on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t length, void* user_data) {
  H2Session* self = self_of(user_data);
  Stream* stream = self->stream_of(stream_id);
  if (stream == nullptr || !stream->in_use) return 0;
  if (self->grpc_) stream->grpc.on_data(data, length);
  if (self->capture_limit_ > 0) self->keep(&stream->response_body, data, length);
  return 0;
}

int H2Session::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  H2Session* self = self_of(user_data);
  switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
        self->settings_received_ = true;
        const uint32_t limit = nghttp2_session_get_remote_settings(self->session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
        self->stream_limit_ = std::min<uint32_t>(limit, static_cast<uint32_t>(self->streams_.size()));
        const uint64_t capped = self->counters_->capped_to.get();
        if (limit < self->streams_.size() && (capped == 0 || limit < capped)) self->counters_->capped_to.set(limit == 0 ? 1 : limit);
      }
      break;
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
      if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
        Stream* stream = self->stream_of(frame->hd.stream_id);
        if (stream != nullptr) stream->ended = true;
      }
      break;
    case NGHTTP2_GOAWAY:
      // The count is of connections told to go: a server may send a second GOAWAY as it closes
      // (Node's session.close() does), which replaces nothing more.
      if (!self->going_away_) self->counters_->goaways.add();
      if (frame->goaway.error_code != NGHTTP2_NO_ERROR) self->counters_->protocol_errors.add();
      self->going_away_ = true;
      self->last_stream_id_ = frame->goaway.last_stream_id;
      break;
    case NGHTTP2_RST_STREAM:
      self->counters_->resets[std::min<uint32_t>(frame->rst_stream.error_code, kH2ErrorCodes - 1)].add();
      break;
    default:
      break;
  }
  return 0;
}

// Our own GOAWAY with an error code: the server broke the protocol and the session is over.
int H2Session::on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  H2Session* self = self_of(user_data);
  if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR && !self->failed_) {
    self->failed_ = true;
    self->counters_->protocol_errors.add();
  }
  return 0;
}

int H2Session::on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  H2Session* self = self_of(user_data);
  Stream* stream = self->stream_of(stream_id);
  if (stream == nullptr || !stream->in_use) return 0;
  // The session failed (our GOAWAY with an error closes every stream): they stay in flight, so
  // the pump, failing the connection, counts each of them once.
  if (self->failed_ && !stream->ended) return 0;
  if (stream->ended) {
    stream->end = H2End::response;
    if (self->grpc_) stream->grpc.finish();
  } else if ((self->going_away_ && stream_id > self->last_stream_id_) || error_code == NGHTTP2_REFUSED_STREAM) {
    stream->end = H2End::refused;  // RFC 9113 8.7: never processed, so safe to send again
  } else {
    stream->end = H2End::reset;
  }
  self->close_stream(stream);
  return 0;
}

// Out of the streams in flight, onto the ends the pump reports next.
void H2Session::close_stream(Stream* stream) {
  if (stream->body_sent < stream->body_size) --bodies_pending_;
  const uint32_t slot = static_cast<uint32_t>(stream - streams_.data());
  for (uint32_t i = 0; i < in_flight_; ++i) {
    if (open_[i] == slot) {
      open_[i] = open_[--in_flight_];
      break;
    }
  }
  ends_[end_count_++] = slot;
}

// gRPC runs only: the response's DATA, walked for its message framing.
ssize_t H2Session::read_body(nghttp2_session*, int32_t, uint8_t* buffer, size_t length, uint32_t* flags,
                             nghttp2_data_source* source, void* user_data) {
  H2Session* self = self_of(user_data);
  Stream* stream = static_cast<Stream*>(source->ptr);
  const size_t n = std::min(length, stream->body_size - stream->body_sent);
  std::memcpy(buffer, stream->body.data() + stream->body_sent, n);
  stream->body_sent += n;
  if (stream->body_sent == stream->body_size) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    --self->bodies_pending_;
  }
  return static_cast<ssize_t>(n);
}

}  // namespace ratetest
