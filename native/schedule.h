// schedule.h: when each request of one pump is due. Pure arithmetic on a start time; no clock,
// no I/O, so it is tested without sockets.
//
// The run's global stream follows a rate shape: a constant rate, or piecewise-linear stages
// (--stages, k6's ramping-arrival-rate meaning: each stage ramps from the previous target to its
// own). Cumulative(t) is the integral of the rate; global request k (0-based) is due where
// Cumulative reaches k, so intended times follow a ramp exactly.
//
// A pump sends one lane of the global stream: the requests k = n*stride + offset. One process
// of T pumps has stride T and pump i offset i; shard I of N (--shard I/N) has stride N*T and
// pump i offset I + N*i, so N shards together send exactly the unsharded stream, interleaved.
//
// Poisson arrivals (--arrival poisson) time-change one Poisson process of rate 1 in "count"
// units: global request k is due where Cumulative reaches E_0 + ... + E_k, the E_j drawn in
// order from one generator seeded by --seed. Every pump walks that global sequence and keeps its
// lane, so any split into pumps and shards sends the same requests at the same times. The walk
// costs one draw (~10 ns) per request of the whole fleet per pump: 1M req/s over the fleet is
// about 1% of each pump's core.
#pragma once
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace ratetest {

// One linear piece of the rate shape: from from_rate to to_rate over duration_ns.
struct RateStage {
  uint64_t duration_ns;
  double from_rate;
  double to_rate;
};

// The global rate shape: cumulative count and its inverse. Built once, before the pumps start.
class RateShape {
 public:
  RateShape() = default;
  // A constant rate forever.
  explicit RateShape(double rate) : constant_period_ns_(1e9 / rate) {}
  // Linear stages; after the last one no more requests are due.
  explicit RateShape(std::vector<RateStage> stages) : stages_(std::move(stages)) {
    double count = 0;
    uint64_t at = 0;
    for (const RateStage& s : stages_) {
      counts_.push_back(count);
      starts_.push_back(at);
      count += (s.from_rate + s.to_rate) / 2 * (static_cast<double>(s.duration_ns) / 1e9);
      at += s.duration_ns;
    }
    total_ = count;
  }

  bool constant() const { return stages_.empty(); }
  const std::vector<RateStage>& stages() const { return stages_; }
  double constant_period_ns() const { return constant_period_ns_; }

  // Requests due in [0, t_ns] of the shape, as a real number.
  double cumulative(uint64_t t_ns) const {
    if (constant()) return static_cast<double>(t_ns) / constant_period_ns_;
    // The stage holding t: the last one starting at or before it (binary search: many stages stay cheap).
    const size_t j = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), t_ns) - starts_.begin()) - 1;
    const RateStage& s = stages_[j];
    if (t_ns >= starts_[j] + s.duration_ns) return total_;
    const double tau = static_cast<double>(t_ns - starts_[j]) / 1e9;
    const double d = static_cast<double>(s.duration_ns) / 1e9;
    return counts_[j] + s.from_rate * tau + (s.to_rate - s.from_rate) * tau * tau / (2 * d);
  }

  // Time from the shape's start at which the cumulative count reaches c; max() when it never does.
  uint64_t time_of(double c) const {
    if (constant()) return static_cast<uint64_t>(c * constant_period_ns_);
    if (!(c < total_)) return kNever;
    // The stage where the count passes c: the last one starting at or below it. A stage that adds
    // no requests (rate 0 throughout) shares its start count with the next, so it is passed over.
    const size_t j = static_cast<size_t>(std::upper_bound(counts_.begin(), counts_.end(), c) - counts_.begin()) - 1;
    const RateStage& s = stages_[j];
    const double x = c - counts_[j];
    const double d = static_cast<double>(s.duration_ns) / 1e9;
    const double a = (s.to_rate - s.from_rate) / (2 * d);
    const double b = s.from_rate;
    // Root of a*tau^2 + b*tau = x in the form that stays exact when a is tiny or b is 0.
    double tau = 0;
    if (x > 0) {
      const double disc = std::max(0.0, b * b + 4 * a * x);
      tau = 2 * x / (b + std::sqrt(disc));
    }
    return starts_[j] + static_cast<uint64_t>(std::min(tau * 1e9, static_cast<double>(s.duration_ns)));
  }

  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

 private:
  std::vector<RateStage> stages_;
  std::vector<double> counts_;    // cumulative count at each stage's start
  std::vector<uint64_t> starts_;  // each stage's start, from the shape's start
  double total_ = 0;
  double constant_period_ns_ = 0;
};

