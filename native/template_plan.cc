// template_plan.cc: the second check of a compiled request program (src/requests/program.ts
// built it); every offset and index is checked here once, so expansion never has to.
#include "template_plan.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ratetest {
namespace {

[[noreturn]] void fail(const Napi::Object& object, const std::string& message) {
  throw Napi::RangeError::New(object.Env(), "plan.templates." + message);
}

// Whole numbers cross as doubles: exact up to 2^53, which every offset and count stays below.
uint64_t whole(const Napi::Object& object, double value, const char* what) {
  if (!std::isfinite(value) || value < 0 || value > 9007199254740992.0 || value != std::floor(value)) {
    fail(object, std::string(what) + " must be a whole number >= 0, got " + std::to_string(value));
  }
  return static_cast<uint64_t>(value);
}

std::vector<double> numbers(const Napi::Object& object, const char* name) {
  const Napi::Value value = object.Get(name);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(object.Env(), std::string("plan.templates.") + name + " must be a Float64Array");
  }
  const auto array = value.As<Napi::Float64Array>();
  return std::vector<double>(array.Data(), array.Data() + array.ElementLength());
}

std::string bytes(const Napi::Object& object, const char* name) {
  const Napi::Value value = object.Get(name);
  if (!value.IsBuffer()) throw Napi::TypeError::New(object.Env(), std::string("plan.templates.") + name + " must be a Buffer");
  const auto buffer = value.As<Napi::Buffer<char>>();
  return std::string(buffer.Data(), buffer.Length());
}

