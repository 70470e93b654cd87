// prng.h: the pumps' random numbers: xoshiro256** (Blackman & Vigna), seeded through splitmix64.
// One generator per pump, so no state is shared; a few nanoseconds per number.
#pragma once
#include <cstdint>

namespace ratetest {

inline uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Prng {
 public:
  // Pumps of one run share the run's seed and differ by stream, so their sequences never overlap
  // in practice and a run with a fixed seed repeats exactly.
  Prng(uint64_t seed, uint64_t stream) {
    uint64_t sm = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (uint64_t& word : s_) word = splitmix64(&sm);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, span], unbiased (Lemire's multiply-and-reject). span = 2^64 - 1 is every value.
  uint64_t below_or_at(uint64_t span) {
    if (span == UINT64_MAX) return next();
    const uint64_t range = span + 1;
    unsigned __int128 product = static_cast<unsigned __int128>(next()) * range;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < range) {
      const uint64_t threshold = (0 - range) % range;
      while (low < threshold) {
        product = static_cast<unsigned __int128>(next()) * range;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<uint64_t>(product >> 64);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace ratetest
