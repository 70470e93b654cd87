// in_flight.h: the requests written on one connection and not yet answered, oldest first (HTTP/1.1
// answers in order; HTTP/2 streams leave by remove()), each with its intended send time, its actual write time and its request
// name, so every response is timed (and counted by name) from its own request even with
// --pipeline n. Fixed capacity, storage owned by
// the pump and handed over once; pushing and popping never allocate.
//
//   slots: [ (intended, written, name) | (intended, written, name) | ... ]   capacity = --pipeline
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
  void push(uint64_t intended_ns, uint64_t written_ns, int32_t name) {
    slots_[(first_ + size_) % capacity_] = Slot{intended_ns, written_ns, name};
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
  // HTTP/2 answers out of order: drops the entry equal to `slot` (one must be), moving the oldest
  // into its place. Entries that compare equal are interchangeable, so either may go.
  void remove(const Slot& slot) {
    for (uint32_t i = 0; i < size_; ++i) {
      Slot& entry = slots_[(first_ + i) % capacity_];
      if (entry.intended_ns == slot.intended_ns && entry.written_ns == slot.written_ns && entry.name == slot.name) {
        entry = slots_[first_];
        pop();
        return;
      }
    }
  }

 private:
  Slot* slots_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t first_ = 0;
  uint32_t size_ = 0;
};

}  // namespace ratetest
