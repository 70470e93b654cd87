// schedule_query.h: what TypeScript asks the schedule (due counts, targets, the stages as run)
// and the limits table, as addon exports. The schedule's arithmetic stays in schedule.h.
#pragma once
#include <napi.h>

namespace ratetest {

// scheduleFigures(plan, timesNs: Float64Array) -> {dueAt, totalDue, meanRate, stages?}
Napi::Value schedule_figures(const Napi::CallbackInfo& info);
// The limits every run is checked against (limits.h), as a plain object.
Napi::Object limits_to_js(Napi::Env env);

}  // namespace ratetest
