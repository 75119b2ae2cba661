#include "minigrad/tensor/dropout.h"

#include <atomic>
#include <vector>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"

namespace mg {

namespace {
std::atomic<DropoutStream> selected_stream{DropoutStream::Mkl};
}  // namespace

void set_dropout_stream(DropoutStream stream) {
  selected_stream = stream;
}

DropoutStream dropout_stream() {
  return selected_stream;
}

namespace kernels {

Tensor dropout_noise(const Shape& shape, Dtype dtype, double p, Generator& gen) {
  check(p > 0 && p < 1, "dropout_noise: p must lie strictly between 0 and 1, got ", p);
  Tensor noise = empty(shape, dtype);
  const int64_t n = noise.numel();
  const double keep_prob = 1 - p;
  std::vector<uint8_t> keep(n);
  // The draws stay on this thread, in the generator's order, so that the mask is PyTorch's bit
  // for bit; only turning it into the noise runs in parallel.
  if (dropout_stream() == DropoutStream::Mkl)
    bernoulli_keep_mask_mkl(keep.data(), n, keep_prob, gen);
  else
    bernoulli_keep_mask_default(keep.data(), n, keep_prob, gen);
  dispatch(dtype, "dropout", [&]<typename scalar_t>() {
    // PyTorch divides the 0/1 mask by 1 - p rounded to the tensor's dtype.
    const scalar_t scale = scalar_t{1} / static_cast<scalar_t>(keep_prob);
    scalar_t* data = noise.data_ptr<scalar_t>();
    parallel_for(0, n, kGrainSize, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) data[i] = keep[i] ? scale : scalar_t{0};
    });
  });
  return noise;
}

DropoutKeepBits dropout_keep_bits(int64_t n, double p, Generator& gen) {
  check(p > 0 && p <= 1, "dropout_keep_bits: p must lie in (0, 1], got ", p);
  DropoutKeepBits bits{std::vector<uint64_t>((n + 63) / 64, 0), p};
  if (p == 1 || n == 0) return bits;  // dropout draws nothing then
  if (dropout_stream() == DropoutStream::Mkl)
    bernoulli_keep_bits_mkl(bits.words.data(), n, 1 - p, gen);
  else
    bernoulli_keep_bits_default(bits.words.data(), n, 1 - p, gen);
  return bits;
}

}  // namespace kernels
}  // namespace mg
