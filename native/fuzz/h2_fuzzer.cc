// h2_fuzzer.cc: libFuzzer target for the HTTP/2 glue: server bytes from the fuzzer -> the
// session (nghttp2 over our pool) -> our callbacks -> the ends the pump would record; and the
// HTTP/1.1 -> HTTP/2 request conversion. Besides crashes and sanitizer reports it checks:
//   - streams in flight never exceed the slots, and each stream ends once;
//   - a converted request's fields and body lie inside the bytes they came from (or the names
//     buffer), whatever the bytes were.
//   - a captured response (bit 6: the response() hook's copy) stays within its limit + 1;
//   - streams timed out (bit 3: the oldest after each piece) end once, like the others;
//   - with bit 4 the streams are read as gRPC calls (framing and grpc-status from any bytes).
// Input: byte 0 bit 7 picks the conversion path; else its low 3 bits are the streams to keep
// open, bits 6, 4 and 3 as above, byte 1 the piece size the server's bytes are fed in.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../h2_pool.h"
#include "../h2_request.h"
#include "../h2_session.h"

using namespace ratetest;

namespace {

constexpr uint32_t kSlots = 8;
constexpr size_t kCaptureLimit = 256;
const char kRequest[] = "POST /fuzz HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

bool inside(const uint8_t* p, size_t n, const void* from, size_t size) {
  const uint8_t* begin = static_cast<const uint8_t*>(from);
  return p >= begin && p + n <= begin + size;
}

void fuzz_request(const uint8_t* data, size_t size) {
  static H2Request request;
  const char* text = reinterpret_cast<const char*>(data);
  if (h2_request_from_http1(text, size, "http", "fallback", &request) != H2RequestError::none) return;
  check(request.field_count >= 4 && request.field_count <= H2Request::kMaxFields, "field count");
  for (size_t i = 4; i < request.field_count; ++i) {
    const nghttp2_nv& nv = request.fields[i];
    check(inside(nv.name, nv.namelen, request.names.data(), request.names.size()), "name outside the names buffer");
    check(inside(nv.value, nv.valuelen, data, size), "value outside the request");
  }
  check(request.body_size == 0 || inside(reinterpret_cast<const uint8_t*>(request.body), request.body_size, data, size), "body outside the request");
}

void drain(H2Session& session) {
  const uint8_t* out = nullptr;
  while (session.output(&out) > 0) {
  }
}

// Opens streams up to `keep` while the session takes them.
void top_up(H2Session& session, const H2Request& request, uint32_t keep, uint64_t* seq) {
  while (session.in_flight() < keep && session.in_flight() < kSlots && (session.ready() ? session.can_submit() : true)) {
    InFlight::Slot times{*seq, *seq, 0, false, *seq};
    ++*seq;
    if (!session.submit(&request, times)) return;  // the session is over; it counts as in flight
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  if ((data[0] & 0x80) != 0) {
    fuzz_request(data + 1, size - 1);
    return 0;
  }
  static H2Pool pool;
  static H2Counters counters;
  static H2Request request;
  static bool converted = h2_request_from_http1(kRequest, sizeof kRequest - 1, "http", "fuzz", &request) == H2RequestError::none;
  check(converted, "the fixed request converts");
  H2Session session;
  const bool capture = (data[0] & 0x40) != 0;
  const bool expire = (data[0] & 0x08) != 0;
  const bool grpc = (data[0] & 0x10) != 0;
  session.attach(&pool, &counters, kSlots, 64, grpc, capture ? kCaptureLimit : 0);
  check(session.begin(), "begin");
  drain(session);
  const uint32_t keep = data[0] & 7;
  const size_t piece = static_cast<size_t>(data[1]) + 1;
  uint64_t seq = 1;
  bool seen[4096] = {};
  top_up(session, request, keep, &seq);
  drain(session);
  for (size_t at = 2; at < size; at += piece) {
    const size_t n = size - at < piece ? size - at : piece;
    const bool fed = session.feed(reinterpret_cast<const char*>(data + at), n);
    // Streams are "written" at their request number: expiring up to seq - kSlots / 2 resets the oldest.
    if (fed && expire && !session.failed() && session.in_flight() > 0 && seq > kSlots / 2) session.expire(seq - kSlots / 2);
    drain(session);
    check(session.in_flight() <= kSlots, "more streams in flight than slots");
    for (size_t i = 0; i < session.end_count(); ++i) {
      const uint64_t k = session.ended(i).times.seq;
      check(k < sizeof seen && !seen[k], "a stream ended twice");
      seen[k] = true;
      const H2Session::Stream& ended = session.ended(i);
      check(ended.head.size() <= kCaptureLimit + 1 && ended.response_body.size() <= kCaptureLimit + 1, "a capture past its limit");
      check(capture || (ended.head.empty() && ended.response_body.empty()), "a capture nobody asked for");
    }
    session.take_ends();
    if (!fed || session.failed() || session.finished()) break;
    if (seq < sizeof seen - kSlots) top_up(session, request, keep, &seq);
    drain(session);
  }
  session.end();
  return 0;
}
