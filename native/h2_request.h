// h2_request.h: one HTTP/1.1 request's bytes (what every request source produces) as an HTTP/2
// request: pseudo-headers, lower-case header fields and the body, pointing into the original
// bytes. Drops the connection-specific fields HTTP/2 forbids. Allocates nothing once its name
// buffer has grown to the largest request's header names.
#pragma once
#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ratetest {

struct H2Request {
  static constexpr size_t kMaxFields = 128;
  nghttp2_nv fields[kMaxFields];
  size_t field_count = 0;
  const char* body = nullptr;
  size_t body_size = 0;
  uint32_t dropped = 0;  // Connection, Keep-Alive, Transfer-Encoding, Upgrade, Proxy-Connection, TE but "trailers"
  std::vector<uint8_t> names;  // lower-cased header names; fields point into it
};

enum class H2RequestError { none = 0, request_line, header, too_many_fields };

// Parses `size` bytes of one HTTP/1.1 request into *out. `scheme` is "http" or "https";
// `authority` stands in for :authority when the request has no Host field. The fields point into
// `data`, `scheme`, `authority` and out->names, which must outlive the submit.
H2RequestError h2_request_from_http1(const char* data, size_t size, const char* scheme, const char* authority,
                                     H2Request* out);

}  // namespace ratetest
