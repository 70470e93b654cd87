// error_codes.h: every `code` a native error carries across the N-API boundary, in one list.
// src/ maps each to its RatetestError (ERR_TLS_CONFIG, ERR_FD_LIMIT and ERR_IO_URING are usage-class: exit 2);
// an error thrown without a code is a failure of the addon itself. Nothing here throws.
#pragma once

namespace ratetest {

enum class NativeError {
  fd_limit,    // the connections need more file descriptors than the hard limit allows
  tls_config,  // a --ca, --cert or --key file OpenSSL will not take
  http2_version,  // --http2, and the nghttp2 inside Node is older than the headers built against
  io_uring,       // --io-engine io_uring, and this kernel or its sandbox refuses io_uring
};

constexpr const char* error_code(NativeError error) {
  switch (error) {
    case NativeError::fd_limit:
      return "ERR_FD_LIMIT";
    case NativeError::tls_config:
      return "ERR_TLS_CONFIG";
    case NativeError::http2_version:
      return "ERR_HTTP2_VERSION";
    case NativeError::io_uring:
      return "ERR_IO_URING";
  }
  return "ERR_RUN";
}

}  // namespace ratetest
