// request_source.cc: chooses each pump's request source from the plan. Runs once per pump,
// before the run starts.
#include "request_source.h"

#include "script_source.h"
#include "template_source.h"

namespace ratetest {

std::unique_ptr<RequestSource> make_request_source(const RunPlan& plan, uint32_t pump_index, ScriptChannels* script) {
  if (script != nullptr) return std::make_unique<ScriptSource>(script, plan.script.max_request_bytes);
  // Random streams are keyed on the pump's lane (schedule.h), so no two pumps of a fleet's
  // shards draw the same {{rand}} values.
  if (plan.templates) return std::make_unique<TemplateSource>(plan.templates, static_cast<uint32_t>(lane_of(plan, pump_index).offset));
  return std::make_unique<StaticSource>(plan);
}

}  // namespace ratetest