// splitmix64: small, fast, and good enough for arrival gaps; one state word per generator.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Exponential with mean 1; 1 - u is never 0.
  double exponential() { return -std::log1p(-static_cast<double>(next() >> 11) * 0x1.0p-53); }
};

class Schedule {
 public:
  Schedule(const RateShape* shape, uint64_t stride, uint64_t offset, bool poisson, uint64_t seed)
      : shape_(shape), stride_(stride), offset_(offset), poisson_(poisson) {
    if (poisson_) {
      // One well-mixed stream per seed, the same for every pump and shard.
      SplitMix64 mix{seed ^ 0x5851f42d4c957f2dull};
      seed_state_ = mix.next();
      reset(&next_);
      reset(&ahead_);
    }
  }

  void start(uint64_t start_ns) { start_ns_ = start_ns; }
  uint64_t start_ns() const { return start_ns_; }
  // The global request number of this pump's n-th request.
  uint64_t global(uint64_t n) const { return n * stride_ + offset_; }

  // Intended send time of this pump's n-th request (RateShape::kNever when the shape ends first).
  // Poisson: n must not go backwards by more than one (the pump only moves forward).
  uint64_t intended_ns(uint64_t n) const {
    if (!poisson_) {
      const double k = static_cast<double>(global(n));
      if (shape_->constant()) return start_ns_ + static_cast<uint64_t>(k * shape_->constant_period_ns());
      return at(shape_->time_of(k));
    }
    if (n < next_.n) reset(&next_);
    while (next_.n < n) step(&next_);
    return at(shape_->time_of(next_.count));
  }

  // How many of this pump's requests are due at or before t_ns.
  uint64_t due_count(uint64_t t_ns) const {
    if (t_ns < start_ns_) return 0;
    if (poisson_) {
      // Walks forward from the last query: O(stride) a request for the pump's rising clock.
      if (ahead_.n > 0 && ahead_.last_ns > t_ns) reset(&ahead_);
      for (;;) {
        const uint64_t when = at(shape_->time_of(ahead_.count));
        if (when > t_ns) return ahead_.n;
        ahead_.last_ns = when;
        step(&ahead_);
      }
    }
    const double k = shape_->cumulative(t_ns - start_ns_);
    const double offset = static_cast<double>(offset_);
    uint64_t n = k < offset ? 0 : static_cast<uint64_t>(std::floor((k - offset) / static_cast<double>(stride_))) + 1;
    // Floating point can land one off at an exact boundary; settle it against intended_ns.
    while (n > 0 && intended_ns(n - 1) > t_ns) --n;
    while (intended_ns(n) <= t_ns) ++n;
    return n;
  }

 private:
  // A position in the global Poisson stream: this pump's request n is due where the count
  // reaches `count` (the sum of the first global(n) + 1 gaps).
  struct Cursor {
    uint64_t n = 0;
    double count = 0;
    uint64_t last_ns = 0;
    SplitMix64 rng{0};
  };
  void reset(Cursor* c) const {
    c->n = 0;
    c->last_ns = 0;
    c->rng.state = seed_state_;
    c->count = 0;
    for (uint64_t j = 0; j <= offset_; ++j) c->count += c->rng.exponential();
  }
  void step(Cursor* c) const {
    ++c->n;
    for (uint64_t j = 0; j < stride_; ++j) c->count += c->rng.exponential();
  }
  uint64_t at(uint64_t offset_ns) const { return offset_ns == RateShape::kNever ? offset_ns : start_ns_ + offset_ns; }

  const RateShape* shape_;
  uint64_t stride_;
  uint64_t offset_;
  bool poisson_;
  uint64_t seed_state_ = 0;
  uint64_t start_ns_ = 0;
  mutable Cursor next_;   // the pump's next request
  mutable Cursor ahead_;  // due_count's walk, ahead of next_
};

}  // namespace ratetest
