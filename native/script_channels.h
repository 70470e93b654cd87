// script_channels.h: what a pump shares with the JavaScript side of a script run (-s): requests
// the script generated ahead flow in, tapped responses flow out (only when the script has a
// response() hook), and the script can stop this one thread (wrk.thread:stop()). Owned by the
// Run, one per pump; every field is either a single-producer single-consumer ring or an atomic.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "byte_ring.h"

namespace ratetest {

struct ScriptChannels {
  ScriptChannels(size_t request_bytes, size_t response_bytes)
      : requests(request_bytes), responses(response_bytes > 0 ? new ByteRing(response_bytes) : nullptr) {}
  ByteRing requests;                     // JavaScript -> pump: one request per record
  std::unique_ptr<ByteRing> responses;   // pump -> JavaScript: [status u32][raw response bytes]
  std::atomic<bool> stop{false};         // this thread's schedule ends now (wrk.thread:stop())
  std::atomic<uint64_t> responses_dropped{0};  // the ring was full: not delivered to response()
  std::atomic<uint64_t> responses_truncated{0};  // longer than the capture limit: cut short
  std::atomic<uint64_t> starved{0};  // a request was due and the ring was empty (the script was behind)
};

}  // namespace ratetest
