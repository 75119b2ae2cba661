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

// The index of the first element whose bits differ, or -1.
template <typename Bits, typename T>
int64_t first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<Bits>(a[i]) != std::bit_cast<Bits>(b[i])) return static_cast<int64_t>(i);
  return -1;
}

TEST(VecMath, FloatsGiveTheBitsOfSleefsAvx2Build) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2 with FMA";
  // Every 4099th bit pattern: all signs and exponents, NaNs and infinities among them; an odd
  // length, so that the last vector is a padded tail.
  std::vector<float> x;
  for (uint64_t bits = 0; bits < (uint64_t{1} << 32); bits += 4099)
    x.push_back(std::bit_cast<float>(static_cast<uint32_t>(bits)));
  for (Fn fn : kFns) {
    std::vector<float> mapped(x.size()), reference(x.size());
    map(fn, x.data(), mapped.data(), static_cast<int64_t>(x.size()));
    avx2::map(fn, x.data(), reference.data(), static_cast<int64_t>(x.size()));
    const int64_t at = first_difference<uint32_t>(mapped, reference);
    EXPECT_EQ(at, -1) << "fn " << static_cast<int>(fn) << " at x = " << x[at];
  }
}

TEST(VecMath, DoublesGiveTheBitsOfSleefsAvx2Build) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2 with FMA";
  std::mt19937_64 engine(20261206);
  std::uniform_real_distribution<double> moderate(-40.0, 40.0);
  std::vector<double> x(1'000'003);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = i % 2 == 0 ? std::bit_cast<double>(engine()) : moderate(engine);
  for (Fn fn : kFns) {
    std::vector<double> mapped(x.size()), reference(x.size());
    map(fn, x.data(), mapped.data(), static_cast<int64_t>(x.size()));
    avx2::map(fn, x.data(), reference.data(), static_cast<int64_t>(x.size()));
    const int64_t at = first_difference<uint64_t>(mapped, reference);
    EXPECT_EQ(at, -1) << "fn " << static_cast<int>(fn) << " at x = " << x[at];
  }
}

}  // namespace
}  // namespace mg::kernels::vec
