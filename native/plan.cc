// plan.cc: the second check of the run options (TypeScript checked them first, with the CLI's
// wording); this one guards the native code against any caller of the addon.
#include "plan.h"

#include "template_plan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cmath>
#include <cstddef>
#include <cstring>
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

// plan.stages: [{durationNs, fromRate, toRate}, ...]; the warm-up runs at the first stage's target.
void set_shape(const Napi::Object& object, RunPlan* plan) {
  const Napi::Value value = object.Get("stages");
  if (value.IsUndefined()) {
    plan->shape = RateShape(plan->rate);
    return;
  }
  if (!value.IsArray() || value.As<Napi::Array>().Length() == 0 || value.As<Napi::Array>().Length() > 10000) {
    throw Napi::TypeError::New(object.Env(), "plan.stages must be an array of 1 to 10000 stages");
  }
  constexpr double kYearNs = 365.0 * 24 * 3600 * 1e9;
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<RateStage> stages;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    if (!array.Get(i).IsObject()) throw Napi::TypeError::New(object.Env(), "plan.stages entries must be objects");
    const Napi::Object stage = array.Get(i).As<Napi::Object>();
    RateStage s;
    s.duration_ns = static_cast<uint64_t>(number_field(stage, "durationNs", 1, kYearNs, true));
    s.from_rate = number_field(stage, "fromRate", 0, 1e9, false);
    s.to_rate = number_field(stage, "toRate", 0, 1e9, false);
    stages.push_back(s);
  }
  if (plan->warmup_ns > 0) stages.insert(stages.begin(), RateStage{plan->warmup_ns, stages[0].to_rate, stages[0].to_rate});
  plan->shape = RateShape(std::move(stages));
}

}  // namespace

RunPlan plan_from_js(const Napi::Object& object) {
  RunPlan plan;
  plan.threads = static_cast<uint32_t>(number_field(object, "threads", 1, 1024, true));
  plan.connections = static_cast<uint32_t>(number_field(object, "connections", 1, 1000000, true));
  if (plan.connections < plan.threads) {
    throw Napi::RangeError::New(object.Env(), "plan.connections must be >= plan.threads");
  }
  plan.rate = number_field(object, "rate", 1e-6, 1e9, false);
  // Durations up to 1 year: far beyond any run, and still exact in a double.
  constexpr double kYearNs = 365.0 * 24 * 3600 * 1e9;
  plan.duration_ns = static_cast<uint64_t>(number_field(object, "durationNs", 1, kYearNs, true));
  plan.timeout_ns = static_cast<uint64_t>(number_field(object, "timeoutNs", 1, kYearNs, true));
  plan.connect_timeout_ns = static_cast<uint64_t>(number_field(object, "connectTimeoutNs", 1, kYearNs, true));
  plan.pipeline = static_cast<uint32_t>(number_field(object, "pipeline", 1, 1024, true));
  plan.drain_ns = static_cast<uint64_t>(number_field(object, "drainNs", 0, kYearNs, true));
  plan.batch_ns = static_cast<uint64_t>(number_field(object, "batchNs", 0, 1e9, true));
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
  const Napi::Value arrival = object.Get("arrival");
  if (!arrival.IsUndefined()) {
    const std::string text = arrival.IsString() ? arrival.As<Napi::String>().Utf8Value() : "";
    if (text != "constant" && text != "poisson") throw Napi::TypeError::New(object.Env(), "plan.arrival must be \"constant\" or \"poisson\"");
    plan.poisson = text == "poisson";
  }
  plan.seed = static_cast<uint64_t>(optional_number(object, "seed", 0, 0, 9007199254740991.0, true));
  plan.warmup_ns = static_cast<uint64_t>(optional_number(object, "warmupNs", 0, 0, kYearNs, true));
  plan.max_requests = static_cast<uint64_t>(optional_number(object, "maxRequests", 0, 0, 9007199254740991.0, true));
  const Napi::Value closed = object.Get("closedLoop");
  if (!closed.IsUndefined() && !closed.IsBoolean()) throw Napi::TypeError::New(object.Env(), "plan.closedLoop must be a boolean");
  plan.closed_loop = closed.IsBoolean() && closed.As<Napi::Boolean>().Value();
  plan.max_connections = static_cast<uint32_t>(optional_number(object, "maxConnections", plan.connections, plan.connections, 1000000, true));
  set_shape(object, &plan);
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
  return plan;
}

}  // namespace ratetest
