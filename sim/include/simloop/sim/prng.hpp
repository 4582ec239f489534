#pragma once
// The simulator's PRNG: xoshiro256** (Blackman & Vigna) seeded through
// splitmix64, with Lemire's multiply-shift range reduction and rejection.
//
// Written out by hand so that a seed means the same run on every compiler and
// standard library: std::uniform_int_distribution and std::mt19937's seeding
// helpers are allowed to differ between implementations. Golden outputs are
// pinned in tests/sim/prng_test.cpp; changing anything here changes every
// recorded seed.
#include <cassert>
#include <cstdint>

namespace simloop::sim {

// splitmix64: expands one 64-bit seed into well-mixed words.
struct SplitMix64 {
  std::uint64_t state;
  constexpr explicit SplitMix64(std::uint64_t seed) noexcept : state(seed) {}
  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

class Xoshiro256 {
 public:
  constexpr explicit Xoshiro256(std::uint64_t seed) noexcept {
    SplitMix64 sm(seed);
    for (auto& w : s_) w = sm.next();  // never all zero: splitmix64 is a bijection of a counter
  }

  // xoshiro256**: the next 64 random bits.
  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n), n >= 1: Lemire's "nearly divisionless" method, exact
  // (rejects the biased low products). Portable: only 64x64->128 multiply.
  constexpr std::uint64_t below(std::uint64_t n) noexcept {
    assert(n >= 1);
    std::uint64_t high = 0;
    std::uint64_t low = mul128(next(), n, high);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
      while (low < threshold) low = mul128(next(), n, high);
    }
    return high;
  }

  // True with probability num/den.
  constexpr bool chance(std::uint64_t num, std::uint64_t den) noexcept { return below(den) < num; }

 private:
  // 64x64 -> 128-bit product by 32-bit halves (no __int128: pedantic, MSVC).
  static constexpr std::uint64_t mul128(std::uint64_t a, std::uint64_t b, std::uint64_t& high) noexcept {
    const std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
    const std::uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
    const std::uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    const std::uint64_t mid = (p0 >> 32) + (p1 & 0xffffffffULL) + (p2 & 0xffffffffULL);
    high = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
    return (mid << 32) | (p0 & 0xffffffffULL);
  }
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace simloop::sim
