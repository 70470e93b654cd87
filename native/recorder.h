// recorder.h: everything one pump measures. Written only by its pump thread; read by snapshots
// from the JS thread through single-writer counters (counter.h), so neither side takes a lock.
#pragma once
#include <cstdint>
#include <memory>

#include "counter.h"
#include "histogram.h"

namespace ratetest {

enum class ErrorKind { connect = 0, read, write, timeout, parse };
constexpr int kErrorKinds = 5;
constexpr int kStatusCodes = 1000;

struct Recorder {
  explicit Recorder(uint64_t seconds);

  void record_error(ErrorKind kind, int err_no) {
    const int k = static_cast<int>(kind);
    errors[k].add();
    if (first_errno[k].get() == 0 && err_no != 0) first_errno[k].set(static_cast<uint64_t>(err_no));
  }

  Histogram corrected;    // response complete - intended send time
  Histogram uncorrected;  // response complete - actual write
  Histogram send_lag;     // actual write - intended send time

  Counter sent;
  Counter completed;
  Counter queued;  // due while every connection was busy
  Counter bytes_read;
  Counter bytes_written;
  Counter errors[kErrorKinds];
  Counter first_errno[kErrorKinds];
  Counter status[kStatusCodes];
  Counter in_flight;         // gauge
  Counter connections_open;  // gauge
  Counter scheduled;         // set when the run ends
  Counter not_sent;          // set when the run ends
  Counter cpu_ns;            // set when the run ends
  Counter due;               // requests due so far by the schedule (target), updated each loop turn
  Counter connections_opened;  // connections opened beyond the first -c (--max-connections)

  uint64_t seconds;                      // length of per_second
  std::unique_ptr<Counter[]> per_second;  // responses completed in each second of the run
  std::unique_ptr<Counter[]> opened_per_second;  // extra connections opened in each second
};

}  // namespace ratetest
