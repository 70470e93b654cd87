// recorder.h: everything one pump measures. Written only by its pump thread; read by snapshots
// from the JS thread through single-writer counters (counter.h), so neither side takes a lock.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "counter.h"
#include "grpc_response.h"
#include "histogram.h"

namespace ratetest {

enum class ErrorKind { connect = 0, read, write, timeout, parse };
constexpr int kErrorKinds = 5;
constexpr int kStatusCodes = 1000;

// NO_ERROR (0x0) .. HTTP_1_1_REQUIRED (0xd); any other code is counted in the last slot.
constexpr int kH2ErrorCodes = 15;

// The run's HTTP/2 figures for one pump (single writer: the pump thread).
struct H2Counters {
  Counter goaways;          // connections that received a GOAWAY (the first of each)
  Counter resent;           // streams above a GOAWAY's last-stream-id, sent again elsewhere
  Counter resets[kH2ErrorCodes];  // RST_STREAM received, by error code
  Counter stalls;           // a request body waited on a zero flow-control window from the server
  Counter protocol_errors;  // connection-level errors (ours or the server's GOAWAY with an error)
  Counter capped_to;        // the smallest SETTINGS_MAX_CONCURRENT_STREAMS below --streams; 0 = none
  Counter allocator_calls;  // nghttp2's allocations, all served by the pump's pool
  Counter system_allocations;  // of which reached malloc (a new pool chunk or a block over 64 KiB)
  Histogram streams_in_flight;  // the connection's streams in flight, sampled at each send
};

// What one request name measures (a request file's `name`), per pump: the figures the report
// breaks down by name. Only runs with named requests have any.
struct NameRecorder {
  Histogram corrected;
  Counter sent;
  Counter completed;
  Counter errors;  // read, write, timeout and parse errors of requests of this name
  Counter status[kStatusCodes];
};

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
  Histogram handshake;    // TLS handshake: TCP connected -> handshake complete (https only)

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
  Counter run_delay_ns;      // set when the run ends: waiting for a CPU while ready to run
  Counter kernel_tid;        // set when the thread starts, for live CPU readings from snapshots
  Counter tls_handshakes;    // completed handshakes
  Counter tls_resumed;       // of which resumed a saved session
  Counter tls_errors[2];     // by TlsFailure: handshake, verify
  FirstMessage tls_first_error;

  Counter due;               // requests due so far by the schedule after the warm-up (the target), updated each loop turn
  Counter connections_opened;  // connections opened beyond the first -c (--max-connections)
  H2Counters h2;               // --http2 only
  GrpcCounters grpc;           // gRPC runs only

  uint64_t seconds;                      // length of per_second
  std::unique_ptr<Counter[]> per_second;  // responses completed in each second of the run
  std::unique_ptr<Counter[]> opened_per_second;  // extra connections opened in each second
  std::vector<std::unique_ptr<NameRecorder>> names;  // by request name index; empty for totals only
};

}  // namespace ratetest
