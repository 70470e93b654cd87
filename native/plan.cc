// plan.cc: the second check of the run options (TypeScript checked them first, with the CLI's
// wording); this one guards the native code against any caller of the addon.
#include "plan.h"

#include "clock.h"
#include "limits.h"
#include "template_plan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace ratetest {
namespace {

double number_field(const Napi::Object& object, const char* name, double min, double max, bool integer) {
  const Napi::Value value = object.Get(name);
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(object.Env(), std::string("plan.") + name + " must be a number");
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || number < min || number > max || (integer && number != std::floor(number))) {
    throw Napi::RangeError::New(object.Env(), std::string("plan.") + name + " must be " + (integer ? "an integer" : "a number") +
                                                  " from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                                                  value.ToString().Utf8Value());
  }
  return number;
}

std::string string_field(const Napi::Object& object, const char* name) {
  const Napi::Value value = object.Get(name);
  if (!value.IsString()) throw Napi::TypeError::New(object.Env(), std::string("plan.") + name + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

bool set_unix_address(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value value = object.Get("unixPath");
  if (value.IsUndefined()) return false;
  const std::string path = string_field(object, "unixPath");
  auto* un = reinterpret_cast<sockaddr_un*>(&plan->address);
  if (path.empty() || path.size() >= sizeof un->sun_path) {
    throw Napi::RangeError::New(object.Env(), "plan.unixPath must be 1 to " + std::to_string(sizeof un->sun_path - 1) + " bytes");
  }
  std::memset(&plan->address, 0, sizeof plan->address);
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, path.data(), path.size());
  plan->address_length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

void set_tls(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value value = object.Get("tls");
  if (value.IsUndefined() || value.IsNull()) return;
  if (!value.IsObject()) throw Napi::TypeError::New(object.Env(), "plan.tls must be an object or null");
  const Napi::Object tls = value.As<Napi::Object>();
  plan->tls = true;
  plan->tls_options.server_name = string_field(tls, "serverName");
  const Napi::Value verify = tls.Get("verify");
  if (!verify.IsBoolean()) throw Napi::TypeError::New(object.Env(), "plan.tls.verify must be a boolean");
  plan->tls_options.verify = verify.As<Napi::Boolean>().Value();
  plan->tls_options.ca_file = string_field(tls, "caFile");
  plan->tls_options.cert_file = string_field(tls, "certFile");
  plan->tls_options.key_file = string_field(tls, "keyFile");
  if (plan->tls_options.cert_file.empty() != plan->tls_options.key_file.empty()) {
    throw Napi::TypeError::New(object.Env(), "plan.tls.certFile and plan.tls.keyFile go together");
  }
}

// object.address (numeric IPv4 or IPv6) and object.port into *address.
void set_inet_address(const Napi::Object& object, const char* what, sockaddr_storage* address, socklen_t* length) {
  const Napi::Value value = object.Get("address");
  if (!value.IsString()) throw Napi::TypeError::New(object.Env(), std::string(what) + ".address must be a string");
  const std::string text = value.As<Napi::String>().Utf8Value();
  const auto port = static_cast<uint16_t>(number_field(object, "port", 1, 65535, true));
  std::memset(address, 0, sizeof *address);
  auto* v4 = reinterpret_cast<sockaddr_in*>(address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(address);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *length = sizeof(sockaddr_in6);
  } else {
    throw Napi::TypeError::New(object.Env(), std::string(what) + ".address must be a numeric IPv4 or IPv6 address, got \"" + text + "\"");
  }
}

void set_address(const Napi::Object& object, RunPlan* plan) {
  if (set_unix_address(object, plan)) return;
  set_inet_address(object, "plan", &plan->address, &plan->address_length);
}

// plan.pumpAddresses: [{address, port}] one per thread, or absent.
void set_pump_addresses(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value value = object.Get("pumpAddresses");
  if (value.IsUndefined()) return;
  if (!value.IsArray() || value.As<Napi::Array>().Length() != plan->threads) {
    throw Napi::TypeError::New(object.Env(), "plan.pumpAddresses must be an array with one entry per thread");
  }
  const Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    if (!array.Get(i).IsObject()) throw Napi::TypeError::New(object.Env(), "plan.pumpAddresses entries must be objects");
    RunPlan::Address address;
    set_inet_address(array.Get(i).As<Napi::Object>(), "plan.pumpAddresses[]", &address.address, &address.length);
    plan->pump_addresses.push_back(address);
  }
}

// plan.script: {requestRingBytes, responseRingBytes, maxRequestBytes, captureLimit}, or absent.
void set_script(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value value = object.Get("script");
  if (value.IsUndefined()) return;
  if (!value.IsObject()) throw Napi::TypeError::New(object.Env(), "plan.script must be an object");
  const Napi::Object script = value.As<Napi::Object>();
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  plan->script.enabled = true;
  plan->script.request_ring_bytes = static_cast<size_t>(number_field(script, "requestRingBytes", 4096, kGiB, true));
  plan->script.response_ring_bytes = static_cast<size_t>(number_field(script, "responseRingBytes", 0, kGiB, true));
  plan->script.max_request_bytes = static_cast<size_t>(number_field(script, "maxRequestBytes", 1, kGiB, true));
  plan->script.capture_limit = static_cast<size_t>(number_field(script, "captureLimit", 0, kGiB, true));
  if (plan->script.request_ring_bytes % 8 != 0 || plan->script.response_ring_bytes % 8 != 0) {
    throw Napi::RangeError::New(object.Env(), "plan.script ring sizes must be multiples of 8");
  }
}

double optional_number(const Napi::Object& object, const char* name, double fallback, double min, double max, bool integer) {
  if (object.Get(name).IsUndefined()) return fallback;
  return number_field(object, name, min, max, integer);
}

// plan.stages: [{durationNs, fromRate, toRate}, ...]. A warm-up runs at the first stage's
// target and the first stage then starts from that rate, not from 0: this is the one place
// that rule lives (the Result's stages and every target come from here through scheduleFigures).
void set_shape(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value value = object.Get("stages");
  if (value.IsUndefined()) {
    plan->shape = RateShape(plan->rate);
    return;
  }
  if (!value.IsArray() || value.As<Napi::Array>().Length() == 0 || value.As<Napi::Array>().Length() > Limits::max_stages) {
    throw Napi::TypeError::New(object.Env(), "plan.stages must be an array of 1 to " + std::to_string(Limits::max_stages) + " stages");
  }
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<RateStage> stages;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    if (!array.Get(i).IsObject()) throw Napi::TypeError::New(object.Env(), "plan.stages entries must be objects");
    const Napi::Object stage = array.Get(i).As<Napi::Object>();
    RateStage s;
    s.duration_ns = static_cast<uint64_t>(number_field(stage, "durationNs", 1, Limits::max_duration_ns, true));
    s.from_rate = number_field(stage, "fromRate", 0, Limits::max_rate, false);
    s.to_rate = number_field(stage, "toRate", 0, Limits::max_rate, false);
    stages.push_back(s);
  }
  if (plan->warmup_ns > 0) {
    stages[0].from_rate = stages[0].to_rate;
    stages.insert(stages.begin(), RateStage{plan->warmup_ns, stages[0].to_rate, stages[0].to_rate});
  }
  plan->shape = RateShape(std::move(stages));
}

// plan.startAtUnixMs: a wall-clock instant, turned into the monotonic clock the pumps use. Read
// both clocks once, back to back: the conversion is off by the microseconds between the reads,
// and a later step of the wall clock (NTP) no longer moves the run.
void set_start_at(const Napi::Object& object, RunPlan* plan) {
  if (object.Get("startAtUnixMs").IsUndefined()) return;
  const double unix_ms = number_field(object, "startAtUnixMs", 0, 1e15, false);
  timespec wall{};
  clock_gettime(CLOCK_REALTIME, &wall);
  const uint64_t mono_now = monotonic_now_ns();
  const double wall_ns = static_cast<double>(wall.tv_sec) * 1e9 + static_cast<double>(wall.tv_nsec);
  const double ahead_ns = unix_ms * 1e6 - wall_ns;
  const double at = static_cast<double>(mono_now) + ahead_ns;
  plan->start_at_ns = at < 1 ? 1 : static_cast<uint64_t>(at);
}

// plan.ioEngine: "epoll" (the default) or "io_uring", which carries plain HTTP/1.1 on Linux only.
void set_io_engine(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value engine = object.Get("ioEngine");
  if (engine.IsUndefined()) return;
  const std::string text = engine.IsString() ? engine.As<Napi::String>().Utf8Value() : "";
  if (text != "epoll" && text != "io_uring") throw Napi::TypeError::New(object.Env(), "plan.ioEngine must be \"epoll\" or \"io_uring\"");
  plan->io_uring = text == "io_uring";
  if (!plan->io_uring) return;
#ifndef __linux__
  throw Napi::TypeError::New(object.Env(), "plan.ioEngine io_uring needs Linux");
#endif
  if (plan->tls || plan->http2) throw Napi::TypeError::New(object.Env(), "plan.ioEngine io_uring carries plain HTTP/1.1 only (no tls, no http2)");
}

}  // namespace

