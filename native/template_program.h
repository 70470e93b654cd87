// template_program.h: request templates as the TypeScript compiler (src/requests/) hands them
// over: literal byte runs and slots, already parsed and checked, so expanding one is a straight
// walk with no parsing. template_plan.cc reads it from JS; template_source.cc expands it.
//
//   pool:    "GET /products/" " HTTP/1.1\r\nHost: ..." "a" "b" "c" ...   (all literal bytes)
//   steps:   [literal 0,14] [rand 1..1000] [literal 14,40] | [literal ..] [pick 0,3] ...
//            '-- request 0 head --------------------------'   '-- request 0 body --'
//   choices: (offset, length) in pool, for each pick's options
//   mix:     request index for each global request number k, as mix[k % mix.size()]
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ratetest {

enum class TemplateOp : uint8_t {
  literal,  // a = offset in pool, b = length
  seq,      // the global request number k, plus a (so {{seq}} counts 1, 2, 3, ...)
  rand,     // uniform integer in [a, a + b] (a as a signed 64-bit value)
  uuid,     // a random version 4 UUID
  pick,     // one of choices[a .. a + b), uniformly
  now_iso,  // wall-clock time, ISO 8601 UTC with milliseconds
  now_ms,   // wall-clock time, milliseconds since the Unix epoch
  csv,      // column a of this request's CSV row
};
constexpr int kTemplateOps = 8;

struct TemplateStep {
  TemplateOp op = TemplateOp::literal;
  bool path_escape = false;  // csv in the request target: percent-encode what a path cannot hold
  uint64_t a = 0;
  uint64_t b = 0;
};

struct TemplateRequest {
  uint32_t head_first = 0;  // steps of the request line and headers, each header ending in CRLF
  uint32_t head_count = 0;
  uint32_t body_first = 0;  // steps of the body
  uint32_t body_count = 0;
  bool has_body = false;       // send a Content-Length computed per request (else the body steps follow as they are)
  bool head_response = false;  // a HEAD request: its response has no body
};

// CSV data, packed: cell (row r, column c) is bytes[offsets[r*columns + c] .. offsets[r*columns + c + 1]).
struct CsvTable {
  std::string bytes;
  std::vector<uint64_t> offsets;
  uint32_t columns = 0;
  uint64_t rows = 0;
  bool random = false;  // a random row per request; else row k mod rows, in file order
  size_t max_cell = 0;
};

struct TemplateProgram {
  std::string pool;
  std::vector<TemplateStep> steps;
  std::vector<uint64_t> choices;  // offset, length pairs into pool
  std::vector<TemplateRequest> requests;
  std::vector<uint32_t> mix;
  CsvTable csv;
  uint64_t seed = 0;
  bool named = false;    // the run reports statistics per request (a request file)
  size_t max_bytes = 0;  // the largest request the program can produce, Content-Length line included
  size_t max_body = 0;
};

}  // namespace ratetest
