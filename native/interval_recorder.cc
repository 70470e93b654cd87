// interval_recorder.cc: packing a closed interval into the ring (pump thread, once an interval)
// and unpacking it (JS thread). Allocation happens in the constructor and on the JS side only.
#include "interval_recorder.h"

#include <cstring>

namespace ratetest {
namespace {

uint64_t error_total(const Recorder& r) {
  uint64_t total = 0;
  for (int k = 0; k < kErrorKinds; ++k) total += r.errors[k].get();
  return total;
}

// The largest record: every status code and every bucket of both histograms non-zero.
size_t max_record_bytes(size_t buckets) {
  return sizeof(IntervalRecordHead) + kStatusCodes * 2 * sizeof(uint32_t) + 2 * buckets * (sizeof(uint32_t) + sizeof(uint16_t));
}

template <typename T>
void put(char** at, T value) {
  std::memcpy(*at, &value, sizeof value);
  *at += sizeof value;
}

template <typename T>
T get(const char* at, size_t i) {
  T value;
  std::memcpy(&value, at + i * sizeof(T), sizeof value);
  return value;
}

}  // namespace

IntervalRecorder::IntervalRecorder(uint64_t width_ns, const Histogram* layout)
    : width_ns_(width_ns),
      layout_(layout),
      base_status_(new uint64_t[kStatusCodes]()),
      ring_(kRingBytes),
      scratch_bytes_(max_record_bytes(layout->length())) {
  // Bucket indexes travel as 16 bits: 33,792 buckets for 1 ns .. 1 h at 3 digits.
  static_assert(kHistogramHighestNs == 3600ull * 1000000000ull, "re-check that bucket indexes fit in 16 bits");
  corrected_.counts.reset(new uint32_t[layout->length()]());
  uncorrected_.counts.reset(new uint32_t[layout->length()]());
  scratch_.reset(new char[scratch_bytes_]);
}

size_t IntervalRecorder::pack(const Recorder& totals, IntervalRecordHead* head) {
  uint32_t status_codes[kStatusCodes];
  uint32_t status_counts[kStatusCodes];
  head->statuses = 0;
  for (int code = 0; code < kStatusCodes; ++code) {
    const uint64_t count = totals.status[code].get() - base_status_[code];
    if (count == 0) continue;
    status_codes[head->statuses] = static_cast<uint32_t>(code);
    status_counts[head->statuses] = static_cast<uint32_t>(count);
    ++head->statuses;
  }
  head->corrected = 0;
  head->uncorrected = 0;
  for (size_t i = corrected_.low; i <= corrected_.high && corrected_.low != SIZE_MAX; ++i) head->corrected += corrected_.counts[i] != 0;
  for (size_t i = uncorrected_.low; i <= uncorrected_.high && uncorrected_.low != SIZE_MAX; ++i) head->uncorrected += uncorrected_.counts[i] != 0;
  char* at = scratch_.get();
  put(&at, *head);
  std::memcpy(at, status_codes, head->statuses * sizeof(uint32_t));
  at += head->statuses * sizeof(uint32_t);
  std::memcpy(at, status_counts, head->statuses * sizeof(uint32_t));
  at += head->statuses * sizeof(uint32_t);
  for (const Open* open : {&corrected_, &uncorrected_}) {
    for (size_t i = open->low; i <= open->high && open->low != SIZE_MAX; ++i) {
      if (open->counts[i] != 0) put(&at, open->counts[i]);
    }
  }
  for (const Open* open : {&corrected_, &uncorrected_}) {
    for (size_t i = open->low; i <= open->high && open->low != SIZE_MAX; ++i) {
      if (open->counts[i] != 0) put(&at, static_cast<uint16_t>(i));
    }
  }
  return static_cast<size_t>(at - scratch_.get());
}

void IntervalRecorder::reset_open() {
  for (Open* open : {&corrected_, &uncorrected_}) {
    if (open->low != SIZE_MAX) std::memset(&open->counts[open->low], 0, (open->high - open->low + 1) * sizeof(uint32_t));
    open->low = SIZE_MAX;
    open->high = 0;
  }
}

bool IntervalRecorder::close(uint64_t last, uint64_t end_ns, uint64_t due, const Recorder& totals) {
  IntervalRecordHead head{};
  head.first = open_first_;
  head.last = last;
  head.end_ns = end_ns;
  head.due = due - base_due_;
  head.sent = totals.sent.get() - base_sent_;
  head.completed = totals.completed.get() - base_completed_;
  head.errors = error_total(totals) - base_errors_;
  const size_t bytes = pack(totals, &head);
  if (!ring_.push(scratch_.get(), bytes, nullptr, 0)) {
    leftover_head_ = head;
    leftover_bytes_ = bytes;
    return false;
  }
  leftover_bytes_ = 0;
  reset_open();
  open_first_ = last + 1;
  base_due_ = due;
  base_sent_ += head.sent;
  base_completed_ += head.completed;
  base_errors_ += head.errors;
  for (int code = 0; code < kStatusCodes; ++code) base_status_[code] = totals.status[code].get();
  return true;
}

void IntervalRecorder::unpack(const char* payload, IntervalData* out) const {
  std::memcpy(&out->head, payload, sizeof out->head);
  const IntervalRecordHead& h = out->head;
  const char* codes = payload + sizeof h;
  const char* status_counts = codes + h.statuses * sizeof(uint32_t);
  const char* counts = status_counts + h.statuses * sizeof(uint32_t);
  const char* indexes = counts + (h.corrected + h.uncorrected) * sizeof(uint32_t);
  for (uint32_t i = 0; i < h.statuses; ++i) {
    out->status.push_back(get<uint32_t>(codes, i));
    out->status.push_back(get<uint32_t>(status_counts, i));
  }
  for (uint32_t i = 0; i < h.corrected + h.uncorrected; ++i) {
    std::vector<double>& pairs = i < h.corrected ? out->corrected : out->uncorrected;
    pairs.push_back(static_cast<double>(layout_->value_at(get<uint16_t>(indexes, i))));
    pairs.push_back(get<uint32_t>(counts, i));
  }
}

void IntervalRecorder::drain(const std::function<void(IntervalData&&)>& each) {
  size_t size = 0;
  for (const char* payload = ring_.peek(&size); payload != nullptr; payload = ring_.peek(&size)) {
    IntervalData data;
    unpack(payload, &data);
    ring_.pop();
    each(std::move(data));
  }
}

bool IntervalRecorder::leftover(IntervalData* out) const {
  if (leftover_bytes_ == 0) return false;
  unpack(scratch_.get(), out);
  return true;
}

}  // namespace ratetest
