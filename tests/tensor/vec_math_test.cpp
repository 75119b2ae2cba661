// vec::map, which picks SLEEF's AVX-512, AVX2 or SSE2 build by the CPU, against the AVX2 build
// that PyTorch's AVX2 kernels run: bit for bit, NaNs included, on floats of every exponent and
// on doubles drawn as random bit patterns.
#include "vec_math.h"  // internal header: tests add tensor/src to the include path

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "cpu_dispatch.h"

namespace mg::kernels::vec {
namespace {

constexpr Fn kFns[] = {Fn::Exp, Fn::Log, Fn::Tanh, Fn::Erf};

// map(fn, x) against avx2::map(fn, x) for every fn, compared as Bits: the first x that differs.
template <typename Bits, typename T>
void expect_avx2_bits(const std::vector<T>& x) {
  const auto n = static_cast<int64_t>(x.size());
  for (Fn fn : kFns) {
    std::vector<T> mapped(x.size()), reference(x.size());
    map(fn, x.data(), mapped.data(), n);
    avx2::map(fn, x.data(), reference.data(), n);
    const auto differs = [&](size_t i) {
      return std::bit_cast<Bits>(mapped[i]) != std::bit_cast<Bits>(reference[i]);
    };
    size_t i = 0;
    while (i < x.size() && !differs(i)) ++i;
    EXPECT_EQ(i, x.size()) << "fn " << static_cast<int>(fn) << " at x = " << x[i];
  }
}

TEST(VecMath, FloatsGiveTheBitsOfSleefsAvx2Build) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2 with FMA";
  // Every 4099th bit pattern: all signs and exponents, NaNs and infinities among them; an odd
  // length, so that the last vector is a padded tail.
  std::vector<float> x;
  for (uint64_t bits = 0; bits < (uint64_t{1} << 32); bits += 4099)
    x.push_back(std::bit_cast<float>(static_cast<uint32_t>(bits)));
  expect_avx2_bits<uint32_t>(x);
}

TEST(VecMath, DoublesGiveTheBitsOfSleefsAvx2Build) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2 with FMA";
  std::mt19937_64 engine(20261206);
  std::uniform_real_distribution<double> moderate(-40.0, 40.0);
  std::vector<double> x(1'000'003);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = i % 2 == 0 ? std::bit_cast<double>(engine()) : moderate(engine);
  expect_avx2_bits<uint64_t>(x);
}

}  // namespace
}  // namespace mg::kernels::vec
