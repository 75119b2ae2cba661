#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace mg {

// PyTorch's CPU generator (at::CPUGeneratorImpl): std::mt19937 seeded with the low 32 bits of
// the seed, plus the cached second sample of the double Box-Muller transform. Seeded alike, it
// draws exactly the numbers torch.manual_seed(seed) leads PyTorch to draw.
// Not thread safe: PyTorch guards its generator with a mutex, minigrad expects one thread.
class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 67280421310721;  // PyTorch's default_rng_seed_val

  explicit Generator(uint64_t seed = kDefaultSeed) { manual_seed(seed); }

  // Restarts the stream and drops the cached normal sample, as torch.manual_seed does.
  void manual_seed(uint64_t seed);
  // The full 64-bit seed, as torch.initial_seed() reports it (2**32 + 5 stays 4294967301).
  uint64_t initial_seed() const { return seed_; }

  uint32_t random() { return engine_(); }
  // Two draws a then b, combined as (a << 32) | b.
  uint64_t random64() {
    const uint64_t a = random();
    return (a << 32) | random();
  }
  // at::uniform_real_distribution<float>(0, 1): the low 24 bits of one draw, times 2^-24.
  float uniform32() { return static_cast<float>(random() & 0xFFFFFF) * 0x1p-24f; }
  // at::uniform_real_distribution<double>(0, 1): the low 53 bits of random64(), times 2^-53.
  double uniform64() {
    return static_cast<double>(random64() & ((uint64_t{1} << 53) - 1)) * 0x1p-53;
  }
  // at::normal_distribution<double>(0, 1): Box-Muller on two uniform64() draws; returns the
  // cosine sample and caches the sine sample, which the next call returns without drawing.
  double normal64();

 private:
  uint64_t seed_ = kDefaultSeed;
  std::mt19937 engine_;
  std::optional<double> next_normal_;
};

// The one global generator, seeded with kDefaultSeed, like torch.default_generator.
// Not thread safe: draw from one thread at a time.
Generator& default_generator();
// Seeds default_generator(), like torch.manual_seed.
void manual_seed(uint64_t seed);

// Fill kernels: each writes n elements into a contiguous buffer, in the order PyTorch fills a
// contiguous tensor of that dtype (row-major). PyTorch fills a non-contiguous tensor serially in
// TensorIterator order (memory order for a permuted dense tensor): draw into a contiguous buffer
// with the serial kernel and copy it in that order. The caller checks the arguments (from <= to,
// std >= 0, 0 <= keep_prob <= 1) and skips the call where PyTorch draws nothing (an empty tensor,
// dropout with p = 0 or 1 or in eval mode), so later draws stay in step with PyTorch.
namespace kernels {

// T is float or double in these three.
// uniform_(from, to), rand: one uniform per element, mapped to x * (to - from) + from in the dtype.
template <typename T>
void uniform_fill(T* data, int64_t n, double from, double to, Generator& gen);

// normal_(mean, std), randn on a contiguous tensor: n < 16 takes normal_fill_serial, n >= 16
// transforms blocks of 16 uniforms and re-draws the last 16 when 16 does not divide n.
template <typename T>
void normal_fill(T* data, int64_t n, double mean, double std, Generator& gen);
// normal_ per element through Generator::normal64() and its cache: small or non-contiguous tensors.
template <typename T>
void normal_fill_serial(T* data, int64_t n, double mean, double std, Generator& gen);

// Dropout keep-masks: keep[i] = 1 when element i survives, with keep_prob = 1 - p.
// MKL builds of PyTorch on Intel CPUs (the x86-64 pip wheels): one draw seeds an MCG31m1 stream.
void bernoulli_keep_mask_mkl(uint8_t* keep, int64_t n, double keep_prob, Generator& gen);
// Builds without MKL (Debian's python3-torch), and MKL builds on other CPUs: a uniform64() each.
void bernoulli_keep_mask_default(uint8_t* keep, int64_t n, double keep_prob, Generator& gen);
// The same as bits in cleared words: element i is kept when bit i % 64 of words[i / 64] is set.
void bernoulli_keep_bits_mkl(uint64_t* words, int64_t n, double keep_prob, Generator& gen);
void bernoulli_keep_bits_default(uint64_t* words, int64_t n, double keep_prob, Generator& gen);

}  // namespace kernels
}  // namespace mg
