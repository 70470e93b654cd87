// script_source.h: requests a script (-s, Lua or JavaScript) generated ahead on the JavaScript
// side, taken from the pump's request ring. It never waits: an empty ring means the script is
// behind, next() says so (-1) and the pump keeps the request waiting with its latency clock
// running, so a slow script shows as send lag instead of a lower rate that looks fine.
#pragma once
#include <cstring>

#include "request_source.h"
#include "script_channels.h"

namespace ratetest {

class ScriptSource final : public RequestSource {
 public:
  ScriptSource(ScriptChannels* channels, size_t max_bytes) : channels_(channels), max_bytes_(max_bytes) {}

  int next(uint64_t, uint64_t, RequestBytes* out) override {
    size_t size = 0;
    const char* data = channels_->requests.peek(&size);
    if (data == nullptr) {
      // Counted once per time the ring runs dry, not per retry while it stays dry. Written by
      // this pump only; relaxed: the JavaScript side reads it after the run.
      if (!dry_) channels_->starved.store(channels_->starved.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      dry_ = true;
      return -1;
    }
    dry_ = false;
    // Copied out so the ring slot is free at once; the buffer was sized before the run from the
    // script's largest request so far, and grows only past it.
    if (out->buffer.size() < size) out->buffer.resize(size);
    std::memcpy(out->buffer.data(), data, size);
    channels_->requests.pop();
    out->data = out->buffer.data();
    out->size = size;
    // Name 1 marks a HEAD request (its response has no body); there are no per-name statistics.
    return size >= 5 && std::memcmp(out->data, "HEAD ", 5) == 0 ? 1 : 0;
  }
  bool head(int name) const override { return name == 1; }
  size_t max_bytes_hint() const override { return max_bytes_; }

 private:
  ScriptChannels* channels_;
  size_t max_bytes_;
  bool dry_ = false;
};

}  // namespace ratetest
