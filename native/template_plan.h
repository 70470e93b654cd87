// template_plan.h: reads plan.templates (the compiled request program) from JS and checks every
// index in it, so the pump can expand it without bounds checks.
#pragma once
#include <memory>

#include <napi.h>

#include "template_program.h"

namespace ratetest {

// Throws a JS TypeError/RangeError naming the field when the program is malformed.
std::shared_ptr<const TemplateProgram> template_program_from_js(const Napi::Object& object);

}  // namespace ratetest
