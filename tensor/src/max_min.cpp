// max, min, argmax and argmin: the reductions that pick one element, the first of the largest or
// smallest, or the first NaN, as PyTorch's CPU kernels pick.
#include <cmath>
#include <optional>
#include <tuple>
#include <type_traits>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/reduce.h"
#include "minigrad/tensor/views.h"
#include "reduce_outputs.h"

namespace mg::kernels {
namespace {

template <typename T>
bool is_nan(T value) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(value);
  return false;
}

enum class Extreme { Max, Min };

// Whether `value`, met after `current`, takes its place: NaN wins, ties keep the earlier one.
template <typename T>
bool replaces(T value, T current, Extreme extreme) {
  return is_nan(value) || (extreme == Extreme::Max ? value > current : value < current);
}

// The index of the largest (Max) or smallest (Min) of n elements x[0], x[stride], ...: the first
// one on ties, and the first NaN if there is one, as PyTorch's CPU kernels pick.
template <typename T>
int64_t pick_serial(const T* x, int64_t n, int64_t stride, Extreme extreme) {
  int64_t best = 0;
  for (int64_t k = 1; k < n && !is_nan(x[best * stride]); ++k)
    if (replaces(x[k * stride], x[best * stride], extreme)) best = k;
  return best;
}

// The same pick over a long row: each chunk's pick, then those in chunk order by the same rule,
// starting from index 0 as pick_serial does, which is the pick of one pass.
template <typename T>
int64_t pick(const T* x, int64_t n, int64_t stride, Extreme extreme) {
  // Most rows are short, one per output along a dim: GCC does not inline parallel_reduce, whose
  // call took argmax over rows of 4 to 2-3x the time.
  if (n <= kGrainSize) return pick_serial(x, n, stride, extreme);
  return parallel_reduce(
      n, int64_t{0},
      [&](int64_t begin, int64_t end) {
        return begin + pick_serial(x + begin * stride, end - begin, stride, extreme);
      },
      [&](int64_t best, int64_t candidate) {
        const bool keeps =
            is_nan(x[best * stride]) || !replaces(x[candidate * stride], x[best * stride], extreme);
        return keeps ? best : candidate;
      });
}

// max/min along one dim: the values and their indices (argmax/argmin keep the indices).
std::tuple<Tensor, Tensor> pick_along(const Tensor& input, int64_t dim, bool keepdim,
                                      Extreme extreme, const char* op) {
  const ReducedDims reduction = reduced_dims(input.shape(), {dim}, op);
  const int64_t size = reduction.count;  // a 0-dim input is its own one-element row
  const int64_t stride = input.dim() > 0 ? input.stride(dim) : 0;
  check(size > 0, op, ": cannot reduce dim ", dim, " of a tensor of shape ", input.shape(),
        ", which has size 0");
  const Shape out_shape = reduction.result_shape(keepdim);
  Tensor values = empty(out_shape, input.dtype());
  Tensor indices = empty(out_shape, kInt64);
  dispatch_all(input.dtype(), [&]<typename T>() {
    const auto* in = static_cast<const T*>(input.storage()->data());
    T* value = values.data_ptr<T>();
    int64_t* index = indices.data_ptr<int64_t>();
    for_each_output(input, reduction, [&](int64_t in_offset, int64_t out) {
      index[out] = pick(in + in_offset, size, stride, extreme);
      value[out] = in[in_offset + index[out] * stride];
    });
  });
  return {values, indices};
}

// All elements as one row, in row-major order, for the forms without a dim.
Tensor flattened(const Tensor& input, const char* op) {
  check(input.numel() > 0, op, ": a tensor of shape ", input.shape(),
        " has no elements to reduce over; name a dim to reduce an empty tensor");
  return view(contiguous(input), {input.numel()});
}

// argmax and argmin refuse bool as PyTorch's argmax_cpu kernel does, though max and min take it.
// Along a dim of one element, or with nothing to reduce, PyTorch answers without that kernel.
const Tensor& not_bool(const Tensor& input, const char* op, std::optional<int64_t> dim = {}) {
  const bool answered_without_kernel =
      dim && input.dim() > 0 &&
      (input.numel() == 0 || input.size(normalize_dim(*dim, input.dim(), op)) == 1);
  check(input.dtype() != kBool || answered_without_kernel, op,
        ": not implemented for bool tensors");
  return input;
}

}  // namespace

Tensor max(const Tensor& input) {
  return std::get<0>(pick_along(flattened(input, "max"), 0, false, Extreme::Max, "max"));
}
Tensor min(const Tensor& input) {
  return std::get<0>(pick_along(flattened(input, "min"), 0, false, Extreme::Min, "min"));
}
std::tuple<Tensor, Tensor> max(const Tensor& input, int64_t dim, bool keepdim) {
  return pick_along(input, dim, keepdim, Extreme::Max, "max");
}
std::tuple<Tensor, Tensor> min(const Tensor& input, int64_t dim, bool keepdim) {
  return pick_along(input, dim, keepdim, Extreme::Min, "min");
}

Tensor argmax(const Tensor& input) {
  return argmax(flattened(not_bool(input, "argmax"), "argmax"), 0);
}
Tensor argmin(const Tensor& input) {
  return argmin(flattened(not_bool(input, "argmin"), "argmin"), 0);
}
Tensor argmax(const Tensor& input, int64_t dim, bool keepdim) {
  return std::get<1>(
      pick_along(not_bool(input, "argmax", dim), dim, keepdim, Extreme::Max, "argmax"));
}
Tensor argmin(const Tensor& input, int64_t dim, bool keepdim) {
  return std::get<1>(
      pick_along(not_bool(input, "argmin", dim), dim, keepdim, Extreme::Min, "argmin"));
}

}  // namespace mg::kernels
