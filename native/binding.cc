// binding.cc: module init and the exports. start() hands the plan to pump threads and returns
// {snapshot, stop, done}; completion settles `done` through a thread-safe function, so no pump
// thread ever touches JS.
#include <napi.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "plan.h"
#include "response.h"
#include "result.h"
#include "run.h"
#include "schedule.h"
#include "byte_ring.h"
#include "h2_session.h"
#include "template_plan.h"
#include "template_source.h"
#include "tls.h"

namespace ratetest {
namespace {

// Everything a started run keeps alive; shared by the JS functions that reach it and by the
// completion callback.
struct RunState {
  std::unique_ptr<Run> run;
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction on_done;
  explicit RunState(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

ScriptChannels& channels_of(const Napi::CallbackInfo& call, const RunState& state) {
  if (call.Length() < 1 || !call[0].IsNumber()) throw Napi::TypeError::New(call.Env(), "the first argument is a thread index");
  ScriptChannels* channels = state.run->script(call[0].As<Napi::Number>().Uint32Value());
  if (channels == nullptr) throw Napi::RangeError::New(call.Env(), "no such thread");
  return *channels;
}

// A script run's side of the rings (script_channels.h), all called on the JavaScript thread:
//   feed(thread, bytes, lengths) -> how many of the requests fitted (in order)
//   queued(thread)               -> requests waiting in the ring
//   largestRequest(thread)       -> the largest request the ring takes
//   takeResponses(thread)        -> Buffer of [u32 size][u32 status][raw response] records, or null
//   stopThread(thread)           -> wrk.thread:stop()
//   scriptCounts()               -> {responsesDropped, responsesTruncated, starved}
void add_script_channels(Napi::Env env, Napi::Object handle, const std::shared_ptr<RunState>& state) {
  handle.Set("feed", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               ScriptChannels& channels = channels_of(call, *state);
               if (call.Length() != 3 || !call[1].IsBuffer() || !call[2].IsTypedArray()) {
                 throw Napi::TypeError::New(call.Env(), "feed(thread, bytes: Buffer, lengths: Uint32Array)");
               }
               const auto bytes = call[1].As<Napi::Buffer<char>>();
               const auto lengths = call[2].As<Napi::Uint32Array>();
               size_t offset = 0;
               uint32_t accepted = 0;
               for (; accepted < lengths.ElementLength(); ++accepted) {
                 const size_t length = lengths[accepted];
                 if (offset + length > bytes.Length()) throw Napi::RangeError::New(call.Env(), "lengths run past the bytes");
                 if (!channels.requests.push(bytes.Data() + offset, length, nullptr, 0)) break;
                 offset += length;
               }
               return Napi::Number::New(call.Env(), accepted);
             }));
  handle.Set("queued", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               return Napi::Number::New(call.Env(), static_cast<double>(channels_of(call, *state).requests.records_queued()));
             }));
  handle.Set("largestRequest", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               return Napi::Number::New(call.Env(), static_cast<double>(channels_of(call, *state).requests.max_payload()));
             }));
  handle.Set("takeResponses", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               ScriptChannels& channels = channels_of(call, *state);
               if (!channels.responses) return call.Env().Null();
               std::vector<char> out;
               size_t size = 0;
               for (const char* record = channels.responses->peek(&size); record != nullptr; record = channels.responses->peek(&size)) {
                 const auto length = static_cast<uint32_t>(size);
                 const char* at = reinterpret_cast<const char*>(&length);
                 out.insert(out.end(), at, at + sizeof length);
                 out.insert(out.end(), record, record + size);
                 channels.responses->pop();
               }
               if (out.empty()) return call.Env().Null();
               return Napi::Buffer<char>::Copy(call.Env(), out.data(), out.size());
             }));
  handle.Set("stopThread", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               channels_of(call, *state);
               state->run->stop_pump(call[0].As<Napi::Number>().Uint32Value());
               return call.Env().Undefined();
             }));
  handle.Set("scriptCounts", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               double dropped = 0;
               double truncated = 0;
               double starved = 0;
               for (uint32_t i = 0; i < state->run->plan().threads; ++i) {
                 starved += static_cast<double>(state->run->script(i)->starved.load());
                 dropped += static_cast<double>(state->run->script(i)->responses_dropped.load());
                 truncated += static_cast<double>(state->run->script(i)->responses_truncated.load());
               }
               Napi::Object out = Napi::Object::New(call.Env());
               out.Set("responsesDropped", dropped);
               out.Set("responsesTruncated", truncated);
               out.Set("starved", starved);
               return out;
             }));
}

