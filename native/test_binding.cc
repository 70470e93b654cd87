// test_binding.cc: the test addon (ratetest_test.node), never loaded by src/: entry points that
// drive native units on their own, without sockets, for the unit tests and the request-cost
// bench. The production addon (binding.cc) carries none of them.
#include <napi.h>

#include <vector>

#include "byte_ring.h"
#include "clock.h"
#include "response.h"
#include "schedule.h"
#include "template_plan.h"
#include "template_source.h"
#include "test/feed_responses.h"

namespace ratetest {
namespace {

// Runs the response parser over chunks the way a connection would see them.
Napi::Value parse_responses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsArray() || !info[1].IsBoolean() || !info[2].IsBoolean()) {
    throw Napi::TypeError::New(env, "parseResponses(chunks: Buffer[], headRequest: boolean, eof: boolean)");
  }
  const Napi::Array chunks = info[0].As<Napi::Array>();
  const bool head = info[1].As<Napi::Boolean>().Value();
  ResponseFeeder feeder(head);
  Napi::Array events = Napi::Array::New(env);
  auto push = [&](Framed kind) {
    const ResponseParser& parser = feeder.parser();
    Napi::Object event = Napi::Object::New(env);
    event.Set("kind", kind == Framed::response ? "response" : kind == Framed::error ? "error" : "need-more");
    event.Set("status", parser.status());
    event.Set("bodyBytes", static_cast<double>(parser.body_bytes()));
    event.Set("close", !parser.keep_alive());
    event.Set("message", parser.error() ? parser.error() : "");
    events.Set(events.Length(), event);
  };
  for (uint32_t c = 0; c < chunks.Length() && !feeder.failed(); ++c) {
    const Napi::Value chunk = chunks.Get(c);
    if (!chunk.IsBuffer()) throw Napi::TypeError::New(env, "chunks must be Buffers");
    const auto bytes = chunk.As<Napi::Buffer<char>>();
    feeder.feed(bytes.Data(), bytes.Length(), push);
  }
  feeder.finish(info[2].As<Napi::Boolean>().Value(), push);
  return events;
}

// The pure schedule on a fake start time. Returns each request's intended time and
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

// Expands compiled templates (plan.templates) for global request numbers
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

// Pushes `records` through a ByteRing of `capacity` bytes, popping one record each
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

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("parseResponses", Napi::Function::New(env, parse_responses, "parseResponses"));
  exports.Set("scheduleForTest", Napi::Function::New(env, schedule_for_test, "scheduleForTest"));
  exports.Set("expandTemplatesForTest", Napi::Function::New(env, expand_templates_for_test, "expandTemplatesForTest"));
  exports.Set("byteRingForTest", Napi::Function::New(env, byte_ring_for_test, "byteRingForTest"));
  return exports;
}

}  // namespace
}  // namespace ratetest

static Napi::Object InitRatetestTest(Napi::Env env, Napi::Object exports) { return ratetest::init(env, exports); }

NODE_API_MODULE(ratetest_test, InitRatetestTest)
