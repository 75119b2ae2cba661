#include "vec_math.h"

#include <sleef.h>

#include "cpu_dispatch.h"
#include "vec_map.h"

namespace mg::kernels::vec {
namespace {
// SSE2, x86-64's baseline, by Fn: exp, log, tanh, erf.
constexpr decltype(&Sleef_expf4_u10sse2) kFloat4[] = {Sleef_expf4_u10sse2, Sleef_logf4_u10sse2,
                                                      Sleef_tanhf4_u10sse2, Sleef_erff4_u10sse2};
constexpr decltype(&Sleef_expd2_u10sse2) kDouble2[] = {Sleef_expd2_u10sse2, Sleef_logd2_u10sse2,
                                                       Sleef_tanhd2_u10sse2, Sleef_erfd2_u10sse2};

// SLEEF's AVX-512 build where the CPU has it, but for log (see vec_math.h).
bool on_avx512(Fn fn) {
  return fn != Fn::Log && cpu_has_avx512f();
}
}  // namespace

void map(Fn fn, const float* x, float* y, int64_t n) {
  if (on_avx512(fn)) return avx512::map(fn, x, y, n);
  if (cpu_has_avx2_fma()) return avx2::map(fn, x, y, n);
  map_vectors<__m128>(kFloat4[static_cast<int>(fn)], x, y, n);
}
void map(Fn fn, const double* x, double* y, int64_t n) {
  if (on_avx512(fn)) return avx512::map(fn, x, y, n);
  if (cpu_has_avx2_fma()) return avx2::map(fn, x, y, n);
  map_vectors<__m128d>(kDouble2[static_cast<int>(fn)], x, y, n);
}

}  // namespace mg::kernels::vec
