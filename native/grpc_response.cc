// grpc_response.cc: gRPC response framing and status (see grpc_response.h). The spec is
// grpc/grpc doc/PROTOCOL-HTTP2.md: Length-Prefixed-Message, and Status in the trailers.
#include "grpc_response.h"

#include <algorithm>
#include <cstring>

namespace ratetest {
namespace {

bool named(const uint8_t* name, size_t length, const char* expected) {
  return std::strlen(expected) == length && std::memcmp(name, expected, length) == 0;
}

}  // namespace

void GrpcResponse::reset() {
  status = -1;
  bad_status = ended_mid_message = false;
  messages = 0;
  prefix_have = 0;
  remaining = 0;
  message_size = 0;
}

// nghttp2 hands over names lower-cased (HTTP/2 requires it), for headers and trailers alike.
void GrpcResponse::on_header(const uint8_t* name, size_t name_length, const uint8_t* value, size_t value_length) {
  if (named(name, name_length, "grpc-status")) {
    int code = 0;
    bool digits = value_length > 0 && value_length <= 9;
    for (size_t i = 0; digits && i < value_length; ++i) {
      if (value[i] < '0' || value[i] > '9') digits = false;
      else code = code * 10 + (value[i] - '0');
    }
    bad_status = !digits;
    status = digits ? code : -1;
  } else if (named(name, name_length, "grpc-message")) {
    message_size = std::min(value_length, kMessageBytes);
    std::memcpy(message, value, message_size);
  }
}

// Walks the prefixes only: a message's bytes are skipped, never copied.
void GrpcResponse::on_data(const uint8_t* data, size_t length) {
  while (length > 0) {
    if (remaining > 0) {
      const size_t skip = static_cast<size_t>(std::min<uint64_t>(remaining, length));
      remaining -= skip;
      data += skip;
      length -= skip;
      if (remaining == 0) ++messages;
      continue;
    }
    const size_t take = std::min<size_t>(sizeof prefix - prefix_have, length);
    std::memcpy(prefix + prefix_have, data, take);
    prefix_have = static_cast<uint8_t>(prefix_have + take);
    data += take;
    length -= take;
    if (prefix_have < sizeof prefix) return;
    prefix_have = 0;
    remaining = (static_cast<uint64_t>(prefix[1]) << 24) | (static_cast<uint64_t>(prefix[2]) << 16) |
                (static_cast<uint64_t>(prefix[3]) << 8) | prefix[4];
    if (remaining == 0) ++messages;  // an empty message (a message type with no fields set)
  }
}

// An answer other than 200 is an HTTP-level error whatever its body (a proxy's 503 page is no
// gRPC framing); so is a 200 with no grpc-status at all.
void record_grpc(GrpcCounters* counters, const GrpcResponse& response, int http_status) {
  if (http_status != 200) {
    counters->http_errors.add();
    return;
  }
  if (response.bad_status || response.ended_mid_message) {
    counters->malformed.add();
    return;
  }
  if (response.status < 0) {
    counters->http_errors.add();
    return;
  }
  const int slot = response.status < kGrpcCodes ? response.status : kGrpcCodes;
  counters->status[slot].add();
  if (slot != 0 && response.message_size > 0 && counters->first_error_code.get() == 0) {
    const size_t n = std::min(response.message_size, FirstMessage::kCapacity - 1);
    std::memcpy(counters->first_error.buffer(), response.message, n);
    counters->first_error.buffer()[n] = '\0';
    counters->first_error_code.set(static_cast<uint64_t>(slot) + 1);
    counters->first_error.publish();
  }
}

}  // namespace ratetest
