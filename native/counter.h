// counter.h: a counter with one writer (its pump thread) and any number of readers (snapshots).
// A relaxed load+store compiles to a plain add, with no locked instruction on the hot path,
// and still lets another thread read it without a data race.
#pragma once
#include <atomic>
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

}  // namespace ratetest
