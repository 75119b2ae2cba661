// Writing into tensors: fill_, copy_ and to (with the conversions between dtypes), where,
// masked_fill_, and the checks in-place writes share.
#include "minigrad/tensor/elementwise.h"

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "elementwise_loops.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {

namespace {
// An expanded tensor has elements that share one memory location: writing into it would depend on
// the order of the writes, so PyTorch refuses, and so do we.
void check_no_internal_overlap(const Tensor& self, const char* op) {
  for (int64_t d = 0; d < self.dim(); ++d)
    check(self.strides()[d] != 0 || self.shape()[d] <= 1, op,
          ": cannot write into a tensor of which several elements share one memory location (an "
          "expanded tensor, shape ",
          self.shape(), " with strides ", self.strides(), "); write into a clone() instead");
}

// x as an out_t. A floating-point value that int64 cannot hold (NaN, infinities, |x| >= 2^63)
// is undefined behaviour for static_cast; it becomes what the x86-64 conversion instruction,
// and so PyTorch on this CPU, gives: the "integer indefinite", INT64_MIN.
template <typename out_t, typename in_t>
out_t convert(in_t x) {
  if constexpr (std::is_same_v<out_t, int64_t> && std::is_floating_point_v<in_t>) {
    constexpr auto kLimit = static_cast<in_t>(std::numeric_limits<int64_t>::max());  // 2^63
    if (!(x >= -kLimit && x < kLimit)) return std::numeric_limits<int64_t>::min();
  }
  return static_cast<out_t>(x);
}
}  // namespace

// --- The checks of in-place writes --------------------------------------------------------------

void check_broadcasts_to(const Tensor& self, const Tensor& other, const char* op) {
  check_no_internal_overlap(self, op);
  const Shape shape = broadcast_shapes(self.shape(), other.shape(), op);
  check(shape == self.shape(), op, ": output with shape ", self.shape(),
        " doesn't match the broadcast shape ", shape);
}

Tensor separate(const Tensor& dst, const Tensor& src) {
  const bool same_view = src.storage_offset() == dst.storage_offset() &&
                         src.shape() == dst.shape() && src.strides() == dst.strides();
  return src.storage() == dst.storage() && !same_view ? clone(src) : src;
}

// --- Copies and fills ---------------------------------------------------------------------------

void copy_into(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), [&]<typename out_t>() {
    dispatch_all(src.dtype(), [&]<typename in_t>() {
      unary_loop<out_t, in_t>(dst, src, [](in_t x) { return convert<out_t>(x); });
    });
  });
}

void copy_(const Tensor& dst, const Tensor& src) {
  check_broadcasts_to(dst, src, "copy_");
  copy_into(dst, separate(dst, src));
  dst.storage()->bump_version();
}

Tensor to(const Tensor& input, Dtype dtype) {
  if (input.dtype() == dtype) return input;
  Tensor out = empty(input.shape(), dtype);
  copy_into(out, input);
  return out;
}

// Elements that share memory all get the same value, so an expanded dst is no problem (nor in
// PyTorch); writes that differ per element (copy_, masked_fill_, +=) refuse it.
void fill_(const Tensor& dst, double value) {
  dispatch_all(dst.dtype(), [&]<typename scalar_t>() {
    const auto fill_value = static_cast<scalar_t>(value);
    for_each_output_row<scalar_t>(
        dst, {}, [&](scalar_t* row, int64_t n, const std::array<int64_t, 1>& stride) {
          if (stride[0] == 1)
            for (int64_t i = 0; i < n; ++i) row[i] = fill_value;
          else
            for (int64_t i = 0; i < n; ++i) row[i * stride[0]] = fill_value;
        });
  });
  dst.storage()->bump_version();
}

// --- Selections ---------------------------------------------------------------------------------

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(condition.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  const Dtype dtype = result_dtype(a, b);
  const Tensor cond = to(condition, kBool), a_cast = to(a, dtype), b_cast = to(b, dtype);
  Tensor out = empty(shape, dtype);
  dispatch_all(dtype, [&]<typename scalar_t>() {
    // out[i] = cond[i] ? a[i] : b[i] along each row of the broadcast shape.
    const auto row = [](scalar_t* out_row, const bool* cond_row, const scalar_t* a_row,
                        const scalar_t* b_row, int64_t n, const std::array<int64_t, 4>& stride) {
      for (int64_t i = 0; i < n; ++i)
        out_row[i * stride[0]] =
            cond_row[i * stride[1]] ? a_row[i * stride[2]] : b_row[i * stride[3]];
    };
    for_each_output_row<scalar_t, bool, scalar_t, scalar_t>(out, {&cond, &a_cast, &b_cast}, row);
  });
  return out;
}

void masked_fill_(const Tensor& self, const Tensor& mask, double value) {
  check_no_internal_overlap(self, "masked_fill_");
  check(broadcasts_to(mask.shape(), self.shape()), "masked_fill: mask of shape ", mask.shape(),
        " cannot be broadcast to the input's shape ", self.shape());
  check(is_floating_point(self.dtype()) || std::isfinite(value), "masked_fill: value ", value,
        " cannot be stored in a tensor of dtype ", dtype_name(self.dtype()));
  const Tensor fill_where = separate(self, to(mask, kBool));
  dispatch_all(self.dtype(), [&]<typename scalar_t>() {
    const auto fill_value = static_cast<scalar_t>(value);
    // self[i] = value where fill_where[i], along each row of self's shape.
    const auto row = [&](scalar_t* self_row, const bool* mask_row, int64_t n,
                         const std::array<int64_t, 2>& stride) {
      for (int64_t i = 0; i < n; ++i)
        if (mask_row[i * stride[1]]) self_row[i * stride[0]] = fill_value;
    };
    for_each_output_row<scalar_t, bool>(self, {&fill_where}, row);
  });
  self.storage()->bump_version();
}

}  // namespace mg::kernels