Napi::Value start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "start(plan) takes one plan object");
  RunPlan plan = plan_from_js(info[0].As<Napi::Object>());
  if (plan.http2 && !h2_version_ok(plan.nghttp2_version)) {
    Napi::Error version_error = Napi::Error::New(
        env, "--http2 needs nghttp2 " NGHTTP2_VERSION " or later inside Node; this Node has " + plan.nghttp2_version);
    version_error.Set("code", "ERR_HTTP2_VERSION");
    throw version_error;
  }

  auto state = std::make_shared<RunState>(env);
  std::string error;
  std::unique_ptr<TlsContext> tls;
  if (plan.tls) {
    // A --ca, --cert or --key file OpenSSL will not take is bad input, not an addon failure.
    tls = TlsContext::create(plan.tls_options, &error);
    if (!tls) {
      Napi::Error tls_error = Napi::Error::New(env, error);
      tls_error.Set("code", "ERR_TLS_CONFIG");
      throw tls_error;
    }
  }
  state->run = Run::create(std::move(plan), std::move(tls), &error);
  if (!state->run) throw Napi::Error::New(env, error);

  auto noop = Napi::Function::New(env, [](const Napi::CallbackInfo&) {});
  state->on_done = Napi::ThreadSafeFunction::New(env, noop, "ratetest-run", 0, 1);

  Napi::Object handle = Napi::Object::New(env);
  handle.Set("snapshot", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               return snapshot_to_js(call.Env(), *state->run);
             }));
  handle.Set("stop", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               state->run->stop();
               return call.Env().Undefined();
             }));
  handle.Set("done", state->deferred.Promise());
  if (state->run->plan().script.enabled) add_script_channels(env, handle, state);

  state->run->start([state] {
    state->on_done.BlockingCall([state](Napi::Env js_env, Napi::Function) {
      state->run->join();
      state->deferred.Resolve(result_to_js(js_env, *state->run));
      state->on_done.Release();
    });
  });
  return handle;
}

// Test-only: runs the response parser over chunks the way a connection would see them.
Napi::Value parse_responses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsArray() || !info[1].IsBoolean() || !info[2].IsBoolean()) {
    throw Napi::TypeError::New(env, "parseResponses(chunks: Buffer[], headRequest: boolean, eof: boolean)");
  }
  const Napi::Array chunks = info[0].As<Napi::Array>();
  const bool head = info[1].As<Napi::Boolean>().Value();
  ResponseParser parser;
  parser.reset(head);
  Napi::Array events = Napi::Array::New(env);
  auto push = [&](const char* kind) {
    Napi::Object event = Napi::Object::New(env);
    event.Set("kind", kind);
    event.Set("status", parser.status());
    event.Set("bodyBytes", static_cast<double>(parser.body_bytes()));
    event.Set("close", !parser.keep_alive());
    event.Set("message", parser.error() ? parser.error() : "");
    events.Set(events.Length(), event);
  };
  bool failed = false;
  bool mid_response = false;
  for (uint32_t c = 0; c < chunks.Length() && !failed; ++c) {
    const Napi::Value chunk = chunks.Get(c);
    if (!chunk.IsBuffer()) throw Napi::TypeError::New(env, "chunks must be Buffers");
    const auto bytes = chunk.As<Napi::Buffer<char>>();
    const char* data = bytes.Data();
    size_t left = bytes.Length();
    while (left > 0) {
      size_t consumed = 0;
      const ParseStatus status = parser.feed(data, left, &consumed);
      data += consumed;
      left -= consumed;
      mid_response = true;
      if (status == ParseStatus::error) {
        push("error");
        failed = true;
        break;
      }
      if (status == ParseStatus::need_more) break;
      push("response");
      mid_response = false;
      parser.reset(head);
    }
  }
  if (!failed && info[2].As<Napi::Boolean>().Value() && mid_response) {
    const ParseStatus status = parser.on_eof();
    push(status == ParseStatus::complete ? "response" : "error");
  } else if (!failed && mid_response) {
    push("need-more");
  }
  return events;
}

