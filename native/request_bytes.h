// request_bytes.h: one connection's current request, as a request source filled it in.
#pragma once
#include <cstddef>
#include <vector>

namespace ratetest {

// A source either points `data` at bytes it owns and keeps unchanged for the whole run
// (StaticSource: no copy at all), or writes into `buffer` and points `data` there. `buffer`
// belongs to the connection and is reused request after request; its size() is its capacity
// (the pump sizes it from the source's max_bytes_hint() before the run), so it never grows
// during the run unless a request is larger than the source foresaw.
struct RequestBytes {
  const char* data = nullptr;
  size_t size = 0;
  std::vector<char> buffer;
};

}  // namespace ratetest
