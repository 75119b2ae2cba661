// Matrix products on BLAS. For out = a @ b: grad_a = grad_out @ b^T and grad_b = a^T @ grad_out,
// where a 1-D left operand acts as a row [1, k] and a 1-D right operand as a column [k, 1], as in
// torch.matmul. Batch dims that were broadcast are summed back by the engine.
#include "minigrad/tensor/matmul.h"
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

namespace {

// PyTorch's name for the node torch.matmul records for these ranks.
const char* matmul_node_name(int64_t a_dim, int64_t b_dim) {
  if (a_dim == 2 && b_dim == 2) return "MmBackward0";
  if (a_dim == 2 && b_dim == 1) return "MvBackward0";
  if (a_dim == 1 && b_dim == 2) return "SqueezeBackward3";
  return "UnsafeViewBackward0";
}

Tensor matrix_transpose(const Tensor& t) {
  return t.transpose(-2, -1);
}

Tensor drop_dim(const Tensor& t, int64_t dim) {
  Shape shape = t.shape();
  shape.erase(shape.begin() + normalize_dim(dim, t.dim(), "matmul"));
  return t.reshape(shape);
}

// The product as computed on matrices: a vector operand as a row (left) or a column (right),
// and the gradient with those unit dims restored.
Tensor as_row(const Tensor& a) {
  return a.dim() == 1 ? a.unsqueeze(0) : a;
}
Tensor as_column(const Tensor& b) {
  return b.dim() == 1 ? b.unsqueeze(-1) : b;
}
Tensor matrix_grad(const Tensor& grad_out, int64_t a_dim, int64_t b_dim) {
  Tensor grad = a_dim == 1 ? grad_out.unsqueeze(-2) : grad_out;
  return b_dim == 1 ? grad.unsqueeze(-1) : grad;
}

}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::dot(a, b);
  if (needs_grad(a, b))
    record(out, "DotBackward0",
           {{a, [b = SavedTensor(b)](const Tensor& grad_out) { return grad_out * b.get(); }},
            {b, [a = SavedTensor(a)](const Tensor& grad_out) { return grad_out * a.get(); }}});
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  Tensor out = kernels::matmul(a, b);
  if (needs_grad(a, b))
    record(out, matmul_node_name(a.dim(), b.dim()),
           {{a,
             [a_dim = a.dim(), b = SavedTensor(b)](const Tensor& grad_out) {
               const Tensor b_matrix = as_column(b.get());
               const Tensor grad_a =
                   matrix_grad(grad_out, a_dim, b.get().dim()).matmul(matrix_transpose(b_matrix));
               return a_dim == 1 ? drop_dim(grad_a, -2) : grad_a;
             }},
            {b, [a = SavedTensor(a), b_dim = b.dim()](const Tensor& grad_out) {
               const Tensor a_matrix = as_row(a.get());
               const Tensor grad_b =
                   matrix_transpose(a_matrix).matmul(matrix_grad(grad_out, a.get().dim(), b_dim));
               return b_dim == 1 ? drop_dim(grad_b, -1) : grad_b;
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
