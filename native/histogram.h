// histogram.h: an HdrHistogram with the standard bucket layout, written by one pump thread and
// read by snapshots. Its counts index exactly like HdrHistogram's (and hdr-histogram-js's) for the
// same parameters, so a bucket's lowest value recorded on the JS side lands in the same bucket.
//
//   counts: [ bucket 0: sub-buckets 0..2047 ][ bucket 1: 1024..2047 ][ bucket 2 ... ]
//   value = sub_bucket_index << bucket_index   (unit magnitude 0: lowest discernible value 1)
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "counter.h"
#include "counter_pages.h"

namespace ratetest {

// Nanoseconds, 1 ns to 1 hour, 3 significant digits: 33,792 buckets, 270 KB per histogram.
constexpr uint64_t kHistogramHighestNs = 3600ull * 1000000000ull;
constexpr int kHistogramSignificantDigits = 3;

class Histogram {
 public:
  Histogram();

  void record(uint64_t value) {
    const size_t index = index_of(value);
    counts_[index].add();
    mark_written(index);
  }

  size_t length() const { return length_; }
  uint64_t count_at(size_t index) const { return counts_[index].get(); }
  uint64_t value_at(size_t index) const;
  // Whether any count of the block holding `index` has been written. A reader skips the blocks
  // never written: some kernels (the 6.18 of bench/RESULTS.md's VM) back a fresh page even when
  // it is only read, so walking all 33,792 counts at each snapshot would cost the 270 KB of RSS
  // that CounterPages saves.
  bool block_written(size_t index) const {
    return (written_[index >> (kBlockShift + 6)].load(std::memory_order_relaxed) >> ((index >> kBlockShift) & 63)) & 1;
  }
  static constexpr size_t kBlockShift = 9;  // blocks of 512 counts: one 4 KB page

  // Public for the interval recorder, which keeps its own counts in the same bucket layout.
  size_t index_of(uint64_t value) const;

 private:
  // Single writer: a plain load and store, and only the first time a block is written.
  void mark_written(size_t index) {
    std::atomic<uint64_t>& word = written_[index >> (kBlockShift + 6)];
    const uint64_t bit = 1ull << ((index >> kBlockShift) & 63);
    const uint64_t bits = word.load(std::memory_order_relaxed);
    if ((bits & bit) == 0) word.store(bits | bit, std::memory_order_relaxed);
  }

  int sub_bucket_half_count_magnitude_;
  uint64_t sub_bucket_half_count_;
  uint64_t sub_bucket_mask_;
  uint64_t highest_;
  size_t length_;
  CounterPages counts_;
  static constexpr size_t kWrittenWords = 2;  // 66 blocks of 512 counts for 1 ns..1 h at 3 digits
  std::atomic<uint64_t> written_[kWrittenWords] = {};
};

// Adds several threads' histograms bucket by bucket into non-zero [value, count] pairs.
void merge_into_pairs(const std::vector<const Histogram*>& parts, std::vector<double>* pairs);

}  // namespace ratetest