void schedule_from_js(const Napi::Object& object, RunPlan* plan) {
  plan->rate = number_field(object, "rate", 1e-6, Limits::max_rate, false);
  plan->duration_ns = static_cast<uint64_t>(number_field(object, "durationNs", 1, Limits::max_duration_ns, true));
  const Napi::Value arrival = object.Get("arrival");
  if (!arrival.IsUndefined()) {
    const std::string text = arrival.IsString() ? arrival.As<Napi::String>().Utf8Value() : "";
    if (text != "constant" && text != "poisson") throw Napi::TypeError::New(object.Env(), "plan.arrival must be \"constant\" or \"poisson\"");
    plan->poisson = text == "poisson";
  }
  plan->seed = static_cast<uint64_t>(optional_number(object, "seed", 0, 0, Limits::max_whole, true));
  plan->warmup_ns = static_cast<uint64_t>(optional_number(object, "warmupNs", 0, 0, Limits::max_duration_ns, true));
  plan->max_requests = static_cast<uint64_t>(optional_number(object, "maxRequests", 0, 0, Limits::max_whole, true));
  const Napi::Value closed = object.Get("closedLoop");
  if (!closed.IsUndefined() && !closed.IsBoolean()) throw Napi::TypeError::New(object.Env(), "plan.closedLoop must be a boolean");
  plan->closed_loop = closed.IsBoolean() && closed.As<Napi::Boolean>().Value();
  plan->shard_count = static_cast<uint32_t>(optional_number(object, "shardCount", 1, 1, Limits::max_shards, true));
  plan->shard_index = static_cast<uint32_t>(optional_number(object, "shardIndex", 0, 0, plan->shard_count - 1, true));
  set_shape(object, plan);
}

