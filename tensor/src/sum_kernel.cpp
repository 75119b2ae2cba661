// Summation in the order of PyTorch 1.13's CPU sum (aten/src/ATen/native/cpu/SumKernel.cpp,
// AVX2: vectors of 8 floats or 4 doubles). Floating-point addition is not associative, so the
// order is the whole point; every `+=` below is one rounding PyTorch also does, in its order.
//
// cascade_sum(rows): sums rows of independent lanes. Rows are added one by one into level 0;
//   every 2^p rows level 0 is added into level 1 and cleared, every 2^(2p) rows level 1 into
//   level 2, every 2^(3p) rows level 2 into level 3 (p = max(4, ceil_log2(rows) / 4)); the
//   leftover rows go into level 0, and the result is ((level0 + level1) + level2) + level3.
// ilp_sum(size): views the elements as [size / 4, 4], cascade-sums those rows (4 independent
//   partial sums), adds the size % 4 leftover elements into partial 0, then partial 0 += 1, 2, 3.
//
// sum_inner, contiguous and n >= lanes: the elements as n / lanes vectors, ilp_sum over the
//   vectors; then a scalar starting at 0 adds the n % lanes tail elements, then the lanes in order.
// sum_inner otherwise (short or strided): scalar ilp_sum.
// sum_outer, columns [n, width]: if columns are contiguous and width >= lanes, the first
//   columns in blocks of 4 * lanes are cascade-summed straight down; the rest are ilp-summed
//   (lanes or 1 at a time in PyTorch, same order per column). Otherwise blocks of 4 columns are
//   cascade-summed and the remaining width % 4 columns ilp-summed.
//
// PyTorch then adds each result into a zeroed output; every sum here starts from +0, so that
// addition changes nothing (not even -0) and is left out.
//
// The lane loops are plain loops over arrays: the compiler may vectorise them but, without
// -ffast-math, never reorders the additions.

#include "sum_kernel.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "cpu_dispatch.h"
#include "minigrad/tensor/parallel.h"
#include "vector_width.h"

namespace mg::kernels {
namespace {

constexpr int kIlp = 4;             // independent accumulators in PyTorch's row_sum
constexpr int kLevels = 4;          // cascade levels in PyTorch's multi_row_sum
constexpr int kColumnsPerPass = 4;  // columns (or vectors of columns) per outer-sum pass

// W independent sums added lane by lane. Nests: Lanes<Lanes<float, 8>, 4> is 4 vectors.
template <typename Acc, int W>
struct Lanes {
  std::array<Acc, W> lane{};
  Lanes& operator+=(const Lanes& other) {
    for (int k = 0; k < W; ++k) lane[k] += other.lane[k];
    return *this;
  }
};

// sum.lane[k] += p[k * stride]. Rows are added where they are read: a row loaded into a Lanes
// of its own first went through the stack (a store, a wider load that could not be forwarded,
// and a clear) and made column sums several times slower.
template <int W, typename T>
void add_row(Lanes<T, W>& sum, const T* p, int64_t stride) {
  for (int k = 0; k < W; ++k) sum.lane[k] += p[k * stride];
}

int64_t ceil_log2(int64_t x) {
  return x <= 2 ? 1 : std::bit_width(static_cast<uint64_t>(x - 1));
}

// Elements of T in an Acc: 1 for a scalar, W * ... for nested Lanes.
template <typename Acc>
constexpr int64_t kElements = 1;
template <typename Acc, int W>
constexpr int64_t kElements<Lanes<Acc, W>> = W* kElements<Acc>;

// In the sums below, add(sum, i) adds row or element i into sum, an Acc.
//
// The sum of `blocks` blocks of `block_rows` rows from row `first` on: each block summed from
// zero, then the block sums in order (levels 0 and 1 of the cascade). The hot loop of every
// sum, on AVX2 where the CPU has it: lanes add independently, so the bits are the same.
template <typename Acc, typename Add>
Acc sum_blocks(int64_t first, int64_t blocks, int64_t block_rows, const Add& add) {
  Acc total{};
  on_best_cpu([&] {
    for (int64_t b = 0; b < blocks; ++b) {
      Acc block{};
      for (int64_t i = first + b * block_rows, end = i + block_rows; i < end; ++i) add(block, i);
      total += block;
    }
  });
  return total;
}

// Sum of rows 0, ..., rows - 1, each an Acc (a scalar or Lanes), in cascade order. Each
// level-1 sum depends only on its own rows, so those are computed in parallel and carried up
// in order: the same bits at any thread count, and the same as one thread adding row by row.
template <typename Acc, typename Add>
Acc cascade_sum(int64_t rows, const Add& add) {
  const int64_t level_power = std::max<int64_t>(4, ceil_log2(rows) / kLevels);
  const int64_t level_step = int64_t{1} << level_power;
  const int64_t unit_rows = level_step << level_power;  // rows per level-1 sum
  const int64_t units = rows / unit_rows;
  std::vector<Acc> unit_sums(static_cast<size_t>(units));
  parallel_for(0, units, grain_for(unit_rows * kElements<Acc>), [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u)
      unit_sums[static_cast<size_t>(u)] =
          sum_blocks<Acc>(u * unit_rows, level_step, level_step, add);
  });
  // Level 2 takes level_step level-1 sums, then moves into level 3, which keeps the rest.
  std::array<Acc, kLevels> level{};
  for (int64_t u = 0; u < units; ++u) {
    level[2] += unit_sums[static_cast<size_t>(u)];
    if ((u + 1) % level_step == 0) {
      level[3] += level[2];
      level[2] = Acc{};
    }
  }
  // The rows after the last level-1 sum: whole blocks into level 1, the rest into level 0.
  const int64_t first = units * unit_rows;
  const int64_t blocks = (rows - first) / level_step;
  level[1] = sum_blocks<Acc>(first, blocks, level_step, add);
  for (int64_t i = first + blocks * level_step; i < rows; ++i) add(level[0], i);
  for (int j = 1; j < kLevels; ++j) level[0] += level[j];
  return level[0];
}

// Sum of elements 0, ..., size - 1 with kIlp interleaved partial sums.
template <typename Acc, typename Add>
Acc ilp_sum(int64_t size, const Add& add) {
  const int64_t rows = size / kIlp;
  Lanes<Acc, kIlp> partial =
      cascade_sum<Lanes<Acc, kIlp>>(rows, [&](Lanes<Acc, kIlp>& group, int64_t r) {
        for (int k = 0; k < kIlp; ++k) add(group.lane[k], r * kIlp + k);
      });
  Acc total = partial.lane[0];
  for (int64_t i = rows * kIlp; i < size; ++i) add(total, i);
  for (int k = 1; k < kIlp; ++k) total += partial.lane[k];
  return total;
}

// W columns from data on, each summed straight down its n rows (cascade), into out.
template <int W, typename T>
void cascade_columns(const T* data, int64_t n, int64_t row_stride, int64_t column_stride, T* out,
                     int64_t out_stride) {
  const auto sums = cascade_sum<Lanes<T, W>>(
      n, [&](Lanes<T, W>& sum, int64_t i) { add_row(sum, data + i * row_stride, column_stride); });
  for (int k = 0; k < W; ++k) out[k * out_stride] = sums.lane[k];
}

}  // namespace

