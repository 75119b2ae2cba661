// Differentiable view and layout ops. Each forward is a raw view from tensor/ (triu and tril, which
// copy, excepted); each backward routes the gradient back into the input's shape.
#include <functional>
#include <numeric>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/triangular.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::needs_grad;
using autograd::OpKind;
using autograd::record;

namespace {
// `out` shares input's storage: it is tracked as a view even when no gradient is involved, so that
// a later write through it, or into its base, reaches the right history.
template <typename Formula>
Tensor view_op(Tensor out, const Tensor& input, OpKind kind, Formula&& formula) {
  if (needs_grad(input)) record(out, kind, {{input, std::forward<Formula>(formula)}});
  autograd::track_view(out, input);
  return out;
}

// The backward of ops that only regroup the elements: the same gradient in the input's shape.
auto reshape_to(Shape input_shape) {
  return [input_shape = std::move(input_shape)](const Tensor& grad_out) {
    return grad_out.reshape(input_shape);
  };
}

// A view op that picks some of input's elements, pick(t) picking the same from any t of input's
// shape: d(picked) / d(input) puts the gradient where the elements were picked from, in zeros.
template <typename Pick>
Tensor picking_view(const Tensor& input, OpKind kind, Pick pick) {
  return view_op(
      pick(input), input, kind,
      [input_shape = input.shape(), dtype = input.dtype(), pick](const Tensor& grad_out) {
        Tensor grad_input = zeros(input_shape, dtype);
        kernels::copy_(pick(grad_input), grad_out);
        return grad_input;
      });
}

// A transpose is its own inverse. `kind` is what PyTorch records: .T records a permute.
Tensor transpose_named(const Tensor& input, int64_t dim0, int64_t dim1, OpKind kind) {
  return view_op(kernels::transpose(input, dim0, dim1), input, kind,
                 [dim0, dim1](const Tensor& grad_out) { return grad_out.transpose(dim0, dim1); });
}

template <typename Triangle>
Tensor triangle_op(const Tensor& input, int64_t diagonal, OpKind kind, Triangle triangle) {
  Tensor out = triangle(input, diagonal);
  if (needs_grad(input))
    // The kept elements pass their gradient through; the zeroed ones get none.
    record(out, kind, {{input, [diagonal, triangle](const Tensor& grad_out) {
                          return triangle(grad_out, diagonal);
                        }}});
  return out;
}
}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  return view_op(kernels::view(*this, shape), *this, OpKind::ViewBackward0,
                 reshape_to(this->shape()));
}

Tensor Tensor::reshape(const Shape& shape) const {
  // PyTorch's rule: a view when the strides allow one, otherwise a copy.
  return kernels::is_viewable(*this, shape) ? view(shape) : contiguous().view(shape);
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  return transpose_named(*this, dim0, dim1, OpKind::TransposeBackward0);
}

Tensor Tensor::T() const {
  check(dim() <= 2, "T: expected a tensor of at most 2 dims, got shape ", shape(),
        "; use transpose(dim0, dim1) for batched tensors");
  return dim() < 2 ? *this : transpose_named(*this, 0, 1, OpKind::PermuteBackward0);
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  return view_op(kernels::unsqueeze(*this, dim), *this, OpKind::UnsqueezeBackward0,
                 reshape_to(shape()));
}

Tensor Tensor::squeeze() const {
  return view_op(kernels::squeeze(*this), *this, OpKind::SqueezeBackward0, reshape_to(shape()));
}

