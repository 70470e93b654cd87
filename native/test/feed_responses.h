// feed_responses.h: feeds a stream's bytes to the HTTP/1.1 response parser as a connection would,
// piece by piece, and reports what it framed: each response, the error that ends the stream, and
// at the end a response cut short. For the native unit tests and the test addon; never the pump.
#pragma once
#include <cstddef>

#include "../response.h"

namespace ratetest {

enum class Framed { response, error, need_more };

// `on_framed(kind)` runs while the parser still holds that response's figures (status, body
// bytes, keep-alive, error message).
class ResponseFeeder {
 public:
  explicit ResponseFeeder(bool head) : head_(head) { parser_.reset(head); }

  const ResponseParser& parser() const { return parser_; }
  bool failed() const { return failed_; }

  // One piece of the stream; nothing more is framed once an error has ended it.
  template <typename OnFramed>
  void feed(const char* data, size_t left, OnFramed&& on_framed) {
    while (left > 0 && !failed_) {
      size_t consumed = 0;
      const ParseStatus status = parser_.feed(data, left, &consumed);
      data += consumed;
      left -= consumed;
      mid_response_ = true;
      if (status == ParseStatus::error) {
        failed_ = true;
        on_framed(Framed::error);
        return;
      }
      if (status == ParseStatus::need_more) return;
      on_framed(Framed::response);
      mid_response_ = false;
      parser_.reset(head_);
    }
  }

  // The stream's end. With `eof` (the server closed) a close-delimited body completes and any
  // other partial response is an error; without it, a partial response is still waiting.
  template <typename OnFramed>
  void finish(bool eof, OnFramed&& on_framed) {
    if (failed_ || !mid_response_) return;
    if (eof) {
      on_framed(parser_.on_eof() == ParseStatus::complete ? Framed::response : Framed::error);
    } else {
      on_framed(Framed::need_more);
    }
  }

 private:
  ResponseParser parser_;
  bool head_;
  bool failed_ = false;
  bool mid_response_ = false;
};

}  // namespace ratetest
