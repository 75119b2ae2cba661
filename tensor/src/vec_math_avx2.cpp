// SLEEF's AVX2 entry points, which sleef.h declares only where AVX is enabled: this file is
// compiled for AVX2 with FMA (tensor/CMakeLists.txt) and called only on a CPU that has them.
// It uses nothing inline from a shared header, so that no AVX2 copy of a function another file
// also uses can reach the linker.
#include <sleef.h>

#include "vec_map.h"
#include "vec_math.h"

namespace mg::kernels::vec::avx2 {
namespace {
// By Fn: exp, log, tanh, erf. SLEEF's functions return const vectors.
constexpr decltype(&Sleef_expf8_u10avx2) kFloat8[] = {Sleef_expf8_u10avx2, Sleef_logf8_u10avx2,
                                                      Sleef_tanhf8_u10avx2, Sleef_erff8_u10avx2};
constexpr decltype(&Sleef_expd4_u10avx2) kDouble4[] = {Sleef_expd4_u10avx2, Sleef_logd4_u10avx2,
                                                       Sleef_tanhd4_u10avx2, Sleef_erfd4_u10avx2};
}  // namespace

void map(Fn fn, const float* x, float* y, int64_t n) {
  map_vectors<__m256>(kFloat8[static_cast<int>(fn)], x, y, n);
}
void map(Fn fn, const double* x, double* y, int64_t n) {
  map_vectors<__m256d>(kDouble4[static_cast<int>(fn)], x, y, n);
}

}  // namespace mg::kernels::vec::avx2
