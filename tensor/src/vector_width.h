#pragma once

#include <cstdint>

// PyTorch's vector width in bytes, on which the order of its sums (sum_kernel.cpp) and of its
// softmax and attention reductions (reduce_lanes.h) depends: 32 in its AVX2 kernels (the Debian
// build's). Its AVX-512 kernels, which pip wheels run on CPUs that have AVX-512, use 64: build
// with -DMG_SUM_VECTOR_BYTES=64 to match those (sums checked against ATEN_CPU_CAPABILITY=avx512).
#ifndef MG_SUM_VECTOR_BYTES
#define MG_SUM_VECTOR_BYTES 32
#endif

namespace mg::kernels {

// Elements of T per vector: 8 floats or 4 doubles in AVX2 builds. A contiguous reduced dim
// shorter than this is summed by PyTorch's scalar loops.
template <typename T>
constexpr int64_t kLanes = MG_SUM_VECTOR_BYTES / sizeof(T);

}  // namespace mg::kernels
