// clock_test.cc: the offset that turns kernel receive stamps (CLOCK_REALTIME) into the pump's
// monotonic time sits at the middle of its tightest bracket, not at one end of a lone pair.
#include <cstdint>
#include <ctime>

#include "../clock.h"
#include "check.h"

namespace {

uint64_t realtime_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

TEST("clock: a realtime stamp taken between two monotonic readings converts to a time between them") {
  ratetest::ClockOffset clock;
  clock.refresh();
  int inside = 0;
  for (int i = 0; i < 100; i++) {
    const uint64_t before = ratetest::monotonic_now_ns();
    const uint64_t stamp = realtime_now_ns();
    const uint64_t after = ratetest::monotonic_now_ns();
    const uint64_t converted = stamp - clock.realtime_minus_monotonic_ns;
    // The offset's own bracket is at most a few microseconds wide (it retries a preempted one),
    // so a conversion lands within that of the truth: allow 50 us for this thread's own preemption.
    if (converted + 50000 >= before && converted <= after + 50000) inside++;
  }
  CHECK(inside >= 95);
}

}  // namespace
