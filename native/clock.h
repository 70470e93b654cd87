// clock.h: the monotonic nanosecond clock every timestamp in the pump comes from.
// Read it once per loop turn and pass now_ns down (gettimeofday is not monotonic).
#pragma once
#include <cstdint>
#include <ctime>

namespace ratetest {

inline uint64_t monotonic_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Kernel receive timestamps come on CLOCK_REALTIME; this converts them. Refreshed once per
// loop turn, so a clock adjustment shifts at most one turn's readings.
struct ClockOffset {
  uint64_t realtime_minus_monotonic_ns = 0;
  void refresh(uint64_t monotonic_ns) {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    realtime_minus_monotonic_ns =
        static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec) - monotonic_ns;
  }
};

// CPU time used by the calling thread; the generator's self-check compares it with wall time.
inline uint64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace ratetest
