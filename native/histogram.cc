// histogram.cc: HdrHistogram index arithmetic (see HdrHistogram_c hdr_histogram.c, with
// unit_magnitude 0). Pure arithmetic, no allocation after construction.
#include "histogram.h"

namespace ratetest {
namespace {

int count_leading_zeros(uint64_t value) { return __builtin_clzll(value); }

constexpr int sub_bucket_count_magnitude() {
  uint64_t largest_single_unit = 2;
  for (int i = 0; i < kHistogramSignificantDigits; ++i) largest_single_unit *= 10;
  int magnitude = 0;
  while ((1ull << magnitude) < largest_single_unit) ++magnitude;
  return magnitude;  // 11 for 3 digits: 2048 sub-buckets
}

// Buckets until the highest value is trackable, plus one, times half the sub-buckets (33,792).
constexpr size_t counts_length() {
  const uint64_t sub_bucket_count = 1ull << sub_bucket_count_magnitude();
  uint64_t smallest_untrackable = sub_bucket_count;
  size_t buckets = 1;
  while (smallest_untrackable <= kHistogramHighestNs) {
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return (buckets + 1) * (sub_bucket_count / 2);
}

}  // namespace

Histogram::Histogram() : length_(counts_length()), counts_(length_) {
  static_assert(counts_length() <= (kWrittenWords * 64) << kBlockShift, "a bit of written_ for every block of counts");
  const int count_magnitude = sub_bucket_count_magnitude();
  sub_bucket_half_count_magnitude_ = count_magnitude - 1;
  const uint64_t sub_bucket_count = 1ull << count_magnitude;
  sub_bucket_half_count_ = sub_bucket_count / 2;
  sub_bucket_mask_ = sub_bucket_count - 1;
  highest_ = kHistogramHighestNs;
}

size_t Histogram::index_of(uint64_t value) const {
  if (value > highest_) value = highest_;
  const int pow2_ceiling = 64 - count_leading_zeros(value | sub_bucket_mask_);
  const int bucket = pow2_ceiling - (sub_bucket_half_count_magnitude_ + 1);
  const uint64_t sub_bucket = value >> bucket;
  const size_t bucket_base = static_cast<size_t>(bucket + 1) << sub_bucket_half_count_magnitude_;
  return bucket_base + static_cast<size_t>(sub_bucket - sub_bucket_half_count_);
}

uint64_t Histogram::value_at(size_t index) const {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  uint64_t sub_bucket = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

void merge_into_pairs(const std::vector<const Histogram*>& parts, std::vector<double>* pairs) {
  pairs->clear();
  if (parts.empty()) return;
  const size_t length = parts[0]->length();
  const size_t block = size_t{1} << Histogram::kBlockShift;
  for (size_t i = 0; i < length; ++i) {
    if (i % block == 0) {
      bool written = false;
      for (const Histogram* part : parts) written = written || part->block_written(i);
      if (!written) {
        i += block - 1;
        continue;
      }
    }
    uint64_t count = 0;
    for (const Histogram* part : parts) count += part->count_at(i);
    if (count == 0) continue;
    pairs->push_back(static_cast<double>(parts[0]->value_at(i)));
    pairs->push_back(static_cast<double>(count));
  }
}

}  // namespace ratetest
