#pragma once

#include <cstdint>

// Transcendentals over arrays, from SLEEF: the library PyTorch's Vectorized<float> and
// Vectorized<double> call for exp, log, tanh and erf (its u10 functions, within one ulp). On a
// CPU with AVX2 and FMA they run SLEEF's AVX2 build, which is what PyTorch's AVX2 kernels run, and
// so give its bits, or where the CPU has AVX-512 its AVX-512 build, which gives the same bits
// (vec_math_avx512.cpp) faster; elsewhere SLEEF's SSE2 build (same accuracy, its own last bits).
// y[i] = f(x[i]) for 0 <= i < n. y may be x; otherwise the two must not overlap. A tail shorter
// than a vector is computed as a whole vector padded with zeros, as PyTorch's loops do.
namespace mg::kernels::vec {

enum class Fn { Exp, Log, Tanh, Erf };

void map(Fn fn, const float* x, float* y, int64_t n);
void map(Fn fn, const double* x, double* y, int64_t n);

template <typename T>
void exp(const T* x, T* y, int64_t n) {
  map(Fn::Exp, x, y, n);
}
template <typename T>
void log(const T* x, T* y, int64_t n) {
  map(Fn::Log, x, y, n);
}
template <typename T>
void tanh(const T* x, T* y, int64_t n) {
  map(Fn::Tanh, x, y, n);
}
template <typename T>
void erf(const T* x, T* y, int64_t n) {
  map(Fn::Erf, x, y, n);
}

// The AVX2 build of map (vec_math_avx2.cpp, compiled for AVX2 with FMA): only for a CPU that has
// both.
namespace avx2 {
void map(Fn fn, const float* x, float* y, int64_t n);
void map(Fn fn, const double* x, double* y, int64_t n);
}  // namespace avx2

// The AVX-512 build (vec_math_avx512.cpp): only for a CPU with AVX-512F, and not for Fn::Log,
// whose NaNs (the log of a negative number) come out with other bits than the AVX2 build's.
namespace avx512 {
void map(Fn fn, const float* x, float* y, int64_t n);
void map(Fn fn, const double* x, double* y, int64_t n);
}  // namespace avx512

}  // namespace mg::kernels::vec
