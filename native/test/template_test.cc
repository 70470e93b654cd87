// template_test.cc: template expansion (template_source.cc) from a hand-built program, as the
// TypeScript compiler would hand it over: literals, {{seq}}, a body with its Content-Length.
#include <memory>
#include <string>

#include "../template_source.h"
#include "check.h"

namespace {

using ratetest::RequestBytes;
using ratetest::TemplateOp;
using ratetest::TemplateProgram;
using ratetest::TemplateRequest;
using ratetest::TemplateSource;
using ratetest::TemplateStep;

// GET /t/{{seq}} with no body, and POST /p with body {"n":{{seq}}}, alternating.
std::shared_ptr<TemplateProgram> program() {
  auto p = std::make_shared<TemplateProgram>();
  const std::string get_a = "GET /t/";
  const std::string get_b = " HTTP/1.1\r\nHost: x\r\n";  // the expander ends the head
  const std::string post = "POST /p HTTP/1.1\r\nHost: x\r\n";
  const std::string body_a = "{\"n\":";
  const std::string body_b = "}";
  auto literal = [&](const std::string& text) {
    const uint64_t offset = p->pool.size();
    p->pool += text;
    return TemplateStep{TemplateOp::literal, false, offset, text.size()};
  };
  p->steps = {literal(get_a), TemplateStep{TemplateOp::seq, false, 1, 0}, literal(get_b),
              literal(post), literal(body_a), TemplateStep{TemplateOp::seq, false, 1, 0}, literal(body_b)};
  TemplateRequest get;
  get.head_first = 0;
  get.head_count = 3;
  TemplateRequest with_body;
  with_body.head_first = 3;
  with_body.head_count = 1;
  with_body.body_first = 4;
  with_body.body_count = 3;
  with_body.has_body = true;
  p->requests = {get, with_body};
  p->mix = {0, 1};
  p->max_bytes = 256;
  p->max_body = 64;
  return p;
}

std::string expand(TemplateSource& source, uint64_t seq, int* name) {
  RequestBytes bytes;
  bytes.buffer.resize(source.max_bytes_hint());
  *name = source.next(seq, 0, &bytes);
  return std::string(bytes.data, bytes.size);
}

}  // namespace

TEST("templates: {{seq}} counts from 1 and the mix alternates the requests") {
  TemplateSource source(program(), 0);
  int name = -1;
  CHECK_EQ(expand(source, 0, &name), std::string("GET /t/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK_EQ(name, 0);
  CHECK_EQ(expand(source, 2, &name), std::string("GET /t/3 HTTP/1.1\r\nHost: x\r\n\r\n"));
}

TEST("templates: a body gets the Content-Length of its own expansion") {
  TemplateSource source(program(), 0);
  int name = -1;
  CHECK_EQ(expand(source, 1, &name), std::string("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"n\":2}"));
  CHECK_EQ(name, 1);
  CHECK_EQ(expand(source, 99, &name), std::string("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{\"n\":100}"));
}

TEST("templates: a request never outgrows the presized buffer") {
  TemplateSource source(program(), 0);
  RequestBytes bytes;
  bytes.buffer.resize(source.max_bytes_hint());
  const char* before = bytes.buffer.data();
  for (uint64_t k = 0; k < 10000; ++k) source.next(k, 0, &bytes);
  CHECK(bytes.buffer.data() == before);
}