// Test-only: the pure schedule on a fake start time. Returns each request's intended time and
// how many are due at that time and 1 ns before it. The optional fifth argument shapes it:
// {stages: [{durationNs, fromRate, toRate}], poisson: boolean, seed: number, queryNs: number[]}
// (dueAtQuery answers due_count at each of queryNs, after the walk over the requests).
Napi::Value schedule_for_test(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 && info.Length() != 5) throw Napi::TypeError::New(env, "scheduleForTest(rate, pumps, pumpIndex, count, shape?)");
  const double rate = info[0].As<Napi::Number>().DoubleValue();
  const auto pumps = info[1].As<Napi::Number>().Uint32Value();
  const auto index = info[2].As<Napi::Number>().Uint32Value();
  const auto count = info[3].As<Napi::Number>().Uint32Value();
  if (!(rate > 0) || pumps == 0 || index >= pumps) throw Napi::RangeError::New(env, "bad schedule arguments");
  RateShape shape(rate);
  bool poisson = false;
  uint64_t seed = 0;
  std::vector<double> queries;
  if (info.Length() == 5 && info[4].IsObject()) {
    const Napi::Object options = info[4].As<Napi::Object>();
    if (options.Get("stages").IsArray()) {
      const Napi::Array array = options.Get("stages").As<Napi::Array>();
      std::vector<RateStage> stages;
      for (uint32_t i = 0; i < array.Length(); ++i) {
        const Napi::Object stage = array.Get(i).As<Napi::Object>();
        stages.push_back(RateStage{static_cast<uint64_t>(stage.Get("durationNs").As<Napi::Number>().Int64Value()),
                                   stage.Get("fromRate").As<Napi::Number>().DoubleValue(),
                                   stage.Get("toRate").As<Napi::Number>().DoubleValue()});
      }
      shape = RateShape(std::move(stages));
    }
    poisson = options.Get("poisson").ToBoolean().Value();
    if (options.Get("seed").IsNumber()) seed = static_cast<uint64_t>(options.Get("seed").As<Napi::Number>().Int64Value());
    if (options.Get("queryNs").IsArray()) {
      const Napi::Array array = options.Get("queryNs").As<Napi::Array>();
      for (uint32_t i = 0; i < array.Length(); ++i) queries.push_back(array.Get(i).As<Napi::Number>().DoubleValue());
    }
  }
  Schedule schedule(&shape, pumps, index, poisson, seed);
  constexpr uint64_t kFakeStartNs = 1000000000000ull;
  schedule.start(kFakeStartNs);
  auto intended = Napi::Float64Array::New(env, count);
  auto due_at = Napi::Float64Array::New(env, count);
  auto due_before = Napi::Float64Array::New(env, count);
  for (uint32_t n = 0; n < count; ++n) {
    const uint64_t t = schedule.intended_ns(n);
    if (t == RateShape::kNever) {
      intended[n] = -1;
      due_at[n] = due_before[n] = -1;
      continue;
    }
    intended[n] = static_cast<double>(t - kFakeStartNs);
    due_before[n] = static_cast<double>(schedule.due_count(t - 1));
    due_at[n] = static_cast<double>(schedule.due_count(t));
  }
  auto due_query = Napi::Float64Array::New(env, queries.size());
  for (size_t q = 0; q < queries.size(); ++q) {
    due_query[q] = static_cast<double>(schedule.due_count(kFakeStartNs + static_cast<uint64_t>(queries[q])));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("intendedNs", intended);
  out.Set("dueAt", due_at);
  out.Set("dueBefore", due_before);
  out.Set("dueAtQuery", due_query);
  return out;
}

// Test- and bench-only: expands compiled templates (plan.templates) for global request numbers
// first .. first+count-1 as pump 0 would, without sockets. Returns the first `keep` of them and
// their name indexes; then times `count` more expansions (from first + keep) on their own.
Napi::Value expand_templates_for_test(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsObject() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber()) {
    throw Napi::TypeError::New(env, "expandTemplatesForTest(templates, first, count, keep)");
  }
  TemplateSource source(template_program_from_js(info[0].As<Napi::Object>()), 0);
  const auto first = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  const auto count = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
  const auto keep = static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value());
  RequestBytes bytes;
  bytes.buffer.resize(source.max_bytes_hint());
  Napi::Array requests = Napi::Array::New(env);
  Napi::Array names = Napi::Array::New(env);
  for (uint64_t i = 0; i < keep; ++i) {
    const int name = source.next(first + i, monotonic_now_ns(), &bytes);
    requests.Set(static_cast<uint32_t>(i), Napi::Buffer<char>::Copy(env, bytes.data, bytes.size));
    names.Set(static_cast<uint32_t>(i), name);
  }
  const uint64_t start = monotonic_now_ns();
  size_t total_bytes = 0;  // used after the loop, so the expansions cannot be optimised away
  for (uint64_t i = 0; i < count; ++i) {
    source.next(first + keep + i, start, &bytes);
    total_bytes += bytes.size;
  }
  const uint64_t elapsed_ns = monotonic_now_ns() - start;
  Napi::Object out = Napi::Object::New(env);
  out.Set("requests", requests);
  out.Set("names", names);
  out.Set("nsPerRequest", count > 0 ? static_cast<double>(elapsed_ns) / static_cast<double>(count) : 0.0);
  out.Set("bytesPerRequest", count > 0 ? static_cast<double>(total_bytes) / static_cast<double>(count) : 0.0);
  return out;
}

