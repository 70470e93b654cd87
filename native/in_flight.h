// in_flight.h: the requests written on one connection and not yet answered, oldest first (HTTP/1.1
// answers in order), each with its intended send time, its actual write time and its request
// name, so every response is timed (and counted by name) from its own request even with
// --pipeline n. Fixed capacity, storage owned by
// the pump and handed over once; pushing and popping never allocate.
//
//   slots: [ (intended, written, name, head) | (intended, written, name, head) | ... ]   capacity = --pipeline
//             ^ first_                   size_ entries from first_, wrapping
#pragma once
#include <cstdint>

namespace ratetest {

class InFlight {
 public:
  struct Slot {
    uint64_t intended_ns;
    uint64_t written_ns;
    int32_t name;
    bool head_request;  // a HEAD request: its response has no body, whatever it says
    uint64_t seq;       // the run's request number k: an HTTP/2 stream refused by GOAWAY is rebuilt from it
  };

  void attach(Slot* storage, uint32_t capacity) {
    slots_ = storage;
    capacity_ = capacity;
    first_ = size_ = 0;
  }
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }
  // Only while !full().
  void push(const Slot& slot) {
    slots_[(first_ + size_) % capacity_] = slot;
    ++size_;
  }
  // Only while !empty().
  const Slot& oldest() const { return slots_[first_]; }
  // i-th oldest, i < size().
  const Slot& at(uint32_t i) const { return slots_[(first_ + i) % capacity_]; }
  void pop() {
    first_ = (first_ + 1) % capacity_;
    --size_;
  }
  void clear() { first_ = size_ = 0; }

 private:
  Slot* slots_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t first_ = 0;
  uint32_t size_ = 0;
};

}  // namespace ratetest
