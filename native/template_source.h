// template_source.h: expands the compiled request templates (template_program.h) into a
// connection's buffer, one request per call, with no allocation once the buffers are sized
// (they are, from the program's largest request, before the run) and no JavaScript.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "prng.h"
#include "request_source.h"
#include "template_program.h"

namespace ratetest {

class TemplateSource final : public RequestSource {
 public:
  TemplateSource(std::shared_ptr<const TemplateProgram> program, uint32_t pump_index);

  int next(uint64_t seq, uint64_t now_ns, RequestBytes* out) override;
  bool head(int name) const override { return program_->requests[static_cast<size_t>(name)].head_response; }
  int names() const override { return program_->named ? static_cast<int>(program_->requests.size()) : 0; }
  size_t max_bytes_hint() const override { return program_->max_bytes; }

 private:
  // Appends to a buffer whose size() is its capacity; grows (allocates) only past the largest
  // request seen so far, which the pre-sizing makes never happen for a checked program.
  struct Writer {
    std::vector<char>* buffer;
    size_t length;
    char* reserve(size_t n);
    void put(const char* data, size_t n);
  };

  void expand(uint32_t first, uint32_t count, uint64_t seq, Writer* writer);
  void put_csv(const TemplateStep& step, uint64_t seq, Writer* writer);
  uint64_t realtime_ns();

  std::shared_ptr<const TemplateProgram> program_;
  Prng prng_;
  std::vector<char> body_;  // a body is expanded here first, so its length can precede it
  uint64_t csv_row_ = 0;    // the CSV row of the request being expanded
  bool csv_row_chosen_ = false;
  uint64_t realtime_cache_ns_ = 0;  // one clock read per request, shared by its time slots
};

}  // namespace ratetest
