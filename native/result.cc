// result.cc: sums per-pump counters and histograms. Runs on the JS thread, a few times a second
// at most, so it may allocate.
#include "result.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "clock.h"

namespace ratetest {
namespace {

constexpr const char* kErrorNames[kErrorKinds] = {"connect", "read", "write", "timeout", "parse"};

template <typename Field>
double sum(const Run& run, Field field) {
  uint64_t total = 0;
  for (const auto& pump : run.pumps()) total += field(pump->recorder());
  return static_cast<double>(total);
}

Napi::Float64Array to_array(Napi::Env env, const std::vector<double>& values) {
  auto array = Napi::Float64Array::New(env, values.size());
  std::copy(values.begin(), values.end(), array.Data());
  return array;
}

Napi::Float64Array histogram_pairs(Napi::Env env, const Run& run, const Histogram Recorder::*member) {
  std::vector<const Histogram*> parts;
  for (const auto& pump : run.pumps()) parts.push_back(&(pump->recorder().*member));
  std::vector<double> pairs;
  merge_into_pairs(parts, &pairs);
  return to_array(env, pairs);
}

// Non-zero status counts as interleaved [code, count, ...], summed over `parts`.
Napi::Float64Array status_pairs(Napi::Env env, const std::vector<const Counter*>& parts) {
  std::vector<double> status;
  for (int code = 0; code < kStatusCodes; ++code) {
    uint64_t count = 0;
    for (const Counter* part : parts) count += part[code].get();
    if (count == 0) continue;
    status.push_back(code);
    status.push_back(static_cast<double>(count));
  }
  return to_array(env, status);
}

// Per request name, summed over pumps: [{sent, completed, errors, status, corrected}, ...].
Napi::Array by_name(Napi::Env env, const Run& run) {
  const size_t names = run.pumps().empty() ? 0 : run.pumps()[0]->recorder().names.size();
  Napi::Array out = Napi::Array::New(env, names);
  for (size_t n = 0; n < names; ++n) {
    uint64_t sent = 0, completed = 0, errors = 0;
    std::vector<const Histogram*> histograms;
    std::vector<const Counter*> status;
    for (const auto& pump : run.pumps()) {
      const NameRecorder& r = *pump->recorder().names[n];
      sent += r.sent.get();
      completed += r.completed.get();
      errors += r.errors.get();
      histograms.push_back(&r.corrected);
      status.push_back(r.status);
    }
    std::vector<double> pairs;
    merge_into_pairs(histograms, &pairs);
    Napi::Object name = Napi::Object::New(env);
    name.Set("sent", static_cast<double>(sent));
    name.Set("completed", static_cast<double>(completed));
    name.Set("errors", static_cast<double>(errors));
    name.Set("status", status_pairs(env, status));
    name.Set("corrected", to_array(env, pairs));
    out.Set(static_cast<uint32_t>(n), name);
  }
  return out;
}

Napi::Object error_counts(Napi::Env env, const Run& run, const Counter (Recorder::*member)[kErrorKinds], bool first) {
  Napi::Object object = Napi::Object::New(env);
  for (int k = 0; k < kErrorKinds; ++k) {
    uint64_t value = 0;
    for (const auto& pump : run.pumps()) {
      const uint64_t v = (pump->recorder().*member)[k].get();
      if (first) {
        if (value == 0) value = v;
      } else {
        value += v;
      }
    }
    object.Set(kErrorNames[k], static_cast<double>(value));
  }
  return object;
}

// https only: handshakes, resumptions, failures by kind and the first failure's text.
Napi::Object tls_to_js(Napi::Env env, const Run& run) {
  Napi::Object tls = Napi::Object::New(env);
  tls.Set("handshakes", sum(run, [](const Recorder& r) { return r.tls_handshakes.get(); }));
  tls.Set("resumed", sum(run, [](const Recorder& r) { return r.tls_resumed.get(); }));
  Napi::Object errors = Napi::Object::New(env);
  errors.Set("handshake", sum(run, [](const Recorder& r) { return r.tls_errors[static_cast<int>(TlsFailure::handshake)].get(); }));
  errors.Set("verify", sum(run, [](const Recorder& r) { return r.tls_errors[static_cast<int>(TlsFailure::verify)].get(); }));
  tls.Set("errors", errors);
  std::string first;
  for (const auto& pump : run.pumps()) {
    if (pump->recorder().tls_first_error.has()) {
      first = pump->recorder().tls_first_error.text();
      break;
    }
  }
  tls.Set("firstError", first);
  tls.Set("handshakeNs", histogram_pairs(env, run, &Recorder::handshake));
  return tls;
}

// --http2 only: GOAWAYs, resets by code, stalls, protocol errors, the server's stream cap, the
// pool's allocation counts and the streams in flight per connection (sampled at each send).
Napi::Object http2_to_js(Napi::Env env, const Run& run) {
  Napi::Object h2 = Napi::Object::New(env);
  h2.Set("goaways", sum(run, [](const Recorder& r) { return r.h2.goaways.get(); }));
  h2.Set("resent", sum(run, [](const Recorder& r) { return r.h2.resent.get(); }));
  h2.Set("stalls", sum(run, [](const Recorder& r) { return r.h2.stalls.get(); }));
  h2.Set("protocolErrors", sum(run, [](const Recorder& r) { return r.h2.protocol_errors.get(); }));
  uint64_t capped = 0;
  for (const auto& pump : run.pumps()) {
    const uint64_t c = pump->recorder().h2.capped_to.get();
    if (c != 0 && (capped == 0 || c < capped)) capped = c;
  }
  h2.Set("cappedTo", static_cast<double>(capped));
  std::vector<double> resets;
  for (int code = 0; code < kH2ErrorCodes; ++code) {
    resets.push_back(sum(run, [code](const Recorder& r) { return r.h2.resets[code].get(); }));
  }
  h2.Set("resets", to_array(env, resets));
  h2.Set("allocatorCalls", sum(run, [](const Recorder& r) { return r.h2.allocator_calls.get(); }));
  h2.Set("systemAllocations", sum(run, [](const Recorder& r) { return r.h2.system_allocations.get(); }));
  std::vector<const Histogram*> parts;
  for (const auto& pump : run.pumps()) parts.push_back(&pump->recorder().h2.streams_in_flight);
  std::vector<double> pairs;
  merge_into_pairs(parts, &pairs);
  h2.Set("streamsInFlight", to_array(env, pairs));
  return h2;
}

// gRPC runs only: calls by status code (0 .. 16, then codes above), the calls without a status
// (HTTP-level errors), the malformed ones, and the first non-OK grpc-message with its code.
Napi::Object grpc_to_js(Napi::Env env, const Run& run) {
  Napi::Object grpc = Napi::Object::New(env);
  std::vector<double> status;
  for (int code = 0; code < kGrpcStatusSlots; ++code) {
    status.push_back(sum(run, [code](const Recorder& r) { return r.grpc.status[code].get(); }));
  }
  grpc.Set("status", to_array(env, status));
  grpc.Set("httpErrors", sum(run, [](const Recorder& r) { return r.grpc.http_errors.get(); }));
  grpc.Set("malformed", sum(run, [](const Recorder& r) { return r.grpc.malformed.get(); }));
  for (const auto& pump : run.pumps()) {
    const GrpcCounters& counters = pump->recorder().grpc;
    if (!counters.first_error.has()) continue;
    grpc.Set("firstErrorCode", static_cast<double>(counters.first_error_code.get() - 1));
    grpc.Set("firstErrorMessage", std::string(counters.first_error.text()));
    break;
  }
  return grpc;
}

// Each pump thread's CPU time and run delay so far, read from the kernel (not from the pump), for
// a live self-check: [cpuNs, runDelayNs] per thread, or an empty array where the kernel does not
// say. Two small reads per thread per snapshot, a few times a second at most.
void set_thread_cpu(Napi::Env env, const Run& run, Napi::Object* out) {
  std::vector<double> pairs;
  char path[64];
  for (const auto& pump : run.pumps()) {
    const uint64_t tid = pump->recorder().kernel_tid.get();
    uint64_t cpu = 0, delay = 0;
    snprintf(path, sizeof path, "/proc/self/task/%llu/schedstat", static_cast<unsigned long long>(tid));
    if (tid == 0 || !read_schedstat(path, &cpu, &delay)) {
      pairs.clear();
      break;
    }
    pairs.push_back(static_cast<double>(cpu));
    pairs.push_back(static_cast<double>(delay));
  }
  out->Set("threadCpu", to_array(env, pairs));
}

Napi::Object interval_to_js(Napi::Env env, uint32_t pump, const IntervalData& data) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("pump", pump);
  out.Set("first", static_cast<double>(data.head.first));
  out.Set("last", static_cast<double>(data.head.last));
  out.Set("endNs", static_cast<double>(data.head.end_ns));
  out.Set("due", static_cast<double>(data.head.due));
  out.Set("sent", static_cast<double>(data.head.sent));
  out.Set("completed", static_cast<double>(data.head.completed));
  out.Set("errors", static_cast<double>(data.head.errors));
  out.Set("status", to_array(env, data.status));
  out.Set("corrected", to_array(env, data.corrected));
  out.Set("uncorrected", to_array(env, data.uncorrected));
  return out;
}

}  // namespace

