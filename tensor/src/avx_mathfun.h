#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

// Math that PyTorch computes with polynomials of its own rather than SLEEF's, kept apart from the
// kernels that call it. About std::fma: see random.cpp.
namespace mg::kernels {

// PyTorch's float32 normal_ on 16 or more elements runs normal_fill_16_AVX2, whose log and sincos
// are avx_mathfun.h's Cephes polynomials, not libm's. These are their scalar copies, one float
// operation per vector instruction, for x in the ranges Box-Muller feeds them.

// log(x) for x = 1 - u in [2^-24, 1]: normal and positive, so log256_ps's guards never fire.
inline float cephes_log(float x) {
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
inline void cephes_sincos(float x, float& sin_x, float& cos_x) {
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

}  // namespace mg::kernels
