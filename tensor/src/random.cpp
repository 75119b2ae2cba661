#include "minigrad/tensor/random.h"

#include <bit>
#include <cmath>
#include <numbers>
#include <type_traits>

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

uint64_t Generator::random64() {
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

float Generator::uniform32() {
  return static_cast<float>(random() & 0xFFFFFF) * 0x1p-24f;
}

double Generator::uniform64() {
  return static_cast<double>(random64() & ((uint64_t{1} << 53) - 1)) * 0x1p-53;
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

// PyTorch's float32 normal_ on 16 or more elements runs normal_fill_16_AVX2, whose log and sincos
// are avx_mathfun.h's Cephes polynomials, not libm's. These are their scalar copies, one float
// operation per vector instruction, for x in the ranges Box-Muller feeds them.

// log(x) for x = 1 - u in [2^-24, 1]: normal and positive, so log256_ps's guards never fire.
float cephes_log(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  float exponent = static_cast<float>(static_cast<int32_t>(bits >> 23) - 127) + 1.0f;
  const float mantissa = std::bit_cast<float>((bits & ~0x7f800000u) | 0x3f000000u);  // [0.5, 1)
  if (mantissa < 0.707106781186547524f) {  // sqrt(1/2): keep x - 1 small
    exponent -= 1.0f;
    x = (mantissa - 1.0f) + mantissa;
  } else {
    x = mantissa - 1.0f;
  }
  const float z = x * x;
  float y = 7.0376836292E-2f;
  y = std::fma(y, x, -1.1514610310E-1f);
  y = std::fma(y, x, 1.1676998740E-1f);
  y = std::fma(y, x, -1.2420140846E-1f);
  y = std::fma(y, x, 1.4249322787E-1f);
  y = std::fma(y, x, -1.6668057665E-1f);
  y = std::fma(y, x, 2.0000714765E-1f);
  y = std::fma(y, x, -2.4999993993E-1f);
  y = std::fma(y, x, 3.3333331174E-1f);
  y = y * x;
  y = std::fma(y, z, exponent * -2.12194440e-4f);
  y = y - 0.5f * z;
  return std::fma(exponent, 0.693359375f, x + y);  // log(2) split in two parts
}

// sin(x) and cos(x) for x = 2 pi u in [0, 2 pi).
void cephes_sincos(float x, float& sin_x, float& cos_x) {
  const int32_t octant = (static_cast<int32_t>(x * 1.27323954473516f) + 1) & ~1;  // x * 4/pi
  const float y = static_cast<float>(octant);
  // x - octant * pi/4 with pi/4 split in three parts.
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const float z = x * x;
  float cos_poly = 2.443315711809948E-005f;
  cos_poly = std::fma(cos_poly, z, -1.388731625493765E-003f);
  cos_poly = std::fma(cos_poly, z, 4.166664568298827E-002f);
  cos_poly = cos_poly * z;
  cos_poly = std::fma(cos_poly, z, -0.5f * z) + 1.0f;
  float sin_poly = -1.9515295891E-4f;
  sin_poly = std::fma(sin_poly, z, 8.3321608736E-3f);
  sin_poly = std::fma(sin_poly, z, -1.6666654611E-1f);
  sin_poly = sin_poly * z;
  sin_poly = std::fma(sin_poly, x, x);
  // The octant decides which polynomial is the sine and which the cosine, and their signs.
  const bool swap = (octant & 2) != 0;
  sin_x = swap ? cos_poly : sin_poly;
  cos_x = swap ? sin_poly : cos_poly;
  if (octant & 4) sin_x = -sin_x;
  if (((octant - 2) & 4) == 0) cos_x = -cos_x;
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

template <typename T>
void uniform_fill_impl(T* data, int64_t n, double from, double to, Generator& gen) {
  // PyTorch casts from and to to the dtype first, then maps in the dtype.
  const T low = static_cast<T>(from);
  const T range = static_cast<T>(to) - low;
  for (int64_t i = 0; i < n; ++i) data[i] = std::fma(uniform01<T>(gen), range, low);
}

template <typename T>
void normal_fill_serial_impl(T* data, int64_t n, double mean, double std, Generator& gen) {
  for (int64_t i = 0; i < n; ++i) data[i] = static_cast<T>(std::fma(gen.normal64(), std, mean));
}

template <typename T>
void normal_fill_impl(T* data, int64_t n, double mean, double std, Generator& gen) {
  if (n < 16) return normal_fill_serial_impl(data, n, mean, std, gen);
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

}  // namespace

void uniform_fill(float* data, int64_t n, double from, double to, Generator& gen) {
  uniform_fill_impl(data, n, from, to, gen);
}
void uniform_fill(double* data, int64_t n, double from, double to, Generator& gen) {
  uniform_fill_impl(data, n, from, to, gen);
}
void normal_fill(float* data, int64_t n, double mean, double std, Generator& gen) {
  normal_fill_impl(data, n, mean, std, gen);
}
void normal_fill(double* data, int64_t n, double mean, double std, Generator& gen) {
  normal_fill_impl(data, n, mean, std, gen);
}
void normal_fill_serial(float* data, int64_t n, double mean, double std, Generator& gen) {
  normal_fill_serial_impl(data, n, mean, std, gen);
}
void normal_fill_serial(double* data, int64_t n, double mean, double std, Generator& gen) {
  normal_fill_serial_impl(data, n, mean, std, gen);
}

// MKL's vslNewStream(VSL_BRNG_MCG31, seed) + viRngBernoulli, seeded by one random() draw:
// x0 = seed mod m (0 becomes 1), u_i = x_i / m, x_{i+1} = a * x_i mod m; keep when u_i < q.
void bernoulli_keep_mask_mkl(uint8_t* keep, int64_t n, double keep_prob, Generator& gen) {
  constexpr uint64_t m = 0x7FFFFFFF;  // 2^31 - 1
  constexpr uint64_t a = 1132489760;
  uint64_t x = gen.random() % m;
  if (x == 0) x = 1;
  for (int64_t i = 0; i < n; ++i) {
    keep[i] = static_cast<double>(x) / m < keep_prob;
    x = a * x % m;
  }
}

// at::bernoulli_distribution<double>: one uniform64() per element.
void bernoulli_keep_mask_default(uint8_t* keep, int64_t n, double keep_prob, Generator& gen) {
  for (int64_t i = 0; i < n; ++i) keep[i] = gen.uniform64() < keep_prob;
}

}  // namespace kernels
}  // namespace mg