Tensor Tensor::squeeze(int64_t dim) const {
  return view_op(kernels::squeeze(*this, dim), *this, OpKind::SqueezeBackward1,
                 reshape_to(shape()));
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  Tensor out = kernels::permute(*this, dims);  // checks dims first
  // Output dim d came from input dim dims[d], so the gradient's dim d goes back there.
  std::vector<int64_t> inverse(dims.size());
  for (size_t d = 0; d < dims.size(); ++d)
    inverse[normalize_dim(dims[d], dim(), "permute")] = static_cast<int64_t>(d);
  return view_op(std::move(out), *this, OpKind::PermuteBackward0,
                 [inverse](const Tensor& grad_out) { return grad_out.permute(inverse); });
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  start_dim = normalize_dim(start_dim, dim(), "flatten");
  end_dim = normalize_dim(end_dim, dim(), "flatten");
  check(start_dim <= end_dim, "flatten: start_dim (", start_dim, ") must not come after end_dim (",
        end_dim, ")");
  if (start_dim == end_dim) return *this;
  Shape flat(shape().begin(), shape().begin() + start_dim);
  // The product, not -1, which a size 0 elsewhere would leave undetermined.
  flat.push_back(std::accumulate(shape().begin() + start_dim, shape().begin() + end_dim + 1,
                                 int64_t{1}, std::multiplies<>()));
  flat.insert(flat.end(), shape().begin() + end_dim + 1, shape().end());
  return reshape(flat);
}

Tensor Tensor::expand(const Shape& shape) const {
  // Elements read several times collect the gradients of every read.
  return view_op(kernels::expand(*this, shape), *this, OpKind::ExpandBackward0,
                 [input_shape = this->shape()](const Tensor& grad_out) {
                   return kernels::sum_to(grad_out, input_shape);
                 });
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  return picking_view(*this, OpKind::SelectBackward0,
                      [dim, index](const Tensor& t) { return kernels::select(t, dim, index); });
}

Tensor Tensor::slice(int64_t dim, int64_t start, int64_t end, int64_t step) const {
  return picking_view(*this, OpKind::SliceBackward0, [dim, start, end, step](const Tensor& t) {
    return kernels::slice(t, dim, start, end, step);
  });
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  // PyTorch records a narrow as the slice it is.
  return picking_view(*this, OpKind::SliceBackward0, [dim, start, length](const Tensor& t) {
    return kernels::narrow(t, dim, start, length);
  });
}

Tensor Tensor::triu(int64_t diagonal) const {
  return triangle_op(*this, diagonal, OpKind::TriuBackward0, kernels::triu);
}

Tensor Tensor::tril(int64_t diagonal) const {
  return triangle_op(*this, diagonal, OpKind::TrilBackward0, kernels::tril);
}

Tensor reshape(const Tensor& input, const Shape& shape) {
  return input.reshape(shape);
}
Tensor transpose(const Tensor& input, int64_t dim0, int64_t dim1) {
  return input.transpose(dim0, dim1);
}
Tensor permute(const Tensor& input, const std::vector<int64_t>& dims) {
  return input.permute(dims);
}
Tensor unsqueeze(const Tensor& input, int64_t dim) {
  return input.unsqueeze(dim);
}
Tensor squeeze(const Tensor& input) {
  return input.squeeze();
}
Tensor squeeze(const Tensor& input, int64_t dim) {
  return input.squeeze(dim);
}
Tensor flatten(const Tensor& input, int64_t start_dim, int64_t end_dim) {
  return input.flatten(start_dim, end_dim);
}
Tensor select(const Tensor& input, int64_t dim, int64_t index) {
  return input.select(dim, index);
}
Tensor narrow(const Tensor& input, int64_t dim, int64_t start, int64_t length) {
  return input.narrow(dim, start, length);
}
Tensor clone(const Tensor& input) {
  return input.clone();
}
Tensor triu(const Tensor& input, int64_t diagonal) {
  return input.triu(diagonal);
}
Tensor tril(const Tensor& input, int64_t diagonal) {
  return input.tril(diagonal);
}

Tensor Tensor::clone() const {
  Tensor out = kernels::clone(*this);
  if (needs_grad(*this))
    record(out, OpKind::CloneBackward0, {{*this, [](const Tensor& grad_out) { return grad_out; }}});
  return out;
}

Tensor Tensor::contiguous() const {
  return is_contiguous() ? *this : clone();
}

}  // namespace mg
