// h2_pool.h: the nghttp2_mem allocator of one pump. Size-classed free lists over chunks kept for
// the pump's life, so nghttp2's per-stream objects (stream, header copies, HPACK entries) reuse
// memory instead of calling malloc. Single-threaded: one pool per pump, no locks.
//
//   class 0: 32 B blocks   free -> [blk] -> [blk] -> null     (each chunk: 64 KiB of one class)
//   class 1: 64 B blocks   ...
//   ...                    up to 64 KiB blocks; larger requests go to malloc (counted)
#pragma once
#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ratetest {

class H2Pool {
 public:
  H2Pool();
  ~H2Pool();
  H2Pool(const H2Pool&) = delete;
  H2Pool& operator=(const H2Pool&) = delete;

  nghttp2_mem* mem() { return &mem_; }
  void* allocate(size_t size);
  void release(void* pointer);
  void* reallocate(void* pointer, size_t size);

  // Allocations nghttp2 asked for (malloc, calloc, realloc with a new size).
  uint64_t calls() const { return calls_; }
  // Of those, the ones that reached the system allocator (a new chunk, or a block over 64 KiB).
  uint64_t system_allocations() const { return system_allocations_; }

 private:
  static constexpr int kClasses = 12;  // 32 B << 0 .. 32 B << 11 = 64 KiB
  static constexpr size_t kSmallest = 32;
  static constexpr size_t kChunkBytes = 64 * 1024;
  struct Block {
    Block* next;
  };
  void refill(int size_class);

  nghttp2_mem mem_;
  Block* free_[kClasses] = {};
  std::vector<void*> chunks_;
  uint64_t calls_ = 0;
  uint64_t system_allocations_ = 0;
};

}  // namespace ratetest
