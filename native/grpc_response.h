// grpc_response.h: one gRPC call's answer, read as nghttp2 hands it over and without allocating:
// the length-prefixed messages of its DATA, and grpc-status / grpc-message from its trailers (or
// from the only HEADERS of a trailers-only response). Also the per-pump counts of calls by status.
// No I/O, no clock, no N-API.
//
//   DATA:  [flag 1 B][length 4 B, big-endian][message: length B] [flag][length][message] ...
//   HEADERS (trailers): grpc-status: 14, grpc-message: percent-encoded text
#pragma once
#include <cstddef>
#include <cstdint>

#include "counter.h"

namespace ratetest {

// OK (0) .. UNAUTHENTICATED (16); one more slot counts codes outside that range.
constexpr int kGrpcCodes = 17;
constexpr int kGrpcStatusSlots = kGrpcCodes + 1;

struct GrpcResponse {
  static constexpr size_t kMessageBytes = 128;  // the start of grpc-message, for the report
  int status = -1;         // grpc-status; -1 while none has arrived
  bool bad_status = false;  // a grpc-status that is not a number
  bool ended_mid_message = false;  // set by finish(): DATA stopped inside a message
  uint32_t messages = 0;   // complete length-prefixed messages
  uint8_t prefix[5] = {};
  uint8_t prefix_have = 0;   // bytes of the current prefix read so far
  uint64_t remaining = 0;    // bytes of the current message still to come
  size_t message_size = 0;
  char message[kMessageBytes] = {};

  void reset();
  void on_header(const uint8_t* name, size_t name_length, const uint8_t* value, size_t value_length);
  void on_data(const uint8_t* data, size_t length);
  // The stream ended: whether DATA stopped on a message boundary.
  void finish() { ended_mid_message = prefix_have != 0 || remaining != 0; }
};

// The calls one pump counted (single writer: the pump thread). Every answered call lands in
// exactly one of: status[code], http_errors, malformed.
struct GrpcCounters {
  Counter status[kGrpcStatusSlots];
  Counter http_errors;  // no grpc-status, or an HTTP status other than 200: an HTTP-level error
  Counter malformed;    // a grpc-status that is no number, or DATA that does not frame
  Counter first_error_code;  // of the first non-OK status with a grpc-message (+1; 0 = none yet)
  FirstMessage first_error;  // that grpc-message, percent-encoded as it came
};

// Counts one answered call with HTTP status `http_status`.
void record_grpc(GrpcCounters* counters, const GrpcResponse& response, int http_status);

}  // namespace ratetest