Napi::Array intervals_to_js(Napi::Env env, Run& run, bool finished) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (uint32_t i = 0; i < run.pumps().size(); ++i) {
    IntervalRecorder& intervals = run.pumps()[i]->intervals();
    intervals.drain([&](IntervalData&& data) { out.Set(n++, interval_to_js(env, i, data)); });
    IntervalData leftover;
    if (finished && intervals.leftover(&leftover)) out.Set(n++, interval_to_js(env, i, leftover));
  }
  return out;
}

Napi::Object snapshot_to_js(Napi::Env env, const Run& run) {
  Napi::Object out = Napi::Object::New(env);
  const uint64_t start = run.pumps().empty() ? 0 : run.pumps()[0]->start_ns();
  const uint64_t now = monotonic_now_ns();
  out.Set("elapsedNs", static_cast<double>(start != 0 && now > start ? now - start : 0));
  out.Set("sent", sum(run, [](const Recorder& r) { return r.sent.get(); }));
  out.Set("completed", sum(run, [](const Recorder& r) { return r.completed.get(); }));
  out.Set("bytesRead", sum(run, [](const Recorder& r) { return r.bytes_read.get(); }));
  out.Set("bytesWritten", sum(run, [](const Recorder& r) { return r.bytes_written.get(); }));
  out.Set("inFlight", sum(run, [](const Recorder& r) { return r.in_flight.get(); }));
  out.Set("connectionsOpen", sum(run, [](const Recorder& r) { return r.connections_open.get(); }));
  out.Set("queued", sum(run, [](const Recorder& r) { return r.queued.get(); }));
  out.Set("errors", error_counts(env, run, &Recorder::errors, false));
  out.Set("firstErrno", error_counts(env, run, &Recorder::first_errno, true));
  std::vector<const Counter*> status;
  for (const auto& pump : run.pumps()) status.push_back(pump->recorder().status);
  out.Set("status", status_pairs(env, status));
  out.Set("corrected", histogram_pairs(env, run, &Recorder::corrected));
  out.Set("uncorrected", histogram_pairs(env, run, &Recorder::uncorrected));
  out.Set("sendLag", histogram_pairs(env, run, &Recorder::send_lag));
  if (run.plan().tls) out.Set("tls", tls_to_js(env, run));
  if (run.plan().http2) out.Set("http2", http2_to_js(env, run));
  if (run.plan().grpc) out.Set("grpc", grpc_to_js(env, run));
  // The schedule's target so far (measured part), for target-vs-achieved per-second series.
  out.Set("due", sum(run, [](const Recorder& r) { return r.due.get(); }));
  out.Set("connectionsOpened", sum(run, [](const Recorder& r) { return r.connections_opened.get(); }));
  set_thread_cpu(env, run, &out);
  return out;
}

