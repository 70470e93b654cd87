// clock.h: the monotonic nanosecond clock every timestamp in the pump comes from.
// Read it once per loop turn and pass now_ns down (gettimeofday is not monotonic).
#pragma once
#include <cstdint>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

namespace ratetest {

inline uint64_t monotonic_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Kernel receive timestamps come on CLOCK_REALTIME; this converts them. Refreshed once per
// loop turn, so a clock adjustment shifts at most one turn's readings. The realtime reading sits
// between two monotonic ones: a thread preempted between a lone pair would take the preemption
// into the offset and date every stamp of the turn that much early (on a busy machine, 80 us
// below a server's fixed 20 ms delay). The tightest of a few brackets counts.
struct ClockOffset {
  uint64_t realtime_minus_monotonic_ns = 0;
  void refresh() {
    constexpr uint64_t kTightNs = 2000;
    uint64_t best_gap = UINT64_MAX;
    for (int attempt = 0; attempt < 4 && best_gap > kTightNs; attempt++) {
      const uint64_t before = monotonic_now_ns();
      timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      const uint64_t after = monotonic_now_ns();
      const uint64_t gap = after - before;
      if (gap >= best_gap) continue;
      best_gap = gap;
      const uint64_t realtime = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
      realtime_minus_monotonic_ns = realtime - (before + gap / 2);
    }
  }
};

// CPU time used by the calling thread; the generator's self-check compares it with wall time.
inline uint64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// "<cpu time ns> <run delay ns> <time slices>" from a Linux schedstat file; false where the kernel
// does not say (another OS, or a thread that has exited).
inline bool read_schedstat(const char* path, uint64_t* cpu_ns, uint64_t* run_delay_ns) {
#ifdef __linux__
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char text[96];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return false;
  text[n] = '\0';
  char* end = nullptr;
  *cpu_ns = std::strtoull(text, &end, 10);
  *run_delay_ns = std::strtoull(end, nullptr, 10);
  return true;
#else
  (void)path;
  (void)cpu_ns;
  (void)run_delay_ns;
  return false;
#endif
}

// Time the calling thread spent ready to run but waiting for a CPU (Linux schedstat's run_delay;
// 0 where the kernel does not say). Read twice per run, never per request: a pump that waited
// for CPU other work held fell behind because of the machine, not of its own cost.
inline uint64_t thread_run_delay_ns() {
  uint64_t cpu = 0, delay = 0;
  return read_schedstat("/proc/thread-self/schedstat", &cpu, &delay) ? delay : 0;
}

// The kernel's id of the calling thread (0 where there is none to name), so that a snapshot on
// another thread can read this one's CPU time and run delay while it runs.
inline uint64_t kernel_thread_id() {
#ifdef __linux__
  return static_cast<uint64_t>(syscall(SYS_gettid));
#else
  return 0;
#endif
}

}  // namespace ratetest
