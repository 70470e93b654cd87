// byte_ring.h: a single-producer single-consumer queue of variable-length records in one fixed
// block of memory, allocated once. Scripts use two per pump: requests flow JavaScript -> pump,
// tapped responses flow pump -> JavaScript. Neither side ever waits or allocates: a full ring
// refuses the record (the producer keeps it or counts it dropped), an empty one says so.
//
//   storage: [len|payload...pad][len|payload...][SKIP: rest of the block unused]
//              ^ read_ (consumer)                ^ write_ (producer)      (wraps to offset 0)
//
// Positions only grow (64-bit); position % capacity is the offset. A record never wraps: when
// it would not fit before the end of the block, the producer marks the rest as skipped.
#pragma once
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

namespace ratetest {

class ByteRing {
 public:
  // capacity: bytes, a multiple of 8.
  explicit ByteRing(size_t capacity) : capacity_(capacity), storage_(new char[capacity]) {}

  size_t capacity() const { return capacity_; }
  // The largest payload a record can carry.
  size_t max_payload() const { return capacity_ / 2 - kHeader; }
  uint64_t records_queued() const {
    return pushed_.load(std::memory_order_acquire) - popped_.load(std::memory_order_acquire);
  }

  // Producer: one record made of two parts (either may be empty). False when it does not fit now.
  bool push(const void* a, size_t a_size, const void* b, size_t b_size) {
    const size_t payload = a_size + b_size;
    if (payload > max_payload()) return false;
    const size_t need = round_up(kHeader + payload);
    const uint64_t write = write_.load(std::memory_order_relaxed);
    const uint64_t read = read_.load(std::memory_order_acquire);
    const size_t offset = static_cast<size_t>(write % capacity_);
    const size_t tail = capacity_ - offset;
    const size_t skip = tail < need ? tail : 0;
    if (write + skip + need - read > capacity_) return false;
    if (skip > 0) put_length(offset, kSkip);
    const size_t at = static_cast<size_t>((write + skip) % capacity_);
    put_length(at, static_cast<uint32_t>(payload));
    if (a_size > 0) std::memcpy(storage_.get() + at + kHeader, a, a_size);
    if (b_size > 0) std::memcpy(storage_.get() + at + kHeader + a_size, b, b_size);
    write_.store(write + skip + need, std::memory_order_release);
    pushed_.store(pushed_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    return true;
  }

  // Consumer: the oldest record's payload, or nullptr when the ring is empty. Stays valid until pop().
  const char* peek(size_t* size) {
    uint64_t read = read_.load(std::memory_order_relaxed);
    if (read == write_.load(std::memory_order_acquire)) return nullptr;
    size_t offset = static_cast<size_t>(read % capacity_);
    uint32_t length = get_length(offset);
    if (length == kSkip) {
      read += capacity_ - offset;
      read_.store(read, std::memory_order_release);
      if (read == write_.load(std::memory_order_acquire)) return nullptr;
      offset = 0;
      length = get_length(0);
    }
    *size = length;
    return storage_.get() + offset + kHeader;
  }

  // Consumer: releases the record peek() returned.
  void pop() {
    const uint64_t read = read_.load(std::memory_order_relaxed);
    const size_t offset = static_cast<size_t>(read % capacity_);
    read_.store(read + round_up(kHeader + get_length(offset)), std::memory_order_release);
    popped_.store(popped_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

 private:
  static constexpr size_t kHeader = 8;
  static constexpr uint32_t kSkip = 0xFFFFFFFFu;
  static size_t round_up(size_t n) { return (n + 7) & ~static_cast<size_t>(7); }
  void put_length(size_t offset, uint32_t length) { std::memcpy(storage_.get() + offset, &length, sizeof length); }
  uint32_t get_length(size_t offset) const {
    uint32_t length;
    std::memcpy(&length, storage_.get() + offset, sizeof length);
    return length;
  }

  const size_t capacity_;
  std::unique_ptr<char[]> storage_;
  // Each written by one side only; the other side reads them.
  alignas(64) std::atomic<uint64_t> write_{0};
  std::atomic<uint64_t> pushed_{0};
  alignas(64) std::atomic<uint64_t> read_{0};
  std::atomic<uint64_t> popped_{0};
};

}  // namespace ratetest