template <typename T>
T sum_inner(const T* data, int64_t n, int64_t stride) {
  constexpr int lanes = kLanes<T>;
  if (stride != 1 || n < lanes)
    return ilp_sum<T>(n, [&](T& sum, int64_t i) { sum += data[i * stride]; });
  const int64_t vectors = n / lanes;
  const auto vector_sum = ilp_sum<Lanes<T, lanes>>(
      vectors, [&](Lanes<T, lanes>& sum, int64_t v) { add_row(sum, data + v * lanes, 1); });
  T total = 0;
  for (int64_t i = vectors * lanes; i < n; ++i) total += data[i];
  for (int k = 0; k < lanes; ++k) total += vector_sum.lane[k];
  return total;
}

template <typename T>
void sum_outer(const T* data, int64_t n, int64_t row_stride, int64_t width, T* out,
               int64_t column_stride, int64_t out_stride) {
  // A single column is a 1-D (possibly contiguous) sum for PyTorch: the size-1 dim is dropped.
  if (width == 1) {
    out[0] = sum_inner(data, n, row_stride);
    return;
  }
  constexpr int lanes = kLanes<T>;
  const bool vectorised = column_stride == 1 && width >= lanes;
  constexpr int block = kColumnsPerPass * lanes;
  const int64_t group = vectorised ? block : kColumnsPerPass;  // columns per cascade pass
  const int64_t groups = width / group;
  // Columns are independent sums: groups of them run in parallel.
  parallel_for(0, groups, grain_for(n * group), [&](int64_t begin, int64_t end) {
    for (int64_t j = begin * group; j < end * group; j += group) {
      if (vectorised)
        cascade_columns<block>(data + j, n, row_stride, 1, out + j * out_stride, out_stride);
      else
        cascade_columns<kColumnsPerPass>(data + j * column_stride, n, row_stride, column_stride,
                                         out + j * out_stride, out_stride);
    }
  });
  for (int64_t j = groups * group; j < width; ++j) {
    const T* column = data + j * column_stride;
    out[j * out_stride] = ilp_sum<T>(n, [&](T& sum, int64_t i) { sum += column[i * row_stride]; });
  }
}

template float sum_inner(const float*, int64_t, int64_t);
template double sum_inner(const double*, int64_t, int64_t);
template void sum_outer(const float*, int64_t, int64_t, int64_t, float*, int64_t, int64_t);
template void sum_outer(const double*, int64_t, int64_t, int64_t, double*, int64_t, int64_t);

}  // namespace mg::kernels
