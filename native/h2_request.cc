// h2_request.cc: HTTP/1.1 request bytes -> HTTP/2 fields (see h2_request.h). Strict enough to
// never read past the bytes it was given; lenient about what a template or script wrote (bare LF
// line ends, spaces around values).
#include "h2_request.h"

#include <cstring>

namespace ratetest {
namespace {

bool equals_lower(const uint8_t* name, size_t length, const char* lower) {
  return std::strlen(lower) == length && std::memcmp(name, lower, length) == 0;
}

// HTTP/2 forbids connection-specific fields (RFC 9113 8.2.2); Host becomes :authority.
bool connection_specific(const uint8_t* name, size_t length) {
  return equals_lower(name, length, "connection") || equals_lower(name, length, "keep-alive") ||
         equals_lower(name, length, "transfer-encoding") || equals_lower(name, length, "upgrade") ||
         equals_lower(name, length, "proxy-connection") || equals_lower(name, length, "te");
}

nghttp2_nv field(const void* name, size_t name_length, const void* value, size_t value_length) {
  return nghttp2_nv{const_cast<uint8_t*>(static_cast<const uint8_t*>(name)),
                    const_cast<uint8_t*>(static_cast<const uint8_t*>(value)), name_length, value_length,
                    NGHTTP2_NV_FLAG_NONE};
}

// The end of the line starting at `at` (the position of its '\n'), or nullptr.
const char* line_end(const char* at, const char* end) {
  return static_cast<const char*>(std::memchr(at, '\n', static_cast<size_t>(end - at)));
}

// Trims a CR and the blanks around [from, to).
void trim(const char** from, const char** to) {
  while (*from < *to && (**from == ' ' || **from == '\t')) ++*from;
  while (*to > *from && ((*to)[-1] == '\r' || (*to)[-1] == ' ' || (*to)[-1] == '\t')) --*to;
}

}  // namespace

H2RequestError h2_request_from_http1(const char* data, size_t size, const char* scheme, const char* authority,
                                     H2Request* out) {
  out->field_count = 0;
  out->dropped = 0;
  out->body = nullptr;
  out->body_size = 0;
  const char* end = data + size;
  const char* eol = line_end(data, end);
  if (eol == nullptr) return H2RequestError::request_line;
  const char* method_end = static_cast<const char*>(std::memchr(data, ' ', static_cast<size_t>(eol - data)));
  if (method_end == nullptr || method_end == data) return H2RequestError::request_line;
  const char* target = method_end + 1;
  const char* target_end = static_cast<const char*>(std::memchr(target, ' ', static_cast<size_t>(eol - target)));
  if (target_end == nullptr || target_end == target) return H2RequestError::request_line;
  // Absolute form (a proxy request): :path is what follows the authority.
  if (target_end - target > 8 && (std::memcmp(target, "http://", 7) == 0 || std::memcmp(target, "https://", 8) == 0)) {
    const char* host = target + (target[4] == 's' ? 8 : 7);
    const char* path = static_cast<const char*>(std::memchr(host, '/', static_cast<size_t>(target_end - host)));
    if (path != nullptr) {
      target = path;
    } else {
      target = "/";
      target_end = target + 1;
    }
  }

  // Room for every name lower-cased: never more than the request's own size.
  if (out->names.size() < size) out->names.resize(size);
  uint8_t* names = out->names.data();
  size_t names_used = 0;

  out->fields[0] = field(":method", 7, data, static_cast<size_t>(method_end - data));
  out->fields[1] = field(":scheme", 7, scheme, std::strlen(scheme));
  out->fields[2] = field(":authority", 10, authority, std::strlen(authority));
  out->fields[3] = field(":path", 5, target, static_cast<size_t>(target_end - target));
  out->field_count = 4;

  size_t content_length = SIZE_MAX;
  const char* at = eol + 1;
  for (;;) {
    eol = line_end(at, end);
    if (eol == nullptr) return H2RequestError::header;  // no blank line ends the header
    if (eol == at || (eol == at + 1 && *at == '\r')) {
      at = eol + 1;
      break;
    }
    const char* colon = static_cast<const char*>(std::memchr(at, ':', static_cast<size_t>(eol - at)));
    if (colon == nullptr || colon == at) return H2RequestError::header;
    const size_t name_length = static_cast<size_t>(colon - at);
    uint8_t* name = names + names_used;
    for (size_t i = 0; i < name_length; ++i) {
      const char c = at[i];
      name[i] = static_cast<uint8_t>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    const char* value = colon + 1;
    const char* value_end = eol;
    trim(&value, &value_end);
    const size_t value_length = static_cast<size_t>(value_end - value);
    at = eol + 1;
    if (equals_lower(name, name_length, "host")) {
      out->fields[2] = field(":authority", 10, value, value_length);
      continue;
    }
    // The one TE HTTP/2 allows (RFC 9113 8.2.2), and gRPC requires.
    const bool te_trailers = equals_lower(name, name_length, "te") && value_length == 8 && std::memcmp(value, "trailers", 8) == 0;
    if (connection_specific(name, name_length) && !te_trailers) {
      ++out->dropped;
      continue;
    }
    if (equals_lower(name, name_length, "content-length")) {
      content_length = 0;
      for (const char* c = value; c < value_end && *c >= '0' && *c <= '9'; ++c) content_length = content_length * 10 + static_cast<size_t>(*c - '0');
    }
    if (out->field_count == H2Request::kMaxFields) return H2RequestError::too_many_fields;
    names_used += name_length;
    out->fields[out->field_count++] = field(name, name_length, value, value_length);
  }
  const size_t rest = static_cast<size_t>(end - at);
  out->body = at;
  out->body_size = content_length < rest ? content_length : rest;
  return H2RequestError::none;
}

}  // namespace ratetest
