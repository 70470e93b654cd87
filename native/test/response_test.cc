// response_test.cc: HTTP/1.1 response framing (response.cc) as a table, each case fed whole and
// again one byte at a time: a response split at any byte must frame the same way.
#include <string>
#include <vector>

#include "../response.h"
#include "check.h"
#include "feed_responses.h"

namespace {

using ratetest::Framed;
using ratetest::ResponseFeeder;
using ratetest::ResponseParser;

struct Event {
  std::string kind;  // "response", "error", "need-more"
  int status;
  uint64_t body_bytes;
  bool close;
  bool operator==(const Event& o) const { return kind == o.kind && status == o.status && body_bytes == o.body_bytes && close == o.close; }
};

std::ostream& operator<<(std::ostream& out, const std::vector<Event>& events) {
  for (const Event& e : events) out << "[" << e.kind << " " << e.status << " " << e.body_bytes << (e.close ? " close" : "") << "]";
  return out;
}

// Feeds `input` in pieces of `step` bytes (0 = whole), as a connection would see it, then an
// end of stream when `eof`.
std::vector<Event> parse(const std::string& input, bool head, bool eof, size_t step) {
  ResponseFeeder feeder(head);
  std::vector<Event> events;
  auto record = [&](Framed kind) {
    const ResponseParser& parser = feeder.parser();
    if (kind == Framed::response) events.push_back(Event{"response", parser.status(), parser.body_bytes(), !parser.keep_alive()});
    else events.push_back(Event{kind == Framed::error ? "error" : "need-more", 0, 0, false});
  };
  const size_t piece = step == 0 ? input.size() : step;
  for (size_t at = 0; at < input.size() && !feeder.failed(); at += piece) {
    feeder.feed(input.data() + at, std::min(input.size() - at, piece), record);
  }
  feeder.finish(eof, record);
  return events;
}

struct Case {
  const char* name;
  std::string input;
  bool head;
  bool eof;
  std::vector<Event> events;
};

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

Event ok(int status, uint64_t body, bool close = false) { return Event{"response", status, body, close}; }
const Event kError{"error", 0, 0, false};
const Event kNeedMore{"need-more", 0, 0, false};

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      {"Content-Length body", crlf("HTTP/1.1 200 OK\nContent-Length: 5\n\nhello"), false, false, {ok(200, 5)}},
      {"two responses back to back", crlf("HTTP/1.1 200 OK\nContent-Length: 2\n\nokHTTP/1.1 404 Not Found\nContent-Length: 0\n\n"), false, false, {ok(200, 2), ok(404, 0)}},
      {"chunked with extension and trailer", crlf("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3;x=y\nabc\n2\nde\n0\nX-T: 1\n\n"), false, false, {ok(200, 5)}},
      {"HEAD: no body whatever Content-Length says", crlf("HTTP/1.1 200 OK\nContent-Length: 100\n\n"), true, false, {ok(200, 0)}},
      {"204 has no body", crlf("HTTP/1.1 204 No Content\nContent-Length: 7\n\n"), false, false, {ok(204, 0)}},
      {"304 has no body", crlf("HTTP/1.1 304 Not Modified\n\n"), false, false, {ok(304, 0)}},
      {"100 Continue before the final response", crlf("HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 1\n\nx"), false, false, {ok(200, 1)}},
      {"Connection: close", crlf("HTTP/1.1 200 OK\nConnection: close\nContent-Length: 0\n\n"), false, false, {ok(200, 0, true)}},
      {"HTTP/1.0 closes unless kept alive", crlf("HTTP/1.0 200 OK\nContent-Length: 0\n\n"), false, false, {ok(200, 0, true)}},
      {"body until close, closed", crlf("HTTP/1.1 200 OK\n\nsome body"), false, true, {ok(200, 9, true)}},
      {"body until close, still open", crlf("HTTP/1.1 200 OK\n\nsome body"), false, false, {kNeedMore}},
      {"close in the middle of a Content-Length body", crlf("HTTP/1.1 200 OK\nContent-Length: 10\n\nabc"), false, true, {kError}},
      {"malformed status line", crlf("HTTX/1.1 200 OK\n\n"), false, false, {kError}},
      {"two Content-Length values that differ", crlf("HTTP/1.1 200 OK\nContent-Length: 1\nContent-Length: 2\n\nab"), false, false, {kError}},
      {"invalid chunk size", crlf("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nzz\n"), false, false, {kError}},
      {"an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false, false, {kError}},
  };
  return table;
}

}  // namespace

TEST("response framing: every case, fed whole") {
  for (const Case& c : cases()) {
    const std::vector<Event> events = parse(c.input, c.head, c.eof, 0);
    if (!(events == c.events)) std::cerr << "  case: " << c.name << "\n";
    CHECK_EQ(events, c.events);
  }
}

TEST("response framing: every case, fed one byte at a time, frames the same") {
  for (const Case& c : cases()) {
    const std::vector<Event> events = parse(c.input, c.head, c.eof, 1);
    if (!(events == c.events)) std::cerr << "  case: " << c.name << "\n";
    CHECK_EQ(events, c.events);
  }
}

TEST("response framing: headers over 256 KiB are an error") {
  const std::string input = crlf("HTTP/1.1 200 OK\nX-Big: " + std::string(300000, 'x') + "\nContent-Length: 0\n\n");
  CHECK_EQ(parse(input, false, false, 0), std::vector<Event>{kError});
}
