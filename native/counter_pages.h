// counter_pages.h: a fixed array of Counters in fresh anonymous pages. The kernel hands such pages
// out zeroed and backs each only when first written, so a 270 KB histogram whose values fall in a
// few buckets costs a few pages of RSS; new Counter[n]() zeroes, and so backs, all 66 of them
// (with five histograms per pump, ~1.4 MB per pump and ~15 ms of page faults at start).
#pragma once
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "counter.h"

namespace ratetest {

// The pages start as zero bytes and are used as Counters without running a constructor: that
// holds where a Counter is exactly a lock-free 64-bit atomic, whose zero is all zero bytes.
static_assert(sizeof(Counter) == sizeof(uint64_t) && std::atomic<uint64_t>::is_always_lock_free);

class CounterPages {
 public:
  explicit CounterPages(size_t length) : bytes_(length * sizeof(Counter)) {
    void* pages = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) throw std::bad_alloc();
    counters_ = static_cast<Counter*>(pages);
  }
  ~CounterPages() { munmap(counters_, bytes_); }
  CounterPages(const CounterPages&) = delete;
  CounterPages& operator=(const CounterPages&) = delete;

  Counter& operator[](size_t index) { return counters_[index]; }
  const Counter& operator[](size_t index) const { return counters_[index]; }

 private:
  size_t bytes_;
  Counter* counters_;
};

}  // namespace ratetest
