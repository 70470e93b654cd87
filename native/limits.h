// limits.h: the one table of a run's limits. plan.cc checks the plan against it and binding
// exports it as `limits`, so the CLI's messages and the native checks cannot drift apart.
#pragma once
#include <cstdint>

namespace ratetest {

struct Limits {
  static constexpr uint32_t max_threads = 256;
  static constexpr uint32_t max_connections = 1000000;
  static constexpr double max_rate = 1e8;  // requests per second, whole run (or fleet)
  static constexpr uint32_t max_pipeline = 1024;
  static constexpr uint32_t max_stages = 10000;
  // A send window longer than 10 ms would add more send lag than any latency worth measuring.
  static constexpr uint64_t max_batch_ns = 10000000;
  // --interval: below 10 ms an interval holds too few responses at usual rates to say anything,
  // and the JS side would wake more often than the progress it serves.
  static constexpr uint64_t min_interval_ns = 10000000;
  // Durations up to a year: far beyond any run, and still exact in a double of nanoseconds.
  static constexpr double max_duration_ns = 365.0 * 24 * 3600 * 1e9;
  // 2^53 - 1: the largest whole number a JavaScript number holds exactly.
  static constexpr double max_whole = 9007199254740991.0;
  static constexpr uint32_t max_shards = 1000000;
  // sockaddr_un.sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included.
  static constexpr uint32_t max_unix_path_bytes = 103;
};

}  // namespace ratetest
