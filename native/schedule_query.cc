// schedule_query.cc: answers TypeScript's questions about a run's schedule from the same
// RateShape the pumps follow (plan.cc builds it), so no rate integral is written twice. No
// run, no clock: pure figures over the plan's schedule fields.
#include "schedule_query.h"

#include <cmath>

#include "limits.h"
#include "plan.h"

namespace ratetest {
namespace {

// Global requests 0 .. floor(c) are due once the cumulative count reaches c; this shard's
// share of them, as a real number (the mean, for Poisson arrivals).
double shard_share(double cumulative, const RunPlan& plan) { return cumulative / plan.shard_count; }

// This shard's requests among the first `total` global ones (the -n limit's share).
double shard_limit(uint64_t total, const RunPlan& plan) {
  return static_cast<double>(lane_share(total, Lane{plan.shard_count, plan.shard_index}));
}

}  // namespace

Napi::Value schedule_figures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsTypedArray()) {
    throw Napi::TypeError::New(env, "scheduleFigures(plan, timesNs: Float64Array)");
  }
  RunPlan plan;
  schedule_from_js(info[0].As<Napi::Object>(), &plan);
  const auto times = info[1].As<Napi::Float64Array>();
  const double end_ns = static_cast<double>(plan.warmup_ns + plan.duration_ns);
  const double limit = plan.max_requests > 0 ? shard_limit(plan.max_requests, plan) : INFINITY;

  // dueAt[i]: this shard's requests due from the schedule's start (warm-up included) to timesNs[i].
  auto due_at = Napi::Float64Array::New(env, times.ElementLength());
  for (size_t i = 0; i < times.ElementLength(); ++i) {
    const double t = std::min(std::max(times[i], 0.0), end_ns);
    due_at[i] = plan.closed_loop ? 0 : std::min(limit, shard_share(plan.shape.cumulative(static_cast<uint64_t>(t)), plan));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("dueAt", due_at);
  const double warm = plan.shape.cumulative(plan.warmup_ns);
  const double whole = plan.shape.cumulative(static_cast<uint64_t>(end_ns));
  out.Set("totalDue", plan.closed_loop ? limit : std::min(limit, shard_share(whole, plan)));
  // The fleet's mean rate over the measured part (after the warm-up).
  out.Set("meanRate", plan.closed_loop ? 0 : (whole - warm) * 1e9 / static_cast<double>(plan.duration_ns));
  if (!plan.shape.constant()) {
    // The stages as the pumps run them (warm-up left out): the Result's record of the shape.
    Napi::Array stages = Napi::Array::New(env);
    const std::vector<RateStage>& all = plan.shape.stages();
    for (size_t i = plan.warmup_ns > 0 ? 1 : 0; i < all.size(); ++i) {
      const RateStage& s = all[i];
      Napi::Object stage = Napi::Object::New(env);
      stage.Set("durationNs", static_cast<double>(s.duration_ns));
      stage.Set("fromRate", s.from_rate);
      stage.Set("toRate", s.to_rate);
      stages.Set(stages.Length(), stage);
    }
    out.Set("stages", stages);
  }
  return out;
}

Napi::Object limits_to_js(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("maxThreads", Limits::max_threads);
  out.Set("maxConnections", Limits::max_connections);
  out.Set("maxRate", Limits::max_rate);
  out.Set("minIntervalMs", static_cast<double>(Limits::min_interval_ns) / 1e6);
  out.Set("maxPipeline", Limits::max_pipeline);
  out.Set("maxStages", Limits::max_stages);
  out.Set("maxBatchUs", static_cast<double>(Limits::max_batch_ns) / 1e3);
  out.Set("maxDurationMs", Limits::max_duration_ns / 1e6);
  out.Set("maxWhole", Limits::max_whole);
  out.Set("maxShards", Limits::max_shards);
  out.Set("maxUnixPathBytes", Limits::max_unix_path_bytes);
  return out;
}

}  // namespace ratetest
