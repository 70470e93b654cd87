// in_flight.h: the requests written on one connection and not yet answered, oldest first (HTTP/1.1
// answers in order), each with its intended send time and its actual write time, so every
// response is timed from its own request even with --pipeline n. Fixed capacity, storage owned by
// the pump and handed over once; pushing and popping never allocate.
//
//   slots: [ (intended, written) | (intended, written) | ... ]   capacity = --pipeline
//             ^ first_                   size_ entries from first_, wrapping
#pragma once
#include <cstdint>

namespace ratetest {

class InFlight {
 public:
  void attach(uint64_t* storage, uint32_t capacity) {
    slots_ = storage;
    capacity_ = capacity;
    first_ = size_ = 0;
  }
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }
  // Only while !full().
  void push(uint64_t intended_ns, uint64_t written_ns) {
    const uint32_t at = (first_ + size_) % capacity_;
    slots_[2 * at] = intended_ns;
    slots_[2 * at + 1] = written_ns;
    ++size_;
  }
  // Only while !empty().
  uint64_t oldest_intended_ns() const { return slots_[2 * first_]; }
  uint64_t oldest_written_ns() const { return slots_[2 * first_ + 1]; }
  void pop() {
    first_ = (first_ + 1) % capacity_;
    --size_;
  }
  void clear() { first_ = size_ = 0; }

 private:
  uint64_t* slots_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t first_ = 0;
  uint32_t size_ = 0;
};

}  // namespace ratetest
