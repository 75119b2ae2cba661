// sum, mean and var (max, min, argmax and argmin are in max_min.cpp). The sum follows PyTorch
// 1.13's CPU reduction step by step, so its bits match:
//
// 1. TensorIterator's layout. Every dim gets the input's stride and the output's (0 along a
//    reduced dim, the contiguous output stride elsewhere). Dims are sorted innermost first:
//    reduced dims before kept ones, then by output stride, then by input stride (ties: smaller
//    size first), by the insertion sort of TensorIteratorBase::reorder_dimensions. Neighbours
//    whose strides line up, or of size 1, merge (coalesce_dimensions).
// 2. The loop (cascade_sum in SumKernel.cpp) sees the first two dims at a time and, for every
//    index of the dims after them (the first fastest), adds a 2-D block into the output, which
//    starts at zero. In a block the reduced dim goes first; then:
//      contiguous reduced dim, at least a vector long -> sum_inner per output
//      contiguous kept dim, at least a vector wide    -> sum_outer across the outputs
//      otherwise the smaller stride decides: reduced  -> sum_inner, kept -> sum_outer.
//    When both dims are reduced, every output index is 0: the partial sums add up in order.
#include "minigrad/tensor/reduce.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/views.h"
#include "reduce_outputs.h"
#include "strided_loop.h"
#include "sum_kernel.h"
#include "vector_width.h"

