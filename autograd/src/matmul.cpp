// Matrix products on BLAS. For out = a @ b on matrices, or batches of them: grad_a = grad_out @ b^T
// and grad_b = a^T @ grad_out, the transposes being views that reach BLAS as flags. Batch dims
// that were broadcast are summed back by the engine.
#include "minigrad/tensor/matmul.h"

#include <optional>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

namespace {

// PyTorch's node for torch.matmul on operands of these ranks.
autograd::OpKind matmul_kind(int64_t a_dim, int64_t b_dim) {
  using enum autograd::OpKind;
  if (a_dim == 2 && b_dim == 2) return MmBackward0;
  if (a_dim == 2 && b_dim == 1) return MvBackward0;
  if (a_dim == 1 && b_dim == 2) return SqueezeBackward3;
  return UnsafeViewBackward0;
}

Tensor matrix_transpose(const Tensor& t) {
  return t.transpose(-2, -1);
}

// The backward of squeezing the product's dim `squeezed_dim`, if it was: that dim put back.
Tensor unsqueezed(const Tensor& grad_out, std::optional<int64_t> squeezed_dim) {
  return squeezed_dim ? grad_out.unsqueeze(*squeezed_dim) : grad_out;
}

}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::dot(a, b);
  if (needs_grad(a, b))
    record(out, autograd::OpKind::DotBackward0,
           {{a, [b = SavedTensor(b)](const Tensor& grad_out) { return grad_out * b.get(); }},
            {b, [a = SavedTensor(a)](const Tensor& grad_out) { return grad_out * a.get(); }}});
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  Tensor out = kernels::matmul(a, b);
  if (!needs_grad(a, b)) return out;
  // As torch.matmul composes it, a 1-D a is the row a.unsqueeze(0), a 1-D b the column
  // b.unsqueeze(-1), and that dim is squeezed from their product. The node takes its inputs'
  // gradients as those matrices, whose unsqueeze nodes take them back to 1-D, and undoes the
  // squeeze itself: one node, so that it prints as PyTorch's for these ranks and out stays a
  // result of its own, not a view of the product.
  const Tensor a_matrix = a.dim() == 1 ? a.unsqueeze(0) : a;
  const Tensor b_matrix = b.dim() == 1 ? b.unsqueeze(-1) : b;
  std::optional<int64_t> squeezed_dim;
  if (a.dim() == 1 || b.dim() == 1) squeezed_dim = a.dim() == 1 ? -2 : -1;
  record(out, matmul_kind(a.dim(), b.dim()),
         {{a_matrix,
           [b = SavedTensor(b_matrix), squeezed_dim](const Tensor& grad_out) {
             return unsqueezed(grad_out, squeezed_dim).matmul(matrix_transpose(b.get()));
           }},
          {b_matrix, [a = SavedTensor(a_matrix), squeezed_dim](const Tensor& grad_out) {
             return matrix_transpose(a.get()).matmul(unsqueezed(grad_out, squeezed_dim));
           }}});
  return out;
}

Tensor Tensor::matmul(const Tensor& other) const {
  return mg::matmul(*this, other);
}
Tensor Tensor::dot(const Tensor& other) const {
  return mg::dot(*this, other);
}

}  // namespace mg