RunPlan plan_from_js(const Napi::Object& object) {
  RunPlan plan;
  plan.threads = static_cast<uint32_t>(number_field(object, "threads", 1, Limits::max_threads, true));
  plan.connections = static_cast<uint32_t>(number_field(object, "connections", 1, Limits::max_connections, true));
  if (plan.connections < plan.threads) {
    throw Napi::RangeError::New(object.Env(), "plan.connections must be >= plan.threads");
  }
  plan.timeout_ns = static_cast<uint64_t>(number_field(object, "timeoutNs", 1, Limits::max_duration_ns, true));
  plan.connect_timeout_ns = static_cast<uint64_t>(number_field(object, "connectTimeoutNs", 1, Limits::max_duration_ns, true));
  plan.pipeline = static_cast<uint32_t>(number_field(object, "pipeline", 1, Limits::max_pipeline, true));
  plan.drain_ns = static_cast<uint64_t>(number_field(object, "drainNs", 0, Limits::max_duration_ns, true));
  plan.batch_ns = static_cast<uint64_t>(number_field(object, "batchNs", 0, static_cast<double>(Limits::max_batch_ns), true));
  plan.interval_ns = static_cast<uint64_t>(optional_number(object, "intervalNs", static_cast<double>(plan.interval_ns),
                                                           static_cast<double>(Limits::min_interval_ns), Limits::max_duration_ns, true));
  set_address(object, &plan);
  set_tls(object, &plan);
  const Napi::Value request = object.Get("request");
  if (!request.IsBuffer() || request.As<Napi::Buffer<char>>().Length() == 0) {
    throw Napi::TypeError::New(object.Env(), "plan.request must be a non-empty Buffer");
  }
  const auto bytes = request.As<Napi::Buffer<char>>();
  plan.request.assign(bytes.Data(), bytes.Length());
  const Napi::Value head = object.Get("headRequest");
  if (!head.IsBoolean()) throw Napi::TypeError::New(object.Env(), "plan.headRequest must be a boolean");
  plan.head_request = head.As<Napi::Boolean>().Value();
  const Napi::Value templates = object.Get("templates");
  if (!templates.IsUndefined()) {
    if (!templates.IsObject()) throw Napi::TypeError::New(object.Env(), "plan.templates must be an object");
    plan.templates = template_program_from_js(templates.As<Napi::Object>());
  }
  schedule_from_js(object, &plan);
  plan.max_connections = static_cast<uint32_t>(optional_number(object, "maxConnections", plan.connections, plan.connections, Limits::max_connections, true));
  set_start_at(object, &plan);
  set_script(object, &plan);
  set_pump_addresses(object, &plan);
  const Napi::Value http2 = object.Get("http2");
  if (!http2.IsUndefined()) {
    if (!http2.IsObject()) throw Napi::TypeError::New(object.Env(), "plan.http2 must be an object");
    plan.http2 = true;
    plan.authority = string_field(http2.As<Napi::Object>(), "authority");
    plan.nghttp2_version = string_field(http2.As<Napi::Object>(), "nghttp2Version");
    plan.tls_options.alpn_h2 = true;
  }
  const Napi::Value grpc = object.Get("grpc");
  if (!grpc.IsUndefined() && !grpc.IsBoolean()) throw Napi::TypeError::New(object.Env(), "plan.grpc must be a boolean");
  plan.grpc = grpc.IsBoolean() && grpc.As<Napi::Boolean>().Value();
  if (plan.grpc && !plan.http2) throw Napi::TypeError::New(object.Env(), "plan.grpc needs plan.http2");
  set_io_engine(object, &plan);
  return plan;
}

}  // namespace ratetest
