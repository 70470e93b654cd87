// schedule.h: when each request of one pump is due. Pure arithmetic on a start time; no clock,
// no I/O, so it is tested without sockets.
//
// The run's global stream is request k at start + k/rate. With T pumps, pump i takes every T-th
// request (k = n*T + i), so the pumps interleave and the total stream stays evenly spaced: at
// 20,000 req/s over 2 pumps each pump sends every 100 us, offset by 50 us from the other.
#pragma once
#include <cmath>
#include <cstdint>

namespace ratetest {

class Schedule {
 public:
  Schedule(double rate_per_second, uint32_t pumps, uint32_t pump_index)
      : period_ns_(1e9 / rate_per_second), pumps_(pumps), index_(pump_index) {}

  void start(uint64_t start_ns) { start_ns_ = start_ns; }
  uint64_t start_ns() const { return start_ns_; }

  // Intended send time of this pump's n-th request.
  uint64_t intended_ns(uint64_t n) const {
    const double k = static_cast<double>(n) * pumps_ + index_;
    return start_ns_ + static_cast<uint64_t>(k * period_ns_);
  }

  // How many of this pump's requests are due at or before t_ns.
  uint64_t due_count(uint64_t t_ns) const {
    if (t_ns < start_ns_) return 0;
    const double k = static_cast<double>(t_ns - start_ns_) / period_ns_;
    if (k < index_) return intended_ns(0) <= t_ns ? 1 : 0;
    uint64_t n = static_cast<uint64_t>(std::floor((k - index_) / pumps_)) + 1;
    // Floating point can land one off at an exact boundary; settle it against intended_ns.
    while (n > 0 && intended_ns(n - 1) > t_ns) --n;
    while (intended_ns(n) <= t_ns) ++n;
    return n;
  }

 private:
  double period_ns_;
  uint32_t pumps_;
  uint32_t index_;
  uint64_t start_ns_ = 0;
};

}  // namespace ratetest
