// plan.h: everything a run needs, checked and converted from the JS object once, before any
// thread starts (plan.cc owns every check and its message).
#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "template_program.h"
#include "tls.h"
#include "schedule.h"

// Declared, not included: code that only reads a RunPlan (the pump, the native unit tests) needs no N-API.
namespace Napi {
class Object;
}

namespace ratetest {

struct RunPlan {
  uint32_t threads = 1;
  uint32_t connections = 1;
  double rate = 1;  // total requests per second
  uint64_t duration_ns = 0;
  uint64_t timeout_ns = 0;  // per request, from its write
  uint64_t connect_timeout_ns = 0;  // TCP connect plus TLS handshake
  uint64_t drain_ns = 0;    // after the schedule ends, wait this long for responses in flight
  uint64_t batch_ns = 0;    // wake at most once per this long; 0 = at each request's own time
  uint64_t interval_ns = 1000000000;  // --interval: the width of the series' intervals
  uint32_t pipeline = 1;  // requests in flight per connection at most
  sockaddr_storage address{};  // IPv4, IPv6 or (--unix-socket) a Unix domain socket path
  socklen_t address_length = 0;
  bool tls = false;
  TlsOptions tls_options;
  std::string request;
  bool head_request = false;
  // Request templates compiled by src/requests/; when set, they replace `request`.
  std::shared_ptr<const TemplateProgram> templates;
  // Load shape. Every field is optional in the JS object; left out, the run is a constant rate
  // from the start, evenly spaced, unbounded by count.
  RateShape shape;              // constant `rate`, or the stages (warm-up prepended)
  bool poisson = false;         // exponential gaps instead of even spacing
  uint64_t seed = 0;            // for poisson
  uint64_t warmup_ns = 0;       // first part of the schedule, recorded apart from the results
  uint64_t max_requests = 0;    // 0 = no limit; total over the pumps
  bool closed_loop = false;     // -R max: each connection sends again once its response is in
  uint32_t max_connections = 0; // >= connections: opened on demand when every one is busy
  // --shard I/N: this process sends the global requests k = I (mod N) of the fleet's schedule.
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
  // --start-at: the schedule's t0 on the monotonic clock (0 = as soon as every pump is ready),
  // converted once from the wall-clock instant when the plan is read.
  uint64_t start_at_ns = 0;
  // A script run (-s): requests come from per-pump rings the JavaScript side fills.
  struct Script {
    bool enabled = false;
    size_t request_ring_bytes = 0;
    size_t response_ring_bytes = 0;  // 0 = no response() hook, no tap
    size_t max_request_bytes = 0;    // buffers are sized for this before the run
    size_t capture_limit = 0;        // response bytes kept per response for response()
  } script;
  // Per pump, when a script gave threads addresses of their own (thread.addr); else empty.
  struct Address {
    sockaddr_storage address{};
    socklen_t length = 0;
  };
  std::vector<Address> pump_addresses;
  // --http2: every connection is an HTTP/2 session (h2 by ALPN for https, h2c with prior
  // knowledge for http); `pipeline` is then --streams, the streams in flight per connection.
  bool http2 = false;
  std::string authority;  // :authority when a request has no Host field
  std::string nghttp2_version;  // the nghttp2 inside this Node (process.versions.nghttp2)
  // Every request is a gRPC call (needs http2): responses are read for grpc-status and framing.
  bool grpc = false;
  // --io-engine io_uring (Linux, plain HTTP/1.1): connected sockets are read and written through
  // each pump's io_uring (ring.h) instead of epoll and send/recvmsg.
  bool io_uring = false;
};

// The requests one pump sends: global k = n*stride + offset (see schedule.h).
struct Lane {
  uint64_t stride;
  uint64_t offset;
};
// Pump i of T in shard I of N: stride N*T, offset I + N*i.
inline Lane lane_of(const RunPlan& plan, uint32_t pump) {
  return Lane{static_cast<uint64_t>(plan.shard_count) * plan.threads, plan.shard_index + static_cast<uint64_t>(plan.shard_count) * pump};
}
// How many of the global requests 0 .. total-1 fall in the lane.
inline uint64_t lane_share(uint64_t total, Lane lane) { return total > lane.offset ? (total - lane.offset + lane.stride - 1) / lane.stride : 0; }

// Throws a JS TypeError/RangeError naming the field when the object is not a valid plan.
RunPlan plan_from_js(const Napi::Object& object);  // plan.cc, the one file here that speaks N-API

// Only the schedule's fields (rate, durationNs, stages, warmupNs, arrival, seed, maxRequests,
// closedLoop, shardIndex, shardCount), as scheduleFigures reads them; the same checks.
void schedule_from_js(const Napi::Object& object, RunPlan* plan);

}  // namespace ratetest