// Test-only: pushes `records` through a ByteRing of `capacity` bytes, popping one record each
// time a push is refused (so the ring wraps and skips as it does under load), and returns the
// records in the order they came out, plus how many pushes were refused along the way.
Napi::Value byte_ring_for_test(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsArray()) throw Napi::TypeError::New(env, "byteRingForTest(capacity, records: Buffer[])");
  ByteRing ring(info[0].As<Napi::Number>().Uint32Value());
  const Napi::Array records = info[1].As<Napi::Array>();
  Napi::Array out = Napi::Array::New(env);
  uint32_t refused = 0;
  auto pop_one = [&]() -> bool {
    size_t size = 0;
    const char* data = ring.peek(&size);
    if (data == nullptr) return false;
    out.Set(out.Length(), Napi::Buffer<char>::Copy(env, data, size));
    ring.pop();
    return true;
  };
  for (uint32_t i = 0; i < records.Length(); ++i) {
    const auto record = records.Get(i).As<Napi::Buffer<char>>();
    const size_t half = record.Length() / 2;
    while (!ring.push(record.Data(), half, record.Data() + half, record.Length() - half)) {
      ++refused;
      if (!pop_one()) throw Napi::RangeError::New(env, "a record larger than the ring can hold");
    }
  }
  while (pop_one()) {
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("records", out);
  result.Set("refused", refused);
  result.Set("queuedAfter", static_cast<double>(ring.records_queued()));
  return result;
}

// Each connection is a file descriptor; Node leaves the soft limit where the shell set it.
Napi::Value ensure_fd_limit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "ensureFdLimit(needed: number)");
  const auto needed = static_cast<rlim_t>(info[0].As<Napi::Number>().Int64Value());
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) throw Napi::Error::New(env, std::strerror(errno));
  if (limit.rlim_cur >= needed) return Napi::Number::New(env, static_cast<double>(limit.rlim_cur));
  rlimit wanted = limit;
  wanted.rlim_cur = needed;
  if (wanted.rlim_max != RLIM_INFINITY && wanted.rlim_max < needed) wanted.rlim_max = needed;  // works for root
  if (setrlimit(RLIMIT_NOFILE, &wanted) != 0) {
    Napi::Error error = Napi::Error::New(
        env, "the connections need " + std::to_string(needed) + " file descriptors but the limit is " +
                 std::to_string(limit.rlim_cur) + " (hard limit " + std::to_string(limit.rlim_max) +
                 "); lower -c or raise the limit with `ulimit -n " + std::to_string(needed) + "`");
    error.Set("code", "ERR_FD_LIMIT");
    throw error;
  }
  return Napi::Number::New(env, static_cast<double>(needed));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("start", Napi::Function::New(env, start, "start"));
  exports.Set("parseResponses", Napi::Function::New(env, parse_responses, "parseResponses"));
  exports.Set("scheduleForTest", Napi::Function::New(env, schedule_for_test, "scheduleForTest"));
  exports.Set("expandTemplatesForTest", Napi::Function::New(env, expand_templates_for_test, "expandTemplatesForTest"));
  exports.Set("byteRingForTest", Napi::Function::New(env, byte_ring_for_test, "byteRingForTest"));
  exports.Set("ensureFdLimit", Napi::Function::New(env, ensure_fd_limit, "ensureFdLimit"));
  return exports;
}

}  // namespace
}  // namespace ratetest

static Napi::Object InitRatetest(Napi::Env env, Napi::Object exports) { return ratetest::init(env, exports); }

NODE_API_MODULE(ratetest, InitRatetest)
