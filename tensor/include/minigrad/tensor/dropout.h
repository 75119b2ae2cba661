#pragma once

#include <cstdint>
#include <vector>

#include "minigrad/tensor/random.h"
#include "minigrad/tensor/tensor.h"

namespace mg {

// PyTorch draws dropout masks in one of two ways, depending on how it was built (see
// kernels::bernoulli_keep_mask_mkl and _default in random.h). minigrad reproduces either.
enum class DropoutStream {
  Mkl,     // the pip wheels on x86-64 Intel CPUs, which printed the seed notebooks: the default
  NonMkl,  // builds without MKL, such as Debian's python3-torch
};
// Selects the stream every later dropout draws from, for all threads.
void set_dropout_stream(DropoutStream stream);
DropoutStream dropout_stream();

namespace kernels {
// The factor dropout multiplies its input by: 1 / (1 - p) where an element is kept, 0 where it is
// dropped, one draw of the selected stream per element, as PyTorch's
// `empty_like(input).bernoulli_(1 - p).div_(1 - p)`. Needs 0 < p < 1.
Tensor dropout_noise(const Shape& shape, Dtype dtype, double p,
                     Generator& gen = default_generator());

// Dropout's keep mask as bits, for fused attention, which never makes the [..., Tq, Tk] weights it
// drops: one bit per element in row-major order, what dropout_noise draws for as many elements.
struct DropoutKeepBits {
  std::vector<uint64_t> words;  // weight i is kept when bit i % 64 of words[i / 64] is set
  double p = 0;                 // survivors are scaled by 1 / (1 - p)

  bool kept(int64_t i) const { return (words[i >> 6] >> (i & 63)) & 1; }
};
// n weights, 0 < p <= 1. p = 1 keeps none and draws nothing, as dropout does.
DropoutKeepBits dropout_keep_bits(int64_t n, double p, Generator& gen = default_generator());
}  // namespace kernels

}  // namespace mg