bool flag(const Napi::Object& object, const char* name) {
  const Napi::Value value = object.Get(name);
  if (!value.IsBoolean()) throw Napi::TypeError::New(object.Env(), std::string("plan.templates.") + name + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

void read_csv(const Napi::Object& object, TemplateProgram* program) {
  const Napi::Value value = object.Get("csv");
  if (value.IsUndefined() || value.IsNull()) return;
  if (!value.IsObject()) throw Napi::TypeError::New(object.Env(), "plan.templates.csv must be an object");
  const Napi::Object csv = value.As<Napi::Object>();
  CsvTable& table = program->csv;
  table.bytes = bytes(csv, "bytes");
  table.random = flag(csv, "random");
  const Napi::Value columns = csv.Get("columns");
  if (!columns.IsNumber()) throw Napi::TypeError::New(object.Env(), "plan.templates.csv.columns must be a number");
  table.columns = static_cast<uint32_t>(whole(object, columns.As<Napi::Number>().DoubleValue(), "csv.columns"));
  const std::vector<double> offsets = numbers(csv, "offsets");
  if (table.columns == 0 || offsets.size() < 2 || (offsets.size() - 1) % table.columns != 0) {
    fail(object, "csv.offsets must hold rows * columns + 1 offsets, with at least one row");
  }
  table.rows = (offsets.size() - 1) / table.columns;
  uint64_t last = 0;
  for (double offset : offsets) {
    const uint64_t at = whole(object, offset, "csv.offsets[]");
    if (at < last || at > table.bytes.size()) fail(object, "csv.offsets must rise and stay within csv.bytes");
    table.max_cell = std::max<size_t>(table.max_cell, at - last);
    table.offsets.push_back(at);
    last = at;
  }
}

void read_steps(const Napi::Object& object, TemplateProgram* program) {
  const std::vector<double> raw = numbers(object, "steps");
  if (raw.size() % 4 != 0) fail(object, "steps must hold 4 numbers per step (op, pathEscape, a, b)");
  const std::vector<double> choices = numbers(object, "choices");
  if (choices.size() % 2 != 0) fail(object, "choices must hold (offset, length) pairs");
  for (size_t i = 0; i < choices.size(); i += 2) {
    const uint64_t offset = whole(object, choices[i], "choices[]");
    const uint64_t length = whole(object, choices[i + 1], "choices[]");
    if (offset + length > program->pool.size()) fail(object, "choices must lie within pool");
    program->choices.push_back(offset);
    program->choices.push_back(length);
  }
  const uint64_t choice_count = choices.size() / 2;
  for (size_t i = 0; i < raw.size(); i += 4) {
    TemplateStep step;
    const uint64_t op = whole(object, raw[i], "steps[] op");
    if (op >= kTemplateOps) fail(object, "steps[] op must be below " + std::to_string(kTemplateOps));
    step.op = static_cast<TemplateOp>(op);
    step.path_escape = raw[i + 1] != 0;
    if (step.op == TemplateOp::rand) {
      // a is the signed low bound; b the span (high - low), both exact integers as doubles.
      if (!std::isfinite(raw[i + 2]) || raw[i + 2] != std::floor(raw[i + 2]) || std::fabs(raw[i + 2]) > 9007199254740992.0) {
        fail(object, "steps[] rand low must be a whole number within +-2^53");
      }
      step.a = static_cast<uint64_t>(static_cast<int64_t>(raw[i + 2]));
    } else {
      step.a = whole(object, raw[i + 2], "steps[] a");
    }
    step.b = whole(object, raw[i + 3], "steps[] b");
    if (step.op == TemplateOp::literal && step.a + step.b > program->pool.size()) fail(object, "a literal step must lie within pool");
    if (step.op == TemplateOp::pick && (step.b == 0 || step.a + step.b > choice_count)) fail(object, "a pick step must name choices that exist");
    if (step.op == TemplateOp::csv && step.a >= program->csv.columns) fail(object, "a csv step needs plan.templates.csv with that column");
    program->steps.push_back(step);
  }
}

// The most bytes one step can expand to.
size_t step_max(const TemplateProgram& program, const TemplateStep& step) {
  switch (step.op) {
    case TemplateOp::literal:
      return step.b;
    case TemplateOp::seq:
    case TemplateOp::rand:
    case TemplateOp::now_ms:
      return 20;
    case TemplateOp::uuid:
      return 36;
    case TemplateOp::now_iso:
      return 24;
    case TemplateOp::pick: {
      size_t most = 0;
      for (uint64_t c = step.a; c < step.a + step.b; ++c) most = std::max<size_t>(most, program.choices[c * 2 + 1]);
      return most;
    }
    case TemplateOp::csv:
      return program.csv.max_cell * (step.path_escape ? 3 : 1);
  }
  return 0;
}

size_t steps_max(const TemplateProgram& program, uint32_t first, uint32_t count) {
  size_t total = 0;
  for (uint32_t s = first; s < first + count; ++s) total += step_max(program, program.steps[s]);
  return total;
}

void read_requests(const Napi::Object& object, TemplateProgram* program) {
  const Napi::Value value = object.Get("requests");
  if (!value.IsArray() || value.As<Napi::Array>().Length() == 0) {
    throw Napi::TypeError::New(object.Env(), "plan.templates.requests must be a non-empty array");
  }
  const Napi::Array requests = value.As<Napi::Array>();
  constexpr size_t kContentLengthLine = sizeof("Content-Length: 18446744073709551615\r\n") - 1;
  for (uint32_t i = 0; i < requests.Length(); ++i) {
    const Napi::Value item = requests.Get(i);
    if (!item.IsObject()) throw Napi::TypeError::New(object.Env(), "plan.templates.requests[] must be objects");
    const Napi::Object r = item.As<Napi::Object>();
    TemplateRequest request;
    auto index = [&](const char* name) {
      const Napi::Value v = r.Get(name);
      if (!v.IsNumber()) throw Napi::TypeError::New(object.Env(), std::string("plan.templates.requests[].") + name + " must be a number");
      return static_cast<uint32_t>(whole(object, v.As<Napi::Number>().DoubleValue(), name));
    };
    request.head_first = index("headFirst");
    request.head_count = index("headCount");
    request.body_first = index("bodyFirst");
    request.body_count = index("bodyCount");
    request.has_body = flag(r, "hasBody");
    request.head_response = flag(r, "headResponse");
    const uint64_t steps = program->steps.size();
    if (request.head_count == 0 || uint64_t{request.head_first} + request.head_count > steps ||
        uint64_t{request.body_first} + request.body_count > steps) {
      fail(object, "requests[] must name head and body steps that exist");
    }
    const size_t body = steps_max(*program, request.body_first, request.body_count);
    const size_t total = steps_max(*program, request.head_first, request.head_count) + 2 + body + (request.has_body ? kContentLengthLine : 0);
    program->max_body = std::max(program->max_body, request.has_body ? body : 0);
    program->max_bytes = std::max(program->max_bytes, total);
    program->requests.push_back(request);
  }
}

}  // namespace

std::shared_ptr<const TemplateProgram> template_program_from_js(const Napi::Object& object) {
  auto program = std::make_shared<TemplateProgram>();
  program->pool = bytes(object, "pool");
  read_csv(object, program.get());
  read_steps(object, program.get());
  read_requests(object, program.get());
  for (double m : numbers(object, "mix")) {
    const uint64_t index = whole(object, m, "mix[]");
    if (index >= program->requests.size()) fail(object, "mix[] must name requests that exist");
    program->mix.push_back(static_cast<uint32_t>(index));
  }
  if (program->mix.empty()) fail(object, "mix must not be empty");
  const Napi::Value seed = object.Get("seed");
  if (!seed.IsNumber()) throw Napi::TypeError::New(object.Env(), "plan.templates.seed must be a number");
  program->seed = whole(object, seed.As<Napi::Number>().DoubleValue(), "seed");
  program->named = flag(object, "named");
  return program;
}

}  // namespace ratetest
