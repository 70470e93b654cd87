// response.cc: the framing state machine. Strict where a mistake would mis-frame the next
// response (status line, lengths, chunk sizes), tolerant of bare LF line ends but not of a bare
// CR. Every limit is a counted parse error for the caller, never a crash.
#include "response.h"

#include <cstring>

namespace ratetest {
namespace {

constexpr uint64_t kMaxHeaderBytes = 256 * 1024;  // status line + headers, or trailers
constexpr uint64_t kMaxContentLength = 1ull << 53;
constexpr uint64_t kMaxChunkSize = 1ull << 40;

struct KnownHeader {
  const char* name;
  uint32_t length;
};
// Indexed by Header enum value - 1.
constexpr KnownHeader kKnownHeaders[] = {
    {"content-length", 14},
    {"transfer-encoding", 17},
    {"connection", 10},
};
constexpr uint32_t kAllCandidates = 0x7;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 tchar, as a table: this runs for every byte of every header name.
struct TokenTable {
  bool allowed[256] = {};
  constexpr TokenTable() {
    for (int c = 33; c < 127; ++c) allowed[c] = true;
    for (const char* p = "\"(),/:;<=>?@[\\]{}"; *p != 0; ++p) allowed[static_cast<unsigned char>(*p)] = false;
  }
};
constexpr TokenTable kTokenTable;

bool is_token_char(char c) { return kTokenTable.allowed[static_cast<unsigned char>(c)]; }

// Bytes before the first CR or LF.
size_t bytes_before_line_end(const char* data, size_t len) {
  const void* lf = std::memchr(data, '\n', len);
  const size_t limit = lf ? static_cast<size_t>(static_cast<const char*>(lf) - data) : len;
  const void* cr = std::memchr(data, '\r', limit);
  return cr ? static_cast<size_t>(static_cast<const char*>(cr) - data) : limit;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void ResponseParser::reset(bool head_request) {
  state_ = State::status_line;
  head_request_ = head_request;
  status_ = 0;
  minor_version_ = 1;
  keep_alive_ = true;
  has_content_length_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  connection_close_ = false;
  connection_keep_alive_ = false;
  content_length_ = 0;
  remaining_ = 0;
  body_bytes_ = 0;
  header_bytes_ = 0;
  line_pos_ = 0;
  interim_seen_ = false;
  header_ = Header::other;
  error_ = nullptr;
}

ParseStatus ResponseParser::fail(const char* message) {
  state_ = State::failed;
  error_ = message;
  return ParseStatus::error;
}

// "HTTP/1.x 200 reason\r\n": byte by byte, positions counted in line_pos_.
bool ResponseParser::status_line_byte(char c) {
  static const char kPrefix[] = "HTTP/1.";
  const uint32_t pos = line_pos_++;
  if (pos < 7) return c == kPrefix[pos];
  if (pos == 7) {
    if (!is_digit(c)) return false;
    minor_version_ = c - '0';
    return true;
  }
  if (pos == 8) return c == ' ';
  if (pos >= 9 && pos <= 11) {
    if (!is_digit(c)) return false;
    status_ = status_ * 10 + (c - '0');
    return true;
  }
  if (pos == 12 && c != ' ' && c != '\r' && c != '\n') return false;  // "200OK"
  // The reason phrase is ignored up to the line end; its CR must be followed by LF, as in a header.
  if (c == '\r') state_ = State::header_line_lf;
  if (c == '\n') state_ = State::header_line_start;
  return true;
}

bool ResponseParser::header_name_byte(char c) {
  if (c == ':') {
    if (line_pos_ == 0) return false;  // ": value" has no name
    header_ = Header::other;
    for (uint32_t i = 0; i < 3; ++i) {
      if ((name_candidates_ & (1u << i)) && kKnownHeaders[i].length == line_pos_) header_ = static_cast<Header>(i + 1);
    }
    if (header_ == Header::transfer_encoding) has_transfer_encoding_ = true;
    value_seen_digit_ = false;
    number_ended_ = false;
    value_number_ = 0;
    token_len_ = 0;
    state_ = State::header_value;
    return true;
  }
  if (!is_token_char(c)) return false;
  const char l = lower(c);
  for (uint32_t i = 0; i < 3; ++i) {
    if ((name_candidates_ & (1u << i)) && (line_pos_ >= kKnownHeaders[i].length || kKnownHeaders[i].name[line_pos_] != l)) {
      name_candidates_ &= ~(1u << i);
    }
  }
  ++line_pos_;
  return true;
}

// A list value token ends at ',' or the end of the line; only its last token matters for
// Transfer-Encoding, and any token for Connection.
void ResponseParser::header_value_end() {
  if (token_len_ == 0) return;  // an empty list element
  if (header_ == Header::transfer_encoding) {
    chunked_ = token_len_ == 7 && std::memcmp(token_, "chunked", 7) == 0;
  } else if (header_ == Header::connection) {
    if (token_len_ == 5 && std::memcmp(token_, "close", 5) == 0) connection_close_ = true;
    if (token_len_ == 10 && std::memcmp(token_, "keep-alive", 10) == 0) connection_keep_alive_ = true;
  }
}

bool ResponseParser::header_value_byte(char c) {
  if (c == '\r' || c == '\n') {
    if (header_ == Header::content_length) {
      if (!value_seen_digit_) return false;
      if (has_content_length_ && content_length_ != value_number_) return false;
      has_content_length_ = true;
      content_length_ = value_number_;
    } else {
      header_value_end();
    }
    state_ = c == '\n' ? State::header_line_start : State::header_line_lf;
    return true;
  }
  switch (header_) {
    case Header::content_length:
      if (is_space(c)) {
        number_ended_ = value_seen_digit_;
        return true;
      }
      if (!is_digit(c) || number_ended_) return false;
      value_seen_digit_ = true;
      value_number_ = value_number_ * 10 + static_cast<uint64_t>(c - '0');
      return value_number_ <= kMaxContentLength;
    case Header::transfer_encoding:
    case Header::connection:
      if (c == ',') {
        header_value_end();
        token_len_ = 0;
      } else if (!is_space(c) && token_len_ < sizeof(token_)) {
        token_[token_len_++] = lower(c);
      }
      return true;
    case Header::other:
      return true;
  }
  return true;
}

// Decides how the body is framed (RFC 9112 section 6.3). Returns false for a response we
// cannot frame.
bool ResponseParser::headers_complete() {
  if (status_ < 100) return false;
  keep_alive_ = minor_version_ >= 1 ? !connection_close_ : connection_keep_alive_ && !connection_close_;
  if (status_ >= 100 && status_ < 200) {
    if (status_ == 101) return false;  // an upgrade: no longer HTTP/1.1
    // Interim response: the final one follows on the same request.
    const bool head = head_request_;
    reset(head);
    interim_seen_ = true;
    return true;
  }
  if (head_request_ || status_ == 204 || status_ == 304) {
    state_ = State::done;
  } else if (chunked_) {
    header_bytes_ = 0;  // trailers have a limit of their own
    start_chunk_size();
  } else if (has_content_length_ && !has_transfer_encoding_) {
    // Transfer-Encoding overrides Content-Length; without chunked last, the body runs to the
    // close (RFC 9112 section 6.3).
    remaining_ = content_length_;
    state_ = remaining_ == 0 ? State::done : State::body_length;
  } else {
    keep_alive_ = false;
    state_ = State::body_until_close;
  }
  return true;
}

void ResponseParser::start_chunk_size() {
  state_ = State::chunk_size;
  remaining_ = 0;
  chunk_size_digits_ = false;
  number_ended_ = false;
}

// "1a ;name=value\r\n": hex digits, optional whitespace, then the extension or the line end.
bool ResponseParser::chunk_size_byte(char c) {
  const int digit = hex_value(c);
  if (digit >= 0) {
    if (number_ended_) return false;  // "1 2"
    remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
    chunk_size_digits_ = true;
    return remaining_ <= kMaxChunkSize;
  }
  if (!chunk_size_digits_) return false;
  if (is_space(c)) {
    number_ended_ = true;
    return true;
  }
  if (c == ';') {
    state_ = State::chunk_ext;
    return true;
  }
  if (c == '\r') {
    state_ = State::chunk_size_lf;
    return true;
  }
  if (c == '\n') {
    state_ = remaining_ == 0 ? State::trailer_line_start : State::chunk_data;
    return true;
  }
  return false;
}

ParseStatus ResponseParser::feed(const char* data, size_t len, size_t* consumed) {
  size_t i = 0;
  while (i < len) {
    const char c = data[i];
    switch (state_) {
      case State::status_line:
      case State::header_line_start:
      case State::header_name:
      case State::header_value:
      case State::header_line_lf:
      case State::trailer_line_start:
      case State::trailer_line:
      case State::trailer_line_lf:
        if (++header_bytes_ > kMaxHeaderBytes) {
          *consumed = i;
          return fail("headers exceed 256 KiB");
        }
        break;
      default:
        break;
    }
    switch (state_) {
      case State::status_line:
        if (!status_line_byte(c)) {
          *consumed = i;
          return fail("malformed status line");
        }
        ++i;
        break;
      case State::header_line_start:
        ++i;
        if (c == '\r') {
          state_ = State::header_line_lf;
          line_pos_ = 0xffffffff;  // marks "the empty line's CR": LF ends the headers
        } else if (c == '\n') {
          if (!headers_complete()) {
            *consumed = i;
            return fail(status_ < 100 ? "status code below 100" : "unsupported response (101 Switching Protocols)");
          }
        } else if (is_space(c)) {
          // Obsolete line folding continues the previous value, which for a framing header has
          // already been acted on: refuse it rather than frame by half a value.
          if (header_ != Header::other) {
            *consumed = i;
            return fail("obsolete line folding in a framing header");
          }
          state_ = State::header_value;
        } else {
          state_ = State::header_name;
          line_pos_ = 0;
          name_candidates_ = kAllCandidates;
          if (!header_name_byte(c)) {
            *consumed = i;
            return fail("malformed header name");
          }
        }
        break;
      case State::header_name:
        if (!header_name_byte(c)) {
          *consumed = i;
          return fail("malformed header name");
        }
        ++i;
        break;
      case State::header_value:
        if (!header_value_byte(c)) {
          *consumed = i;
          return fail(header_ == Header::content_length ? "invalid Content-Length" : "malformed header");
        }
        if (state_ == State::header_value) {
          // Skip an ordinary value in bulk up to its CR or LF, which are then handled byte by
          // byte as above: stopping at either keeps the result independent of read boundaries.
          ++i;
          if (header_ == Header::other) {
            const size_t skip = bytes_before_line_end(data + i, len - i);
            header_bytes_ += skip;
            i += skip;
          }
        } else {
          ++i;
        }
        break;
      case State::header_line_lf:
        ++i;
        if (c != '\n') {
          *consumed = i - 1;
          return fail("bare CR in headers");
        }
        if (line_pos_ == 0xffffffff) {
          if (!headers_complete()) {
            *consumed = i;
            return fail(status_ < 100 ? "status code below 100" : "unsupported response (101 Switching Protocols)");
          }
        } else {
          state_ = State::header_line_start;
        }
        break;
      case State::body_length: {
        const uint64_t take = remaining_ < len - i ? remaining_ : len - i;
        remaining_ -= take;
        body_bytes_ += take;
        i += take;
        if (remaining_ == 0) state_ = State::done;
        break;
      }
      case State::body_until_close:
        body_bytes_ += len - i;
        i = len;
        break;
      case State::chunk_size:
        if (!chunk_size_byte(c)) {
          *consumed = i;
          return fail("invalid chunk size");
        }
        ++i;
        break;
      case State::chunk_ext:
        ++i;
        if (c == '\r') state_ = State::chunk_size_lf;
        if (c == '\n') state_ = remaining_ == 0 ? State::trailer_line_start : State::chunk_data;
        break;
      case State::chunk_size_lf:
        if (c != '\n') {
          *consumed = i;
          return fail("invalid chunk size line");
        }
        ++i;
        state_ = remaining_ == 0 ? State::trailer_line_start : State::chunk_data;
        break;
      case State::chunk_data: {
        const uint64_t take = remaining_ < len - i ? remaining_ : len - i;
        remaining_ -= take;
        body_bytes_ += take;
        i += take;
        if (remaining_ == 0) state_ = State::chunk_data_cr;
        break;
      }
      case State::chunk_data_cr:
        ++i;
        if (c == '\r') {
          state_ = State::chunk_data_lf;
        } else if (c == '\n') {
          start_chunk_size();
        } else {
          *consumed = i - 1;
          return fail("chunk data longer than its size");
        }
        break;
      case State::chunk_data_lf:
        if (c != '\n') {
          *consumed = i;
          return fail("chunk data longer than its size");
        }
        ++i;
        start_chunk_size();
        break;
      case State::trailer_line_start:
        ++i;
        if (c == '\n') {
          state_ = State::done;
        } else if (c == '\r') {
          line_pos_ = 0xffffffff;  // the empty line's CR: LF ends the response
          state_ = State::trailer_line_lf;
        } else {
          line_pos_ = 0;
          state_ = State::trailer_line;
        }
        break;
      case State::trailer_line:
        ++i;
        if (c == '\r') state_ = State::trailer_line_lf;
        if (c == '\n') state_ = State::trailer_line_start;
        break;
      case State::trailer_line_lf:
        if (c != '\n') {
          *consumed = i;
          return fail("bare CR in trailers");
        }
        ++i;
        state_ = line_pos_ == 0xffffffff ? State::done : State::trailer_line_start;
        break;
      case State::done:
      case State::failed:
        break;
    }
    if (state_ == State::done) {
      *consumed = i;
      return ParseStatus::complete;
    }
    if (state_ == State::failed) {
      *consumed = i;
      return ParseStatus::error;
    }
  }
  *consumed = i;
  return ParseStatus::need_more;
}

ParseStatus ResponseParser::on_eof() {
  if (state_ == State::body_until_close) {
    state_ = State::done;
    return ParseStatus::complete;
  }
  if (state_ == State::done) return ParseStatus::complete;
  return fail(started() ? "connection closed mid-response" : "connection closed before a response");
}

}  // namespace ratetest
