// grpc_response_test.cc: gRPC response framing and status (grpc_response.cc) as a table, each
// body fed whole and again one byte at a time: a body split at any byte must frame the same way.
#include <string>
#include <vector>

#include "../grpc_response.h"
#include "check.h"

namespace {

using ratetest::GrpcCounters;
using ratetest::GrpcResponse;
using ratetest::record_grpc;

std::string frame(const std::string& message) {
  const size_t n = message.size();
  std::string out = {'\0', static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  return out + message;
}

struct Header {
  std::string name;
  std::string value;
};

struct Case {
  const char* name;
  std::string body;
  std::vector<Header> trailers;
  int http_status;
  // What the call counts as: "status N", "http", "malformed"; and the messages it held.
  std::string expected;
  uint32_t messages;
};

GrpcResponse read(const Case& c, size_t step) {
  GrpcResponse response;
  response.reset();
  const size_t piece = step == 0 ? c.body.size() : step;
  for (size_t at = 0; at < c.body.size(); at += piece) {
    const size_t n = std::min(piece, c.body.size() - at);
    response.on_data(reinterpret_cast<const uint8_t*>(c.body.data() + at), n);
  }
  for (const Header& h : c.trailers) {
    response.on_header(reinterpret_cast<const uint8_t*>(h.name.data()), h.name.size(), reinterpret_cast<const uint8_t*>(h.value.data()), h.value.size());
  }
  response.finish();
  return response;
}

std::string verdict(const GrpcResponse& response, int http_status) {
  GrpcCounters counters;
  record_grpc(&counters, response, http_status);
  if (counters.malformed.get() == 1) return "malformed";
  if (counters.http_errors.get() == 1) return "http";
  for (int code = 0; code < ratetest::kGrpcStatusSlots; ++code) {
    if (counters.status[code].get() == 1) return "status " + std::to_string(code);
  }
  return "none";
}

TEST("grpc response: framing and status, fed whole and split at every byte") {
  const std::vector<Case> cases = {
      {"one message, OK", frame("hello"), {{"grpc-status", "0"}}, 200, "status 0", 1},
      {"two messages in one body", frame("a") + frame("bc"), {{"grpc-status", "0"}}, 200, "status 0", 2},
      {"an empty message", frame(""), {{"grpc-status", "0"}}, 200, "status 0", 1},
      {"trailers-only UNAVAILABLE", "", {{"grpc-status", "14"}, {"grpc-message", "down"}}, 200, "status 14", 0},
      {"a code above 16 counts as OTHER", "", {{"grpc-status", "99"}}, 200, "status 17", 0},
      {"no grpc-status: HTTP-level", frame("x"), {}, 200, "http", 1},
      {"HTTP 503 with a status is HTTP-level", "", {{"grpc-status", "14"}}, 503, "http", 0},
      {"HTTP 503 with a page for a body is HTTP-level", "overloaded", {}, 503, "http", 0},
      {"a status that is no number", "", {{"grpc-status", "1x"}}, 200, "malformed", 0},
      {"an empty status", "", {{"grpc-status", ""}}, 200, "malformed", 0},
      {"a message cut short", frame("hello").substr(0, 7), {{"grpc-status", "0"}}, 200, "malformed", 0},
      {"a prefix cut short", frame("a") + std::string("\0\0", 2), {{"grpc-status", "0"}}, 200, "malformed", 1},
      {"other trailers are ignored", frame("a"), {{"grpc-status-details-bin", "AAAA"}, {"grpc-status", "5"}}, 200, "status 5", 1},
  };
  for (const Case& c : cases) {
    for (size_t step : {size_t{0}, size_t{1}, size_t{3}}) {
      const GrpcResponse response = read(c, step);
      const std::string got = verdict(response, c.http_status);
      if (got != c.expected || response.messages != c.messages) {
        check::fail(__FILE__, __LINE__, std::string(c.name) + " (step " + std::to_string(step) + "): got " + got + ", " + std::to_string(response.messages) +
                                            " messages; expected " + c.expected + ", " + std::to_string(c.messages));
      }
    }
  }
}

TEST("grpc response: the first non-OK grpc-message is kept, cut to 128 bytes") {
  GrpcCounters counters;
  GrpcResponse ok;
  ok.on_header(reinterpret_cast<const uint8_t*>("grpc-status"), 11, reinterpret_cast<const uint8_t*>("0"), 1);
  record_grpc(&counters, ok, 200);
  CHECK(!counters.first_error.has());
  GrpcResponse failed;
  const std::string long_message(300, 'm');
  failed.on_header(reinterpret_cast<const uint8_t*>("grpc-status"), 11, reinterpret_cast<const uint8_t*>("4"), 1);
  failed.on_header(reinterpret_cast<const uint8_t*>("grpc-message"), 12, reinterpret_cast<const uint8_t*>(long_message.data()), long_message.size());
  record_grpc(&counters, failed, 200);
  CHECK(counters.first_error.has());
  CHECK_EQ(counters.first_error_code.get(), 5u);  // code 4 (DEADLINE_EXCEEDED), stored + 1
  CHECK_EQ(std::string(counters.first_error.text()), std::string(GrpcResponse::kMessageBytes, 'm'));
}

}  // namespace
