// Golden outputs of the simulator's PRNG. A seed must mean the same run on
// every compiler and standard library, so these values are fixed forever:
// they were computed by an independent Python implementation of splitmix64,
// xoshiro256** and Lemire's range reduction (arbitrary-precision integers),
// and splitmix64(0)'s first output is the published reference value.
#include <simloop/sim/prng.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

namespace sim = simloop::sim;

TEST_CASE("splitmix64 reference values", "[prng]") {
  sim::SplitMix64 g(0);
  CHECK(g.next() == 0xe220a8397b1dcdafULL);
  CHECK(g.next() == 0x6e789e6aa1b965f4ULL);
  CHECK(g.next() == 0x06c45d188009454fULL);
}

TEST_CASE("xoshiro256** seeded through splitmix64: golden outputs", "[prng]") {
  sim::Xoshiro256 a(0);
  CHECK(a.next() == 0x99ec5f36cb75f2b4ULL);
  CHECK(a.next() == 0xbf6e1f784956452aULL);
  CHECK(a.next() == 0x1a5f849d4933e6e0ULL);
  CHECK(a.next() == 0x6aa594f1262d2d2cULL);
  sim::Xoshiro256 b(42);
  CHECK(b.next() == 0x15780b2e0c2ec716ULL);
  CHECK(b.next() == 0x6104d9866d113a7eULL);
  CHECK(b.next() == 0xae17533239e499a1ULL);
  CHECK(b.next() == 0xecb8ad4703b360a1ULL);
}

TEST_CASE("range reduction is Lemire's, exactly: golden values", "[prng]") {
  sim::Xoshiro256 a(42);
  std::array<std::uint64_t, 16> got{};
  for (auto& v : got) v = a.below(10);
  CHECK(got == std::array<std::uint64_t, 16>{0, 3, 6, 9, 9, 7, 7, 8, 7, 5, 6, 2, 8, 3, 7, 8});
  sim::Xoshiro256 b(7);
  for (auto& v : got) v = b.below(3);
  CHECK(got == std::array<std::uint64_t, 16>{2, 0, 2, 2, 2, 2, 0, 0, 1, 0, 1, 2, 2, 2, 1, 1});
  sim::Xoshiro256 c(1);
  CHECK(c.below(1000000007) == 702921838);
  CHECK(c.below(1000000007) == 520436623);
  CHECK(c.below(1000000007) == 574105704);
  CHECK(c.below(1000000007) == 391328604);
}

TEST_CASE("below(n) stays in range and below(1) is 0", "[prng]") {
  sim::Xoshiro256 r(3);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(r.below(1) == 0);
    REQUIRE(r.below(7) < 7);
    REQUIRE(r.below(0xffffffffffffffffULL) < 0xffffffffffffffffULL);
  }
}
