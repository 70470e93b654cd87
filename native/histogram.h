// histogram.h: an HdrHistogram with the standard bucket layout, written by one pump thread and
// read by snapshots. Its counts index exactly like HdrHistogram's (and hdr-histogram-js's) for the
// same parameters, so a bucket's lowest value recorded on the JS side lands in the same bucket.
//
//   counts: [ bucket 0: sub-buckets 0..2047 ][ bucket 1: 1024..2047 ][ bucket 2 ... ]
//   value = sub_bucket_index << bucket_index   (unit magnitude 0: lowest discernible value 1)
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "counter.h"

namespace ratetest {

// Nanoseconds, 1 ns to 1 hour, 3 significant digits: 33,792 buckets, 270 KB per histogram.
constexpr uint64_t kHistogramHighestNs = 3600ull * 1000000000ull;
constexpr int kHistogramSignificantDigits = 3;

class Histogram {
 public:
  Histogram();

  void record(uint64_t value) { counts_[index_of(value)].add(); }

  size_t length() const { return length_; }
  uint64_t count_at(size_t index) const { return counts_[index].get(); }
  uint64_t value_at(size_t index) const;
  size_t index_of(uint64_t value) const;

 private:

  int sub_bucket_half_count_magnitude_;
  uint64_t sub_bucket_half_count_;
  uint64_t sub_bucket_mask_;
  uint64_t highest_;
  size_t length_;
  std::unique_ptr<Counter[]> counts_;
};

// Adds several threads' histograms bucket by bucket into non-zero [value, count] pairs.
void merge_into_pairs(const std::vector<const Histogram*>& parts, std::vector<double>* pairs);

}  // namespace ratetest
