// response_fuzzer.cc: libFuzzer target for the HTTP/1.1 response parser. Besides crashes and
// sanitizer reports it checks two properties on every input:
//   - feed() never claims more bytes than it was given, and need_more means it took them all;
//   - the events are the same whether the bytes arrive at once or in arbitrary pieces (the
//     first two input bytes choose the piece sizes), which is what a socket does to a response.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../response.h"

using ratetest::ParseStatus;
using ratetest::ResponseParser;

namespace {

struct Event {
  int kind;  // 0 response, 1 error, 2 need-more
  int status;
  uint64_t body_bytes;
  bool close;
  bool operator==(const Event& o) const {
    return kind == o.kind && status == o.status && body_bytes == o.body_bytes && close == o.close;
  }
};

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

// Feeds `data` in pieces of the sizes `piece(i)` returns; returns the events.
template <typename Piece>
std::vector<Event> run(const char* data, size_t size, bool head, bool eof, Piece piece) {
  std::vector<Event> events;
  ResponseParser parser;
  parser.reset(head);
  bool mid = false;
  size_t offset = 0;
  for (size_t i = 0; offset < size; ++i) {
    size_t left = std::min(piece(i), size - offset);
    const char* at = data + offset;
    offset += left;
    while (left > 0) {
      size_t consumed = 0;
      const ParseStatus status = parser.feed(at, left, &consumed);
      check(consumed <= left, "consumed more than given");
      at += consumed;
      left -= consumed;
      mid = true;
      if (status == ParseStatus::error) {
        events.push_back({1, parser.status(), parser.body_bytes(), !parser.keep_alive()});
        return events;
      }
      if (status == ParseStatus::need_more) {
        check(left == 0, "need_more left bytes unconsumed");
        break;
      }
      events.push_back({0, parser.status(), parser.body_bytes(), !parser.keep_alive()});
      mid = false;
      parser.reset(head);
    }
  }
  if (mid) {
    if (eof) {
      const ParseStatus status = parser.on_eof();
      events.push_back({status == ParseStatus::complete ? 0 : 1, parser.status(), parser.body_bytes(), !parser.keep_alive()});
    } else {
      events.push_back({2, 0, 0, false});
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t size) {
  if (size < 2) return 0;
  const bool head = raw[0] & 1;
  const bool eof = raw[0] & 2;
  const size_t seed = raw[1];
  const char* data = reinterpret_cast<const char*>(raw) + 2;
  size = size - 2;
  const auto whole = run(data, size, head, eof, [size](size_t) { return size; });
  const auto pieces = run(data, size, head, eof, [seed](size_t i) { return ((seed * 31 + i * 17) % 13) + 1; });
  check(whole == pieces, "events differ when the input is split");
  return 0;
}
