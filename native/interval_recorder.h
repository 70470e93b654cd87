// interval_recorder.h: one pump's latency and counts cut into fixed intervals of --interval
// (10 ms and up), closed by the pump itself and queued for the JS thread, so each interval is
// exact: never the difference of two snapshots taken at JS timer times.
//
// The pump records every measured response into the open interval's two histograms (plain
// 32-bit counts, the bucket layout of histogram.h) and, once a loop turn, closes the intervals
// whose end has passed. Closing packs the open interval's non-zero buckets into one record of a
// ByteRing (1 MiB, allocated once) and zeroes just the buckets it touched: memory stays bounded
// however long the run, and the JS side drains the ring a few times a second.
//
//   record: [IntervalRecordHead][status codes u32 x S][status counts u32 x S]
//           [corrected counts u32 x C][uncorrected counts u32 x U][corrected idx u16 x C][uncorrected idx u16 x U]
//
// A full ring never blocks the pump: the open interval stays open, and the next record covers
// several intervals at once (first..last). Nothing is lost; only the resolution drops.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "byte_ring.h"
#include "histogram.h"
#include "recorder.h"

namespace ratetest {

struct IntervalRecordHead {
  uint64_t first;   // the interval index it starts, 0 at the end of the warm-up
  uint64_t last;    // the last interval it covers (first, unless a full ring merged several)
  uint64_t end_ns;  // from the origin: (last + 1) * width, or earlier for the run's final interval
  uint64_t due;     // requests the schedule had due in it (the target); sent, in closed loop
  uint64_t sent;
  uint64_t completed;
  uint64_t errors;
  uint32_t statuses;     // status codes present
  uint32_t corrected;    // non-zero corrected buckets
  uint32_t uncorrected;  // non-zero uncorrected buckets
  uint32_t pad;
};

// A record as the JS thread reads it, bucket indexes turned into values.
struct IntervalData {
  IntervalRecordHead head;
  std::vector<double> status;       // [code, count, ...]
  std::vector<double> corrected;    // [valueNs, count, ...], ascending
  std::vector<double> uncorrected;
};

class IntervalRecorder {
 public:
  static constexpr size_t kRingBytes = 1 << 20;

  // width_ns: the interval's width. layout: a histogram whose bucket layout the records use.
  IntervalRecorder(uint64_t width_ns, const Histogram* layout);

  uint64_t width_ns() const { return width_ns_; }
  // Intervals count from origin_ns (the end of the warm-up); nothing is closed before it.
  void start(uint64_t origin_ns) { origin_ns_ = origin_ns; }
  bool started(uint64_t now_ns) const { return origin_ns_ != 0 && now_ns >= origin_ns_; }
  // The index of the interval now_ns falls in (started() must hold).
  uint64_t index_at(uint64_t now_ns) const { return (now_ns - origin_ns_) / width_ns_; }
  // The open interval's first index: everything recorded since it began is still in it.
  uint64_t open_first() const { return open_first_; }
  // The monotonic time interval k ends.
  uint64_t end_of(uint64_t k) const { return origin_ns_ + (k + 1) * width_ns_; }

  // The hot path: one measured response. Two increments and a range check, no allocation.
  void record(uint64_t corrected_ns, uint64_t uncorrected_ns) {
    add(&corrected_, layout_->index_of(corrected_ns));
    add(&uncorrected_, layout_->index_of(uncorrected_ns));
  }

  // Closes the open interval as intervals open_first..last, ending end_ns from the origin.
  // due: the schedule's cumulative target at that end; the recorder's cumulative counters give
  // the rest. False when the ring is full: the interval then stays open and grows.
  bool close(uint64_t last, uint64_t end_ns, uint64_t due, const Recorder& totals);

  // The JS thread: every queued record, oldest first.
  void drain(const std::function<void(IntervalData&&)>& each);
  // Once the pump has finished: what it could not queue (empty when nothing is left open).
  bool leftover(IntervalData* out) const;

 private:
  struct Open {
    std::unique_ptr<uint32_t[]> counts;
    size_t low = SIZE_MAX;  // touched range, to pack and zero only that
    size_t high = 0;
  };
  static void add(Open* open, size_t index) {
    open->counts[index] += 1;
    if (index < open->low) open->low = index;
    if (index > open->high) open->high = index;
  }
  size_t pack(const Recorder& totals, IntervalRecordHead* head);
  void reset_open();
  void unpack(const char* payload, IntervalData* out) const;

  const uint64_t width_ns_;
  const Histogram* layout_;
  uint64_t origin_ns_ = 0;
  uint64_t open_first_ = 0;
  Open corrected_;
  Open uncorrected_;
  // The cumulative counts when the open interval began.
  uint64_t base_due_ = 0;
  uint64_t base_sent_ = 0;
  uint64_t base_completed_ = 0;
  uint64_t base_errors_ = 0;
  std::unique_ptr<uint64_t[]> base_status_;
  ByteRing ring_;
  std::unique_ptr<char[]> scratch_;  // one record being packed: the largest one fits
  size_t scratch_bytes_;
  // The final interval when the ring had no room for it (read only after the pump finished).
  IntervalRecordHead leftover_head_{};
  size_t leftover_bytes_ = 0;
};

}  // namespace ratetest
