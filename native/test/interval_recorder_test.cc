// interval_recorder_test.cc: the pump's interval records (interval_recorder.h) without a pump:
// a closed interval comes back whole (counts, statuses, bucket values) and the open one starts
// empty; a full ring refuses a record, keeps the interval open, and the next close covers both;
// the final interval that found no room is the leftover.
#include <cstdint>
#include <vector>

#include "../interval_recorder.h"
#include "check.h"

namespace {

using ratetest::IntervalData;
using ratetest::IntervalRecorder;
using ratetest::Recorder;

constexpr uint64_t kWidthNs = 10000000;
constexpr uint64_t kOriginNs = 5000000000ull;

std::vector<IntervalData> drain(IntervalRecorder& intervals) {
  std::vector<IntervalData> out;
  intervals.drain([&](IntervalData&& data) { out.push_back(std::move(data)); });
  return out;
}

uint64_t total(const std::vector<double>& pairs) {
  uint64_t sum = 0;
  for (size_t i = 1; i < pairs.size(); i += 2) sum += static_cast<uint64_t>(pairs[i]);
  return sum;
}

// One response as the pump records it: in the run's totals and in the open interval.
void respond(Recorder& totals, IntervalRecorder& intervals, uint64_t corrected_ns, uint64_t uncorrected_ns, int status) {
  totals.sent.add();
  totals.completed.add();
  totals.status[status].add();
  intervals.record(corrected_ns, uncorrected_ns);
}

// One response in every bucket of the layout: the largest record an interval can make (~400 KB).
uint64_t fill(Recorder& totals, IntervalRecorder& intervals, int status) {
  const size_t buckets = totals.corrected.length();
  for (size_t i = 0; i < buckets; ++i) respond(totals, intervals, totals.corrected.value_at(i), totals.corrected.value_at(i), status);
  return buckets;
}

}  // namespace

TEST("intervals: a closed interval comes back whole, and the next starts empty") {
  Recorder totals(1);
  IntervalRecorder intervals(kWidthNs, &totals.corrected);
  intervals.start(kOriginNs);
  CHECK_EQ(intervals.index_at(kOriginNs + 25000000), 2u);
  respond(totals, intervals, 1000000, 500000, 200);
  respond(totals, intervals, 1000000, 500000, 200);
  respond(totals, intervals, 300000000, 1000, 503);
  totals.errors[0].add(2);
  CHECK(intervals.close(0, kWidthNs, 7, totals));
  respond(totals, intervals, 2000, 2000, 200);
  CHECK(intervals.close(1, 2 * kWidthNs, 9, totals));
  const std::vector<IntervalData> got = drain(intervals);
  CHECK_EQ(got.size(), 2u);
  const IntervalData& first = got[0];
  CHECK_EQ(first.head.first, 0u);
  CHECK_EQ(first.head.last, 0u);
  CHECK_EQ(first.head.end_ns, kWidthNs);
  CHECK_EQ(first.head.due, 7u);
  CHECK_EQ(first.head.completed, 3u);
  CHECK_EQ(first.head.errors, 2u);
  CHECK_EQ(total(first.corrected), 3u);
  CHECK_EQ(total(first.uncorrected), 3u);
  CHECK_EQ(first.status.size(), 4u);  // 200: 2, 503: 1
  CHECK_EQ(first.status[0], 200.0);
  CHECK_EQ(first.status[1], 2.0);
  CHECK_EQ(first.status[3], 1.0);
  // Bucket values are the lowest of their bucket: within 0.1% at 3 digits.
  CHECK(first.corrected.back() == 1.0 && first.corrected[first.corrected.size() - 2] <= 300000000.0 &&
        first.corrected[first.corrected.size() - 2] > 299700000.0);
  const IntervalData& second = got[1];
  CHECK_EQ(second.head.first, 1u);
  CHECK_EQ(second.head.due, 2u);
  CHECK_EQ(second.head.errors, 0u);
  CHECK_EQ(total(second.corrected), 1u);
  CHECK_EQ(second.status.size(), 2u);
}

TEST("intervals: a full ring keeps the interval open; the next close covers every interval since") {
  Recorder totals(1);
  IntervalRecorder intervals(kWidthNs, &totals.corrected);
  intervals.start(kOriginNs);
  // Every bucket in each record: about 400 KB, so a 1 MiB ring takes two.
  uint64_t k = 0;
  bool refused = false;
  uint64_t recorded = 0;
  uint64_t per_interval = 0;
  for (; k < 4 && !refused; ++k) {
    per_interval = fill(totals, intervals, 200);
    recorded += per_interval;
    refused = !intervals.close(k, (k + 1) * kWidthNs, recorded, totals);
  }
  CHECK(refused);
  CHECK_EQ(k, 3u);
  CHECK_EQ(intervals.open_first(), 2u);
  std::vector<IntervalData> got = drain(intervals);
  CHECK_EQ(got.size(), 2u);
  // Room again: the open interval goes out as intervals 2..3, holding both intervals' responses.
  respond(totals, intervals, 5000, 5000, 200);
  CHECK(intervals.close(3, 4 * kWidthNs, recorded + 1, totals));
  got = drain(intervals);
  CHECK_EQ(got.size(), 1u);
  CHECK_EQ(got[0].head.first, 2u);
  CHECK_EQ(got[0].head.last, 3u);
  CHECK_EQ(got[0].head.completed, per_interval + 1);
  CHECK_EQ(total(got[0].corrected), per_interval + 1);
  CHECK_EQ(total(got[0].uncorrected), per_interval + 1);
  IntervalData none;
  CHECK(!intervals.leftover(&none));
}

TEST("intervals: the last interval, refused by a full ring, is the leftover") {
  Recorder totals(1);
  IntervalRecorder intervals(kWidthNs, &totals.corrected);
  intervals.start(kOriginNs);
  for (uint64_t k = 0; k < 2; ++k) {
    fill(totals, intervals, 200);
    CHECK(intervals.close(k, (k + 1) * kWidthNs, 0, totals));
  }
  const uint64_t last_count = fill(totals, intervals, 204);
  CHECK(!intervals.close(2, 2 * kWidthNs + 123, 0, totals));
  IntervalData last;
  CHECK(intervals.leftover(&last));
  CHECK_EQ(last.head.first, 2u);
  CHECK_EQ(last.head.end_ns, 2 * kWidthNs + 123);
  CHECK_EQ(total(last.corrected), last_count);
  CHECK_EQ(last.status.size(), 2u);
  CHECK_EQ(last.status[0], 204.0);
}
