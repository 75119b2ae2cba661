// embedding, as torch.nn.functional.embedding: a gather of weight's rows, whose gradient
// scatter-adds grad_out's rows back into a zero weight-shaped tensor.
#include "minigrad/tensor/embedding.h"

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

// out[..., :] = weight[indices[...], :]: grad_weight[i] = sum of grad_out[...] where
// indices[...] == i; the indices are not differentiable.
Tensor embedding(const Tensor& weight, const Tensor& indices) {
  check(weight.dim() == 2,
        "embedding: expected a weight of 2 dims [num_embeddings, embedding_dim], ", "got shape ",
        weight.shape());
  check(indices.dtype() == kInt64, "embedding: expected int64 indices, got ",
        dtype_name(indices.dtype()));
  Tensor out = kernels::embedding(weight, indices);
  if (needs_grad(weight))
    record(out, autograd::OpKind::EmbeddingBackward0,
           {{weight, [indices = SavedTensor(indices),
                      num_embeddings = weight.size(0)](const Tensor& grad_out) {
               return kernels::embedding_backward(grad_out, indices.get(), num_embeddings);
             }}});
  return out;
}

}  // namespace mg
