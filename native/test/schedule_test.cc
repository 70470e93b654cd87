// schedule_test.cc: the pure schedule (schedule.h) on a fake start time: spacing, the pumps'
// interleaving, due counts that agree with intended times, and stages that ramp.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "../schedule.h"
#include "check.h"

namespace {

using ratetest::RateShape;
using ratetest::RateStage;
using ratetest::Schedule;

constexpr uint64_t kStartNs = 1000000000000ull;  // a fake clock's start: far from 0, as a real one is

std::vector<uint64_t> intended(const RateShape& shape, uint32_t pumps, uint32_t index, uint32_t count, bool poisson = false, uint64_t seed = 0) {
  Schedule schedule(&shape, pumps, index, poisson, seed);
  schedule.start(kStartNs);
  std::vector<uint64_t> out;
  for (uint32_t n = 0; n < count; ++n) {
    const uint64_t t = schedule.intended_ns(n);
    if (t == RateShape::kNever) break;
    out.push_back(t - kStartNs);
  }
  return out;
}

}  // namespace

TEST("schedule: 20k/s on one pump is due every 50 us from the start") {
  const RateShape shape(20000);
  const std::vector<uint64_t> times = intended(shape, 1, 0, 1000);
  CHECK_EQ(times.size(), 1000u);
  for (size_t n = 0; n < times.size(); ++n) CHECK_EQ(times[n], n * 50000ull);
}

TEST("schedule: 4 pumps interleave into the one stream of the total rate") {
  const RateShape shape(1000);
  std::vector<uint64_t> all;
  for (uint32_t i = 0; i < 4; ++i) {
    const std::vector<uint64_t> times = intended(shape, 4, i, 250);
    all.insert(all.end(), times.begin(), times.end());
  }
  std::sort(all.begin(), all.end());
  for (size_t k = 0; k < all.size(); ++k) CHECK_EQ(all[k], k * 1000000ull);
}

TEST("schedule: a rate that does not divide a second does not drift (1000/3 per second)") {
  const RateShape shape(1000.0 / 3);
  const std::vector<uint64_t> times = intended(shape, 1, 0, 100000);
  // Request 99999 is due at 99999 * 3 ms, within a nanosecond, not 100k rounding errors later.
  const uint64_t expected = 99999ull * 3000000ull;
  CHECK(times.back() + 1 >= expected && times.back() <= expected + 1);
}

TEST("schedule: due_count agrees with intended times, at each time and 1 ns before") {
  for (const bool poisson : {false, true}) {
    const RateShape shape(7777);
    Schedule schedule(&shape, 3, 1, poisson, 42);
    schedule.start(kStartNs);
    for (uint64_t n = 0; n < 2000; ++n) {
      const uint64_t t = schedule.intended_ns(n);
      CHECK_EQ(schedule.due_count(t - 1), n);
      CHECK_EQ(schedule.due_count(t), n + 1);
    }
  }
}

TEST("schedule: stages ramp 0 -> 100/s over 10 s: 500 requests, the last in the final second") {
  const RateShape shape(std::vector<RateStage>{RateStage{10000000000ull, 0, 100}});
  const std::vector<uint64_t> times = intended(shape, 1, 0, 1000);
  CHECK_EQ(times.size(), 500u);
  CHECK(times.back() > 9000000000ull && times.back() < 10000000000ull);
  // Cumulative(t) = 5 t^2 (t in s): request n (from 0) is due where it reaches n, at sqrt(n / 5) s;
  // n = 99: sqrt(19.8) = 4.449719 s.
  CHECK(times[99] >= 4449719000ull && times[99] <= 4449720000ull);
}

TEST("schedule: a Poisson stream with a seed is the same stream every time") {
  const RateShape shape(1000);
  CHECK(intended(shape, 2, 0, 500, true, 9) == intended(shape, 2, 0, 500, true, 9));
  CHECK(intended(shape, 2, 0, 500, true, 9) != intended(shape, 2, 0, 500, true, 10));
}
