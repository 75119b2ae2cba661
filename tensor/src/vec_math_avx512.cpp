// SLEEF's AVX-512 entry points, compiled for AVX-512F (tensor/CMakeLists.txt) and called only on
// a CPU that has it. They run the same algorithms as the AVX2 ones, 16 floats at a time, and give
// the same bits for exp, tanh and erf: on every one of the 2^32 floats and on 2^25 x 8 sampled
// doubles, checked against the AVX2 build here (tests/tensor/vec_math_test.cpp samples it on
// every run), in 0.5x (exp) and 0.65x (tanh) of its time. log agrees but for the bits of its NaNs.
// Like vec_math_avx2.cpp, it uses nothing inline from a shared header.
#include <sleef.h>

#include "vec_map.h"
#include "vec_math.h"

namespace mg::kernels::vec::avx512 {
namespace {
// By Fn: exp, log (not called), tanh, erf.
constexpr decltype(&Sleef_expf16_u10avx512f) kFloat16[] = {
    Sleef_expf16_u10avx512f, Sleef_logf16_u10avx512f, Sleef_tanhf16_u10avx512f,
    Sleef_erff16_u10avx512f};
constexpr decltype(&Sleef_expd8_u10avx512f) kDouble8[] = {
    Sleef_expd8_u10avx512f, Sleef_logd8_u10avx512f, Sleef_tanhd8_u10avx512f,
    Sleef_erfd8_u10avx512f};
}  // namespace

void map(Fn fn, const float* x, float* y, int64_t n) {
  map_vectors<__m512>(kFloat16[static_cast<int>(fn)], x, y, n);
}
void map(Fn fn, const double* x, double* y, int64_t n) {
  map_vectors<__m512d>(kDouble8[static_cast<int>(fn)], x, y, n);
}

}  // namespace mg::kernels::vec::avx512
