#include "minigrad/tensor/random.h"

#include <cmath>
#include <numbers>
#include <type_traits>

#include "avx_mathfun.h"

// About std::fma below: PyTorch compiles its random kernels once per CPU capability, and x86-64
// machines (the pip wheels, Debian's build) run the AVX2 copy, built with -mfma, in which GCC
// fuses each `a * b + c` into one fused multiply-add. std::fma at exactly those places, and
// nowhere else, reproduces PyTorch's floats bit for bit (checked against PyTorch 1.13 on 2^20
// randn values, 2^16 values of uniform_, normal_ and Dropout per dtype, seeds 0, 1, 7, 123).

namespace mg {

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  engine_.seed(static_cast<uint32_t>(seed));
  next_normal_.reset();
}

double Generator::normal64() {
  if (next_normal_) {
    const double sample = *next_normal_;
    next_normal_.reset();
    return sample;
  }
  const double u1 = uniform64();
  const double u2 = uniform64();
  // PyTorch 1.13 takes log(1 - u2), not log1p(-u2): they differ in the last bit of ~3% of samples.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - u2));
  const double theta = 2.0 * std::numbers::pi * u1;
  next_normal_ = radius * std::sin(theta);
  return radius * std::cos(theta);
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(uint64_t seed) {
  default_generator().manual_seed(seed);
}

namespace kernels {
namespace {

template <typename T>
T uniform01(Generator& gen) {
  if constexpr (std::is_same_v<T, float>)
    return gen.uniform32();
  else
    return gen.uniform64();
}

// normal_fill_16(_AVX2): Box-Muller on the pairs (data[j], data[j + 8]) of 16 uniforms.
void box_muller_16(float* data, float mean, float std) {
  const float two_pi = static_cast<float>(2.0 * std::numbers::pi);
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];  // [0, 1) -> (0, 1] for log
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2.0f * cephes_log(u1));
    float sin_theta, cos_theta;
    cephes_sincos(two_pi * u2, sin_theta, cos_theta);
    data[j] = std::fma(radius * cos_theta, std, mean);
    data[j + 8] = std::fma(radius * sin_theta, std, mean);
  }
}

// float64 has no AVX2 copy: PyTorch's generic normal_fill_16 with libm's log, cos and sin.
void box_muller_16(double* data, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    const double u1 = 1.0 - data[j];
    const double u2 = data[j + 8];
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    data[j] = std::fma(radius * std::cos(theta), std, mean);
    data[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

// MKL's vslNewStream(VSL_BRNG_MCG31, seed) + viRngBernoulli, seeded by one random() draw:
// x0 = seed mod m (0 becomes 1), u_i = x_i / m, x_{i+1} = a * x_i mod m; keep when u_i < q.
// Calls keep(i, kept) for i = 0, 1, ..., n - 1.
template <typename Keep>
void draw_keep_mask_mkl(int64_t n, double keep_prob, Generator& gen, Keep keep) {
  constexpr uint64_t m = 0x7FFFFFFF;  // 2^31 - 1
  constexpr uint64_t a = 1132489760;
  uint64_t x = gen.random() % m;
  if (x == 0) x = 1;
  for (int64_t i = 0; i < n; ++i) {
    keep(i, static_cast<double>(x) / m < keep_prob);
    x = a * x % m;
  }
}

// at::bernoulli_distribution<double>: one uniform64() per element.
template <typename Keep>
void draw_keep_mask_default(int64_t n, double keep_prob, Generator& gen, Keep keep) {
  for (int64_t i = 0; i < n; ++i) keep(i, gen.uniform64() < keep_prob);
}

auto into_bytes(uint8_t* keep) {
  return [keep](int64_t i, bool kept) { keep[i] = kept; };
}
// words must start cleared.
auto into_bits(uint64_t* words) {
  return [words](int64_t i, bool kept) { words[i >> 6] |= uint64_t{kept} << (i & 63); };
}

}  // namespace

template <typename T>
void uniform_fill(T* data, int64_t n, double from, double to, Generator& gen) {
  // PyTorch casts from and to to the dtype first, then maps in the dtype.
  const T low = static_cast<T>(from);
  const T range = static_cast<T>(to) - low;
  for (int64_t i = 0; i < n; ++i) data[i] = std::fma(uniform01<T>(gen), range, low);
}
template void uniform_fill(float*, int64_t, double, double, Generator&);
template void uniform_fill(double*, int64_t, double, double, Generator&);

template <typename T>
void normal_fill_serial(T* data, int64_t n, double mean, double std, Generator& gen) {
  for (int64_t i = 0; i < n; ++i) data[i] = static_cast<T>(std::fma(gen.normal64(), std, mean));
}
template void normal_fill_serial(float*, int64_t, double, double, Generator&);
template void normal_fill_serial(double*, int64_t, double, double, Generator&);

template <typename T>
void normal_fill(T* data, int64_t n, double mean, double std, Generator& gen) {
  if (n < 16) return normal_fill_serial(data, n, mean, std, gen);
  for (int64_t i = 0; i < n; ++i) data[i] = uniform01<T>(gen);
  for (int64_t i = 0; i + 16 <= n; i += 16)
    box_muller_16(data + i, static_cast<T>(mean), static_cast<T>(std));
  if (n % 16 != 0) {
    // As PyTorch does: re-draw the last 16 elements and transform them as one more block.
    T* tail = data + n - 16;
    for (int64_t i = 0; i < 16; ++i) tail[i] = uniform01<T>(gen);
    box_muller_16(tail, static_cast<T>(mean), static_cast<T>(std));
  }
}
template void normal_fill(float*, int64_t, double, double, Generator&);
template void normal_fill(double*, int64_t, double, double, Generator&);

void bernoulli_keep_mask_mkl(uint8_t* keep, int64_t n, double keep_prob, Generator& gen) {
  draw_keep_mask_mkl(n, keep_prob, gen, into_bytes(keep));
}
void bernoulli_keep_mask_default(uint8_t* keep, int64_t n, double keep_prob, Generator& gen) {
  draw_keep_mask_default(n, keep_prob, gen, into_bytes(keep));
}
void bernoulli_keep_bits_mkl(uint64_t* words, int64_t n, double keep_prob, Generator& gen) {
  draw_keep_mask_mkl(n, keep_prob, gen, into_bits(words));
}
void bernoulli_keep_bits_default(uint64_t* words, int64_t n, double keep_prob, Generator& gen) {
  draw_keep_mask_default(n, keep_prob, gen, into_bits(words));
}

}  // namespace kernels
}  // namespace mg