namespace mg::kernels {

ReducedDims reduced_dims(const Shape& shape, const Dims& dims, const char* op) {
  const int64_t ndim = static_cast<int64_t>(shape.size());
  // A 0-dim tensor has the one dim 0 (or -1) to name, which reduces to itself.
  std::vector<bool> named(std::max<int64_t>(ndim, 1), false);
  for (int64_t dim : dims) {
    const int64_t d = normalize_dim(dim, ndim, op);
    check(!named[d], op, ": dim ", d, " appears multiple times in the list of dims");
    named[d] = true;
  }
  ReducedDims result{std::vector<bool>(ndim), shape};
  for (int64_t d = 0; d < ndim; ++d) {
    result.reduced[d] = dims.empty() || named[d];
    if (!result.reduced[d]) continue;
    result.kept_shape[d] = 1;
    result.count *= shape[d];
  }
  return result;
}

Shape ReducedDims::result_shape(bool keepdim) const {
  return keepdim ? kept_shape : select_dims(kept_shape, reduced, false);
}

namespace {

// One dim of the iteration: its size and its strides in the output and the input, in elements.
struct LoopDim {
  int64_t size;
  int64_t out_stride;
  int64_t in_stride;
};

// Step 1 above: the dims in TensorIterator's order (innermost first), merged where possible.
std::vector<LoopDim> loop_dims(const Tensor& input, const ReducedDims& reduction, bool keepdim) {
  const Shape& shape = input.shape();
  const int64_t ndim = input.dim();
  // the output's strides, those of a contiguous tensor of its shape with keepdim
  const Shape kept_strides = contiguous_strides(reduction.kept_shape);
  std::vector<LoopDim> dims(ndim);
  for (int64_t d = 0; d < ndim; ++d) {
    const bool stride_zero = reduction.reduced[d] && (shape[d] != 1 || !keepdim);
    dims[d] = {shape[d], stride_zero ? 0 : kept_strides[d], input.stride(d)};
  }

  // reorder_dimensions: < 0 keeps a before b, > 0 moves b before a, 0 has no preference.
  auto should_swap = [](const LoopDim& a, const LoopDim& b) {
    if ((a.out_stride == 0) != (b.out_stride == 0)) return b.out_stride == 0 ? 1 : -1;
    for (auto stride : {&LoopDim::out_stride, &LoopDim::in_stride}) {
      const int64_t stride_a = a.*stride, stride_b = b.*stride;
      if (stride_a == 0 || stride_b == 0) continue;
      if (stride_a != stride_b) return stride_a < stride_b ? -1 : 1;
      if (a.size > b.size) return 1;
    }
    return 0;
  };
  std::vector<LoopDim> order(dims.rbegin(), dims.rend());
  for (int64_t i = 1; i < ndim; ++i) {
    int64_t moving = i;
    for (int64_t before = i - 1; before >= 0; --before) {
      const int comparison = should_swap(order[before], order[moving]);
      if (comparison > 0) {
        std::swap(order[before], order[moving]);
        moving = before;
      } else if (comparison < 0) {
        break;
      }
    }
  }

  // coalesce_dimensions
  std::vector<LoopDim> merged;
  for (const LoopDim& dim : order) {
    if (merged.empty()) {
      merged.push_back(dim);
      continue;
    }
    LoopDim& last = merged.back();
    const bool lines_up = last.size * last.out_stride == dim.out_stride &&
                          last.size * last.in_stride == dim.in_stride;
    if (last.size == 1 || dim.size == 1 || lines_up) {
      if (last.size == 1) {
        last.out_stride = dim.out_stride;
        last.in_stride = dim.in_stride;
      }
      last.size *= dim.size;
    } else {
      merged.push_back(dim);
    }
  }
  while (merged.size() < 2) merged.push_back({1, 0, 0});
  return merged;
}

// Step 2 above for one 2-D block: adds the block's sums into out.
template <typename T>
void sum_block(const T* in, T* out, LoopDim d0, LoopDim d1, std::vector<T>& partial) {
  if (d0.out_stride != 0 && d1.out_stride == 0) std::swap(d0, d1);  // reduced dim first
  // The columns j write to different outputs, so they run in parallel.
  const auto for_columns = [&](const auto& column) {
    parallel_for(0, d1.size, grain_for(d0.size), [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) column(j);
    });
  };
  if (d0.out_stride != 0) {  // nothing reduced here: out += in, element by element
    for_columns([&](int64_t j) {
      for (int64_t i = 0; i < d0.size; ++i)
        out[i * d0.out_stride + j * d1.out_stride] += in[i * d0.in_stride + j * d1.in_stride];
    });
    return;
  }
  const int64_t lanes = kLanes<T>;
  const bool contiguous_inner = d0.in_stride == 1 && d0.size >= lanes;
  const bool contiguous_outer = d1.in_stride == 1 && d1.size >= lanes;
  if (contiguous_inner || (!contiguous_outer && d0.in_stride < d1.in_stride)) {
    for_columns([&](int64_t j) {
      out[j * d1.out_stride] += sum_inner(in + j * d1.in_stride, d0.size, d0.in_stride);
    });
  } else {
    partial.resize(d1.size);
    sum_outer(in, d0.size, d0.in_stride, d1.size, partial.data(), d1.in_stride);
    for (int64_t j = 0; j < d1.size; ++j) out[j * d1.out_stride] += partial[j];
  }
}

// An int64 or bool sum, in int64 as PyTorch's. Integers add exactly in any order, so each element
// is added into its output in row-major order; unsigned, since int64 overflow wraps in PyTorch.
Tensor integer_sum(const Tensor& input, const ReducedDims& reduction, bool keepdim) {
  Tensor result = zeros(reduction.result_shape(keepdim), kInt64);
  Shape out_strides = contiguous_strides(reduction.kept_shape);
  for (int64_t d = 0; d < input.dim(); ++d)
    if (reduction.reduced[d]) out_strides[d] = 0;
  const Tensor values = contiguous(to(input, kInt64));
  const int64_t* in = values.data_ptr<int64_t>();
  int64_t* out = result.data_ptr<int64_t>();
  for (int64_t i = 0; i < input.numel(); ++i) {
    int64_t& total = out[detail::offset_of(i, input.shape(), out_strides)];
    total = static_cast<int64_t>(static_cast<uint64_t>(total) + static_cast<uint64_t>(in[i]));
  }
  return result;
}

// Welford's update, in double as PyTorch's WelfordOps: the mean and the sum of squared
// deviations m2 of the elements seen so far.
struct Welford {
  double mean = 0, m2 = 0, n = 0;
  void add(double x) {
    const double delta = x - mean;
    n += 1;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
};

}  // namespace

Tensor sum(const Tensor& input, const Dims& dims, bool keepdim) {
  const ReducedDims reduction = reduced_dims(input.shape(), dims, "sum");
  if (!is_floating_point(input.dtype())) return integer_sum(input, reduction, keepdim);
  Tensor result = zeros(reduction.result_shape(keepdim), input.dtype());
  if (input.numel() == 0) return result;  // an empty sum is 0
  const std::vector<LoopDim> loop = loop_dims(input, reduction, keepdim);

  // The dims after the first two, each a block of the loop; blocks that add into the same
  // outputs (a reduced dim among them) must do so in order, the others run in parallel.
  Shape block_sizes, in_strides, out_strides;
  bool disjoint = true;
  for (size_t d = loop.size(); d-- > 2;) {  // outermost first, so that loop[2] is the fastest
    block_sizes.push_back(loop[d].size);
    in_strides.push_back(loop[d].in_stride);
    out_strides.push_back(loop[d].out_stride);
    disjoint = disjoint && loop[d].out_stride != 0;
  }
  const int64_t blocks = numel(block_sizes);
  const int64_t grain = disjoint ? grain_for(loop[0].size * loop[1].size) : blocks;

  dispatch(input.dtype(), "sum", [&]<typename T>() {
    const T* in = input.data_ptr<T>();
    T* out = result.data_ptr<T>();
    parallel_for(0, blocks, grain, [&](int64_t begin, int64_t end) {
      std::vector<T> partial;
      for (int64_t block = begin; block < end; ++block)
        sum_block(in + detail::offset_of(block, block_sizes, in_strides),
                  out + detail::offset_of(block, block_sizes, out_strides), loop[0], loop[1],
                  partial);
    });
  });
  return result;
}

Tensor mean(const Tensor& input, const Dims& dims, bool keepdim) {
  check(is_floating_point(input.dtype()), "mean: expected a floating-point tensor, got ",
        dtype_name(input.dtype()));
  const int64_t count = reduced_dims(input.shape(), dims, "mean").count;
  Tensor result = sum(input, dims, keepdim);
  dispatch(result.dtype(), "mean", [&]<typename T>() {
    T* values = result.data_ptr<T>();
    const T divisor = static_cast<T>(count);
    parallel_for(0, result.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) values[i] /= divisor;  // 0 / 0 is nan
    });
  });
  return result;
}

