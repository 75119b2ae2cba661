// Broadcasting and dtype promotion as PyTorch's elementwise ops do them, and sum_to, its backward.
#include "minigrad/tensor/elementwise.h"

#include <algorithm>

#include "elementwise_loops.h"  // can_cast
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  const size_t ndim = std::max(a.size(), b.size());
  Shape shape(ndim);
  for (size_t d = 0; d < ndim; ++d) {
    // Sizes aligned from the last dim; a missing dim acts as size 1.
    const int64_t size_a = d + a.size() >= ndim ? a[d + a.size() - ndim] : 1;
    const int64_t size_b = d + b.size() >= ndim ? b[d + b.size() - ndim] : 1;
    check(size_a == size_b || size_a == 1 || size_b == 1, op, ": shapes ", a, " and ", b,
          " cannot be broadcast (", size_a, " != ", size_b, " at dim ", d, ")");
    shape[d] = size_a == 1 ? size_b : size_a;
  }
  return shape;
}

bool broadcasts_to(const Shape& shape, const Shape& target) {
  if (shape.size() > target.size()) return false;
  const size_t lead = target.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1 && shape[d] != target[lead + d]) return false;
  return true;
}

namespace {
// PyTorch's type lattice for our dtypes: bool < int64 < float32 < float64.
int rank(Dtype dtype) {
  return dtype == kBool ? 0 : dtype == kInt64 ? 1 : dtype == kFloat32 ? 2 : 3;
}
// The kind of a dtype: bool 0, integer 1, floating point 2.
int kind(Dtype dtype) {
  return std::min(rank(dtype), 2);
}
Dtype promote(Dtype a, Dtype b) {
  return rank(a) >= rank(b) ? a : b;
}
}  // namespace

Dtype result_dtype(const Tensor& a, const Tensor& b) {
  if ((a.dim() == 0) == (b.dim() == 0)) return promote(a.dtype(), b.dtype());
  const Dtype with_dims = a.dim() == 0 ? b.dtype() : a.dtype();
  const Dtype zero_dim = a.dim() == 0 ? a.dtype() : b.dtype();
  return kind(zero_dim) > kind(with_dims) ? promote(with_dims, zero_dim) : with_dims;
}

bool can_cast(Dtype from, Dtype to) {
  return kind(from) <= kind(to);
}

Tensor scalar_tensor(double value, Dtype dtype) {
  return full({}, value, dtype);
}

Tensor wrapped_scalar(double value, const Tensor& other) {
  return scalar_tensor(value, is_floating_point(other.dtype()) ? other.dtype() : kFloat32);
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  check(broadcast_shapes(shape, grad.shape(), "sum_to") == grad.shape(), "sum_to: shape ", shape,
        " does not broadcast to the gradient's shape ", grad.shape());
  if (shape == grad.shape()) return grad;
  // Sum the leading dims `shape` lacks and the dims where it has size 1, as PyTorch's sum_to does.
  const int64_t leading = grad.dim() - static_cast<int64_t>(shape.size());
  Dims summed_dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < leading || (shape[d - leading] == 1 && grad.shape()[d] != 1)) summed_dims.push_back(d);
  return view(sum(grad, summed_dims, /*keepdim=*/true), shape);
}

}  // namespace mg::kernels
