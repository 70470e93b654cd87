// binding.cc: the production addon's init and exports, only what src/ calls: start(),
// ensureFdLimit() and checkIoUring(). start() hands the plan to pump threads and returns {snapshot, stop, done};
// completion settles `done` through a thread-safe function, so no pump thread ever touches JS.
// Entry points for tests live in test_binding.cc, a separate addon.
#include <napi.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "error_codes.h"
#include "h2_session.h"
#include "plan.h"
#include "result.h"
#include "ring.h"
#include "run.h"
#include "schedule_query.h"
#include "tls.h"

namespace ratetest {
namespace {

// The one way a coded error leaves the addon (error_codes.h lists the codes).
Napi::Error coded_error(Napi::Env env, NativeError code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", error_code(code));
  return error;
}

// Everything a started run keeps alive; shared by the JS functions that reach it and by the
// completion callback.
struct RunState {
  std::unique_ptr<Run> run;
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction on_done;
  bool finished = false;  // every pump has returned and been joined (set on the JS thread)
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

#ifdef __linux__
// --io-engine io_uring where the kernel or its sandbox refuses it: one line that says why, so
// the run stops before it starts (a pump's own ring is set up the same way).
void check_io_uring(Napi::Env env) {
  Ring probe;
  const char* step = "";
  const int err = probe.open(1, &step);
  if (err == 0) return;
  const char* why = err == EPERM || err == EACCES ? " (io_uring is disabled here: kernel.io_uring_disabled, or a seccomp filter as in many containers)"
                    : err == ENOSYS           ? " (this kernel has no io_uring)"
                    : err == EINVAL           ? " (this kernel's io_uring lacks what the pump uses: Linux 6.1 or later)"
                                              : "";
  throw coded_error(env, NativeError::io_uring,
                    std::string("--io-engine io_uring: ") + step + " failed: " + std::strerror(err) + why + "; use --io-engine epoll");
}
#endif

Napi::Value start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "start(plan) takes one plan object");
  RunPlan plan = plan_from_js(info[0].As<Napi::Object>());
  if (plan.http2 && !h2_version_ok(plan.nghttp2_version)) {
    throw coded_error(env, NativeError::http2_version,
                      "--http2 needs nghttp2 " NGHTTP2_VERSION " or later inside Node; this Node has " + plan.nghttp2_version);
  }

#ifdef __linux__
  if (plan.io_uring) check_io_uring(env);
#endif

  auto state = std::make_shared<RunState>(env);
  std::string error;
  std::unique_ptr<TlsContext> tls;
  if (plan.tls) {
    // A --ca, --cert or --key file OpenSSL will not take is bad input, not an addon failure.
    tls = TlsContext::create(plan.tls_options, &error);
    if (!tls) throw coded_error(env, NativeError::tls_config, error);
  }
  state->run = Run::create(std::move(plan), std::move(tls), &error);
  if (!state->run) throw Napi::Error::New(env, error);

  auto noop = Napi::Function::New(env, [](const Napi::CallbackInfo&) {});
  state->on_done = Napi::ThreadSafeFunction::New(env, noop, "ratetest-run", 0, 1);

  Napi::Object handle = Napi::Object::New(env);
  handle.Set("snapshot", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               return snapshot_to_js(call.Env(), *state->run);
             }));
  handle.Set("intervals", Napi::Function::New(env, [state](const Napi::CallbackInfo& call) -> Napi::Value {
               // Only after `done` has settled may a caller say the pumps are finished.
               const bool finished = call.Length() > 0 && call[0].ToBoolean().Value() && state->finished;
               return intervals_to_js(call.Env(), *state->run, finished);
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
      state->finished = true;
      state->deferred.Resolve(result_to_js(js_env, *state->run));
      state->on_done.Release();
    });
  });
  return handle;
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
    throw coded_error(
        env, NativeError::fd_limit, "the connections need " + std::to_string(needed) + " file descriptors but the limit is " +
                 std::to_string(limit.rlim_cur) + " (hard limit " + std::to_string(limit.rlim_max) +
                 "); lower -c or raise the limit with `ulimit -n " + std::to_string(needed) + "`");
  }
  return Napi::Number::New(env, static_cast<double>(needed));
}

// --io-engine io_uring: refused before the run's banner, as a bad flag is.
Napi::Value check_io_uring_js(const Napi::CallbackInfo& info) {
#ifdef __linux__
  check_io_uring(info.Env());
#else
  throw coded_error(info.Env(), NativeError::io_uring, "--io-engine io_uring needs Linux; use --io-engine epoll");
#endif
  return info.Env().Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("start", Napi::Function::New(env, start, "start"));
  exports.Set("ensureFdLimit", Napi::Function::New(env, ensure_fd_limit, "ensureFdLimit"));
  exports.Set("checkIoUring", Napi::Function::New(env, check_io_uring_js, "checkIoUring"));
  exports.Set("scheduleFigures", Napi::Function::New(env, schedule_figures, "scheduleFigures"));
  exports.Set("limits", limits_to_js(env));
  return exports;
}

}  // namespace
}  // namespace ratetest

static Napi::Object InitRatetest(Napi::Env env, Napi::Object exports) { return ratetest::init(env, exports); }

NODE_API_MODULE(ratetest, InitRatetest)
