// histogram_test.cc: the native histogram's merge into [value, count] pairs reads only the blocks
// of counts that were written, and still finds every count, in any block of either histogram.
#include <cstdint>
#include <vector>

#include "../histogram.h"
#include "check.h"

namespace {

using ratetest::Histogram;

TEST("histogram: merge finds counts in every written block of each part, in value order") {
  Histogram a;
  Histogram b;
  a.record(1);                   // block 0
  a.record(1);
  b.record(50000);               // a middle block
  a.record(3600000000000ull);    // the top bucket (1 hour), the last block
  b.record(7000000000000ull);    // beyond the highest trackable value: clamped into the top bucket
  std::vector<double> pairs;
  ratetest::merge_into_pairs({&a, &b}, &pairs);
  CHECK_EQ(pairs.size(), size_t{6});
  CHECK_EQ(pairs[0], 1.0);
  CHECK_EQ(pairs[1], 2.0);
  CHECK(pairs[2] <= 50000.0 && pairs[2] > 49000.0);
  CHECK_EQ(pairs[3], 1.0);
  CHECK(pairs[4] <= 3600000000000.0 && pairs[4] > 3590000000000.0);
  CHECK_EQ(pairs[5], 2.0);
}

TEST("histogram: an empty histogram merges to no pairs, and a block is marked only once written") {
  Histogram h;
  std::vector<double> pairs{1, 2};
  ratetest::merge_into_pairs({&h}, &pairs);
  CHECK(pairs.empty());
  for (size_t i = 0; i < h.length(); i += size_t{1} << Histogram::kBlockShift) CHECK(!h.block_written(i));
  h.record(1000);
  size_t written = 0;
  for (size_t i = 0; i < h.length(); i += size_t{1} << Histogram::kBlockShift) written += h.block_written(i) ? 1 : 0;
  CHECK_EQ(written, size_t{1});
}

}  // namespace
