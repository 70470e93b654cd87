// h2_pool.cc: size-classed free lists for nghttp2 (see h2_pool.h). Every block carries a 16-byte
// header holding its class (or, past the largest class, its size) so release() and reallocate()
// need no lookup.
#include "h2_pool.h"

#include <cstdlib>
#include <cstring>

namespace ratetest {
namespace {

// 16 bytes keep the payload as aligned as malloc's.
struct alignas(16) Header {
  uint64_t size_class;  // kLarge for a block from malloc
  uint64_t size;        // the payload's capacity
};
constexpr uint64_t kLarge = ~0ull;

Header* header_of(void* pointer) { return static_cast<Header*>(pointer) - 1; }

}  // namespace

H2Pool::H2Pool() {
  mem_.mem_user_data = this;
  mem_.malloc = [](size_t size, void* self) { return static_cast<H2Pool*>(self)->allocate(size); };
  mem_.free = [](void* pointer, void* self) { static_cast<H2Pool*>(self)->release(pointer); };
  mem_.calloc = [](size_t count, size_t size, void* self) -> void* {
    if (size != 0 && count > SIZE_MAX / size) return nullptr;
    void* pointer = static_cast<H2Pool*>(self)->allocate(count * size);
    if (pointer != nullptr) std::memset(pointer, 0, count * size);
    return pointer;
  };
  mem_.realloc = [](void* pointer, size_t size, void* self) { return static_cast<H2Pool*>(self)->reallocate(pointer, size); };
}

H2Pool::~H2Pool() {
  for (void* chunk : chunks_) std::free(chunk);
}

void H2Pool::refill(int size_class) {
  const size_t block = sizeof(Header) + (kSmallest << size_class);
  const size_t count = kChunkBytes / block > 0 ? kChunkBytes / block : 1;
  char* chunk = static_cast<char*>(std::malloc(block * count));
  if (chunk == nullptr) return;
  ++system_allocations_;
  chunks_.push_back(chunk);
  for (size_t i = 0; i < count; ++i) {
    Header* header = reinterpret_cast<Header*>(chunk + i * block);
    header->size_class = static_cast<uint64_t>(size_class);
    header->size = kSmallest << size_class;
    Block* free_block = reinterpret_cast<Block*>(header + 1);
    free_block->next = free_[size_class];
    free_[size_class] = free_block;
  }
}

void* H2Pool::allocate(size_t size) {
  ++calls_;
  int size_class = 0;
  while (size_class < kClasses && (kSmallest << size_class) < size) ++size_class;
  if (size_class == kClasses) {
    Header* header = static_cast<Header*>(std::malloc(sizeof(Header) + size));
    if (header == nullptr) return nullptr;
    ++system_allocations_;
    header->size_class = kLarge;
    header->size = size;
    return header + 1;
  }
  if (free_[size_class] == nullptr) refill(size_class);
  Block* block = free_[size_class];
  if (block == nullptr) return nullptr;
  free_[size_class] = block->next;
  return block;
}

void H2Pool::release(void* pointer) {
  if (pointer == nullptr) return;
  Header* header = header_of(pointer);
  if (header->size_class == kLarge) {
    std::free(header);
    return;
  }
  Block* block = static_cast<Block*>(pointer);
  block->next = free_[header->size_class];
  free_[header->size_class] = block;
}

void* H2Pool::reallocate(void* pointer, size_t size) {
  if (pointer == nullptr) return allocate(size);
  if (size == 0) {
    release(pointer);
    return nullptr;
  }
  const size_t capacity = header_of(pointer)->size;
  if (size <= capacity) return pointer;
  void* grown = allocate(size);
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, pointer, capacity);
  release(pointer);
  return grown;
}

}  // namespace ratetest