Tensor var(const Tensor& input, const Dims& dims, bool unbiased, bool keepdim) {
  const ReducedDims reduction = reduced_dims(input.shape(), dims, "var");
  // the sub-tensor that each output reduces, from its in_offset
  const Shape sizes = select_dims(input.shape(), reduction.reduced, true);
  const Shape strides = select_dims(input.strides(), reduction.reduced, true);
  Tensor result = empty(reduction.result_shape(keepdim), input.dtype());
  const double correction = unbiased ? 1.0 : 0.0;
  dispatch(input.dtype(), "var", [&]<typename T>() {
    const auto* in = static_cast<const T*>(input.storage()->data());
    T* out = result.data_ptr<T>();
    // var = sum((x - mean)^2) / (N - correction); 0 / 0 is nan when N - correction <= 0
    auto divide = [&](double m2, double count) {
      return static_cast<T>(m2 / std::max(0.0, count - correction));
    };
    if (result.numel() == 1 && input.numel() > 0) {  // two passes, as PyTorch's std_var_all
      const double mean_all = static_cast<double>(mean(input).item());
      const Tensor x = contiguous(input);
      const T* x_data = x.data_ptr<T>();
      const int64_t n = x.numel();
      const double m2 = parallel_reduce(
          n, 0.0,
          [&](int64_t begin, int64_t end) {
            double chunk_m2 = 0;
            for (int64_t i = begin; i < end; ++i) {
              const double dx = static_cast<double>(x_data[i]) - mean_all;
              chunk_m2 += dx * dx;
            }
            return chunk_m2;
          },
          std::plus<>());
      out[0] = divide(m2, static_cast<double>(n));
      return;
    }
    for_each_output(input, reduction, [&](int64_t in_offset, int64_t out_index) {
      Welford acc;
      detail::for_each_row(sizes, strides, in_offset,
                           [&](int64_t offset, int64_t n, int64_t stride) {
                             for (int64_t i = 0; i < n; ++i)
                               acc.add(static_cast<double>(in[offset + i * stride]));
                           });
      out[out_index] = divide(acc.m2, acc.n);
    });
  });
  return result;
}

NonFiniteCount count_non_finite(const Tensor& input) {
  NonFiniteCount count;
  dispatch(input.dtype(), "detect_anomaly", [&]<typename scalar_t>() {
    const auto* base = static_cast<const scalar_t*>(input.storage()->data());
    detail::for_each_row(input.shape(), input.strides(), input.storage_offset(),
                         [&](int64_t offset, int64_t n, int64_t stride) {
                           for (int64_t i = 0; i < n; ++i) {
                             const scalar_t x = base[offset + i * stride];
                             count.nan += std::isnan(x);
                             count.inf += std::isinf(x);
                           }
                         });
  });
  return count;
}

}  // namespace mg::kernels
