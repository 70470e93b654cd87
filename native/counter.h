// counter.h: a counter with one writer (its pump thread) and any number of readers (snapshots).
// A relaxed load+store compiles to a plain add, with no locked instruction on the hot path,
// and still lets another thread read it without a data race.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ratetest {

class Counter {
 public:
  void add(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void set(uint64_t n) { value_.store(n, std::memory_order_relaxed); }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A message kept once, the first time something goes wrong (e.g. the first TLS error's text).
// Written by its pump thread only; a reader sees it only after `set` is published, so it never
// reads a half-written message.
class FirstMessage {
 public:
  static constexpr size_t kCapacity = 256;
  bool has() const { return set_.load(std::memory_order_acquire); }
  char* buffer() { return text_; }  // the writer fills it, then calls publish()
  void publish() { set_.store(true, std::memory_order_release); }
  const char* text() const { return has() ? text_ : ""; }

 private:
  char text_[kCapacity] = {};
  std::atomic<bool> set_{false};
};

}  // namespace ratetest
