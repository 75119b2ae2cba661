#pragma once

// PyTorch runs its CPU kernels on AVX2 with FMA where the CPU has them, and so does minigrad:
// on_best_cpu(kernel) compiles kernel() twice, everything it calls inlined (flatten), for AVX2
// with FMA and for x86-64's baseline, and the CPU picks. Both give the same bits where every fused
// multiply-add is an explicit std::fma and the file is built with -ffp-contract=off (so is each
// file that uses this): the vectoriser then only changes how many lanes run at once.
namespace mg::kernels {

inline bool cpu_has_avx2_fma() {
#if defined(__x86_64__)
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

// AVX-512F with the operating system's support for its registers, which the check includes.
inline bool cpu_has_avx512f() {
#if defined(__x86_64__)
  static const bool has = cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

namespace {  // each file's kernels are its own

template <typename Kernel>
[[gnu::flatten]] void on_baseline_cpu(const Kernel& kernel) {
  kernel();
}

#if defined(__x86_64__)
template <typename Kernel>
[[gnu::flatten, gnu::target("avx2,fma")]] void on_avx2_cpu(const Kernel& kernel) {
  kernel();
}
#endif

template <typename Kernel>
void on_best_cpu(const Kernel& kernel) {
#if defined(__x86_64__)
  if (cpu_has_avx2_fma()) return on_avx2_cpu(kernel);
#endif
  on_baseline_cpu(kernel);
}

}  // namespace
}  // namespace mg::kernels
