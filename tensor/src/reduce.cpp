// sum and mean. The sum follows PyTorch 1.13's CPU reduction step by step, so its bits match:
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
#include <utility>

#include "minigrad/tensor/factory.h"
#include "strided_loop.h"
#include "sum_kernel.h"

namespace mg::kernels {
namespace {

// One dim of the iteration: its size and its strides in the output and the input, in elements.
struct LoopDim {
  int64_t size;
  int64_t out_stride;
  int64_t in_stride;
};

// Which dims of an ndim-dim tensor `dims` names; all of them when `dims` is empty.
std::vector<bool> reduced_dims(int64_t ndim, const Dims& dims, const char* op) {
  std::vector<bool> reduced(ndim, dims.empty());
  for (int64_t dim : dims) {
    const int64_t d = normalize_dim(dim, ndim, op);
    if (ndim == 0) continue;  // a 0-dim tensor accepts dim 0 or -1 and reduces to itself
    check(!reduced[d], op, ": dim ", d, " appears multiple times in the list of dims");
    reduced[d] = true;
  }
  return reduced;
}

Shape reduced_shape(const Shape& shape, const std::vector<bool>& reduced, bool keepdim) {
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d])
      out.push_back(shape[d]);
    else if (keepdim)
      out.push_back(1);
  return out;
}

// Step 1 above: the dims in TensorIterator's order (innermost first), merged where possible.
std::vector<LoopDim> loop_dims(const Tensor& input, const std::vector<bool>& reduced,
                               bool keepdim) {
  const Shape& shape = input.shape();
  const int64_t ndim = input.dim();
  Shape kept_shape(shape);  // the output with keepdim, whose contiguous strides it has
  for (int64_t d = 0; d < ndim; ++d)
    if (reduced[d]) kept_shape[d] = 1;
  const Shape kept_strides = contiguous_strides(kept_shape);
  std::vector<LoopDim> dims(ndim);
  for (int64_t d = 0; d < ndim; ++d) {
    const bool stride_zero = reduced[d] && (shape[d] != 1 || !keepdim);
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
  if (d0.out_stride != 0) {  // nothing reduced here: out += in, element by element
    for (int64_t j = 0; j < d1.size; ++j)
      for (int64_t i = 0; i < d0.size; ++i)
        out[i * d0.out_stride + j * d1.out_stride] += in[i * d0.in_stride + j * d1.in_stride];
    return;
  }
  const int64_t lanes = sum_vector_lanes<T>();
  const bool contiguous_inner = d0.in_stride == 1 && d0.size >= lanes;
  const bool contiguous_outer = d1.in_stride == 1 && d1.size >= lanes;
  if (contiguous_inner || (!contiguous_outer && d0.in_stride < d1.in_stride)) {
    for (int64_t j = 0; j < d1.size; ++j)
      out[j * d1.out_stride] += sum_inner(in + j * d1.in_stride, d0.size, d0.in_stride);
  } else {
    partial.resize(d1.size);
    sum_outer(in, d0.size, d0.in_stride, d1.size, partial.data(), d1.in_stride);
    for (int64_t j = 0; j < d1.size; ++j) out[j * d1.out_stride] += partial[j];
  }
}

}  // namespace

Tensor sum(const Tensor& input, const Dims& dims, bool keepdim) {
  const std::vector<bool> reduced = reduced_dims(input.dim(), dims, "sum");
  Tensor result = zeros(reduced_shape(input.shape(), reduced, keepdim), input.dtype());
  if (input.numel() == 0) return result;  // an empty sum is 0
  const std::vector<LoopDim> loop = loop_dims(input, reduced, keepdim);

  dispatch(input.dtype(), "sum", [&]<typename T>() {
    const T* in = input.data_ptr<T>();
    T* out = result.data_ptr<T>();
    std::vector<T> partial;
    // An odometer over the dims after the first two, the first of them fastest.
    const size_t outer_dims = loop.size() - 2;
    Shape index(outer_dims, 0);
    int64_t in_offset = 0, out_offset = 0;
    while (true) {
      sum_block(in + in_offset, out + out_offset, loop[0], loop[1], partial);
      size_t d = 0;
      for (; d < outer_dims; ++d) {
        const LoopDim& dim = loop[d + 2];
        in_offset += dim.in_stride;
        out_offset += dim.out_stride;
        if (++index[d] < dim.size) break;
        in_offset -= dim.in_stride * dim.size;
        out_offset -= dim.out_stride * dim.size;
        index[d] = 0;
      }
      if (d == outer_dims) break;
    }
  });
  return result;
}

Tensor mean(const Tensor& input, const Dims& dims, bool keepdim) {
  const std::vector<bool> reduced = reduced_dims(input.dim(), dims, "mean");
  int64_t count = 1;
  for (int64_t d = 0; d < input.dim(); ++d)
    if (reduced[d]) count *= input.shape()[d];
  Tensor result = sum(input, dims, keepdim);
  dispatch(result.dtype(), "mean", [&]<typename T>() {
    T* values = result.data_ptr<T>();
    const T divisor = static_cast<T>(count);
    for (int64_t i = 0; i < result.numel(); ++i) values[i] /= divisor;  // 0 / 0 is nan
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
