// response.h: incremental HTTP/1.1 response framing for one connection. It never buffers:
// it keeps only the few facts framing needs (status, length, chunked, close), so headers of any
// size and responses split at any byte are handled the same way. It never allocates.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ratetest {

enum class ParseStatus { need_more, complete, error };

class ResponseParser {
 public:
  // Starts a new response; head_request means the response has no body whatever it says.
  void reset(bool head_request);

  // Consumes a prefix of data; *consumed says how much. Stops right after a complete response
  // so the caller can tell what follows it.
  ParseStatus feed(const char* data, size_t len, size_t* consumed);

  // The peer closed the connection: completes a body delimited by the close, anything else
  // in progress is an error.
  ParseStatus on_eof();

  bool started() const { return interim_seen_ || state_ != State::status_line || line_pos_ > 0; }
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  uint64_t body_bytes() const { return body_bytes_; }
  const char* error() const { return error_; }

 private:
  enum class State {
    status_line,
    header_line_start,
    header_name,
    header_value,
    header_line_lf,
    body_length,
    body_until_close,
    chunk_size,
    chunk_ext,
    chunk_size_lf,
    chunk_data,
    chunk_data_cr,
    chunk_data_lf,
    trailer_line_start,
    trailer_line,
    trailer_line_lf,
    done,
    failed,
  };
  enum class Header { other, content_length, transfer_encoding, connection };

  ParseStatus fail(const char* message);
  bool status_line_byte(char c);
  bool header_name_byte(char c);
  bool header_value_byte(char c);
  void header_value_end();
  bool headers_complete();
  bool chunk_size_byte(char c);
  void start_chunk_size();

  State state_ = State::status_line;
  bool head_request_ = false;
  int status_ = 0;
  int minor_version_ = 1;
  bool keep_alive_ = true;
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  uint64_t content_length_ = 0;
  uint64_t remaining_ = 0;
  uint64_t body_bytes_ = 0;
  uint64_t header_bytes_ = 0;
  uint32_t line_pos_ = 0;
  bool interim_seen_ = false;  // a 1xx already answered this request

  // Header name matching and value token, without copying the line.
  Header header_ = Header::other;
  uint32_t name_candidates_ = 0;  // bit per known header name still matching
  bool value_seen_digit_ = false;
  bool number_ended_ = false;  // whitespace after the digits: another digit is an error ("1 2")
  uint64_t value_number_ = 0;
  char token_[16];  // a longer token keeps its first 16 bytes, which match no name we look for
  uint32_t token_len_ = 0;
  bool chunk_size_digits_ = false;

  const char* error_ = nullptr;
};

}  // namespace ratetest