Napi::Object result_to_js(Napi::Env env, const Run& run) {
  Napi::Object out = snapshot_to_js(env, run);
  const uint64_t start = run.pumps().empty() ? 0 : run.pumps()[0]->start_ns();
  uint64_t end = 0;
  for (const auto& pump : run.pumps()) end = std::max(end, pump->end_ns());
  const uint64_t measured_start = start + run.plan().warmup_ns;
  const uint64_t duration = end > measured_start ? end - measured_start : 0;
  out.Set("durationNs", static_cast<double>(duration));
  if (run.plan().start_at_ns != 0) out.Set("lateNs", static_cast<double>(run.pumps().empty() ? 0 : run.pumps()[0]->late_ns()));
  const uint64_t seconds = std::max<uint64_t>(1, (duration + 999999999ull) / 1000000000ull);
  out.Set("scheduled", sum(run, [](const Recorder& r) { return r.scheduled.get(); }));
  out.Set("notSent", sum(run, [](const Recorder& r) { return r.not_sent.get(); }));
  bool stopped = false;
  for (const auto& pump : run.pumps()) stopped = stopped || pump->stopped_early();
  out.Set("stopped", stopped);
  Napi::Array threads = Napi::Array::New(env, run.pumps().size());
  for (size_t i = 0; i < run.pumps().size(); ++i) {
    const Recorder& r = run.pumps()[i]->recorder();
    Napi::Object thread = Napi::Object::New(env);
    thread.Set("completed", static_cast<double>(r.completed.get()));
    thread.Set("cpuNs", static_cast<double>(r.cpu_ns.get()));
    thread.Set("runDelayNs", static_cast<double>(r.run_delay_ns.get()));
    std::vector<double> per_second;
    for (uint64_t s = 0; s < seconds && s < r.seconds; ++s) per_second.push_back(static_cast<double>(r.per_second[s].get()));
    thread.Set("perSecond", to_array(env, per_second));
    threads.Set(static_cast<uint32_t>(i), thread);
  }
  out.Set("threads", threads);
  out.Set("byName", by_name(env, run));
  std::vector<double> opened(seconds, 0);
  for (const auto& pump : run.pumps()) {
    const Recorder& r = pump->recorder();
    for (uint64_t s = 0; s < seconds && s < r.seconds; ++s) opened[s] += static_cast<double>(r.opened_per_second[s].get());
  }
  out.Set("openedPerSecond", to_array(env, opened));
  if (run.plan().warmup_ns > 0) {
    Napi::Object warmup = Napi::Object::New(env);
    auto field = [&run](const Counter Recorder::*member) {
      uint64_t total = 0;
      for (const auto& pump : run.pumps()) total += (pump->warmup_recorder().*member).get();
      return static_cast<double>(total);
    };
    warmup.Set("durationNs", static_cast<double>(run.plan().warmup_ns));
    warmup.Set("scheduled", field(&Recorder::scheduled));
    warmup.Set("sent", field(&Recorder::sent));
    warmup.Set("completed", field(&Recorder::completed));
    warmup.Set("queued", field(&Recorder::queued));
    out.Set("warmup", warmup);
  }
  return out;
}

}  // namespace ratetest
