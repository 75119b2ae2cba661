// scaled_dot_product_attention: the fused kernel (tensor/attention.h) with one node whose three
// gradients come from one backward pass of the kernel; and the same by explicit ops.
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/attention.h"
#include "minigrad/tensor/compare.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"

namespace mg {

using autograd::SavedTensor;

namespace {

constexpr const char* kOp = "scaled_dot_product_attention";
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

Shape batch_dims(const Tensor& t) {
  return Shape(t.shape().begin(), t.shape().end() - 2);
}

// PyTorch's checks, as sentences.
void check_arguments(const Tensor& query, const Tensor& key, const Tensor& value,
                     const Tensor& attn_mask, double dropout_p, bool is_causal) {
  for (const Tensor* t : {&query, &key, &value})
    check(t->dim() >= 2, kOp,
          ": query, key and value need at least 2 dims [..., T, head_dim], got ", query.shape(),
          ", ", key.shape(), " and ", value.shape());
  check(is_floating_point(query.dtype()) && key.dtype() == query.dtype() &&
            value.dtype() == query.dtype(),
        kOp, ": query, key and value must have one floating-point dtype, got ",
        dtype_name(query.dtype()), ", ", dtype_name(key.dtype()), " and ",
        dtype_name(value.dtype()));
  check(batch_dims(key) == batch_dims(query) && batch_dims(value) == batch_dims(query), kOp,
        ": query, key and value must have the same batch dims, got ", query.shape(), ", ",
        key.shape(), " and ", value.shape());
  check(key.size(-1) == query.size(-1), kOp, ": query ", query.shape(), " and key ", key.shape(),
        " must have the same head_dim (", query.size(-1), " != ", key.size(-1), ")");
  check(value.size(-2) == key.size(-2), kOp, ": key ", key.shape(), " and value ", value.shape(),
        " must have as many tokens (", key.size(-2), " != ", value.size(-2), ")");
  check(dropout_p >= 0 && dropout_p <= 1, kOp, ": dropout_p must lie in [0, 1], got ", dropout_p);
  if (!attn_mask.defined()) return;
  check(!is_causal, kOp, ": an explicit attn_mask cannot be given with is_causal=true");
  check(attn_mask.dtype() == kBool || attn_mask.dtype() == query.dtype(), kOp,
        ": attn_mask must be bool or of query's dtype ", dtype_name(query.dtype()), ", got ",
        dtype_name(attn_mask.dtype()));
  const Shape scores_shape = kernels::batch_and_matrix(query, query.size(-2), key.size(-2));
  check(kernels::broadcasts_to(attn_mask.shape(), scores_shape), kOp, ": attn_mask ",
        attn_mask.shape(), " does not broadcast to the scores' shape ", scores_shape);
}

double scale_or_default(std::optional<double> scale, const Tensor& query) {
  return scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));
}

// The three gradients come from one pass of the backward kernel: the first of the node's formulas
// to run computes them all, and each formula takes its own. Once all have, the pass's results are
// dropped, so that a retained graph computes them afresh for its next backward.
class AttentionBackward {
 public:
  AttentionBackward(const kernels::AttentionArgs& args, const kernels::AttentionForward& forward,
                    int formulas)
      // The inputs are held as saved tensors only (without history, so the graph holds no cycle,
      // and checked for writes in place since); the rest of the call as it was.
      : query_(args.query),
        key_(args.key),
        value_(args.value),
        out_(forward.out),
        attn_bias_(args.attn_bias.defined() ? args.attn_bias.detach() : Tensor()),
        is_causal_(args.is_causal),
        scale_(args.scale),
        dropout_(args.dropout),
        logsumexp_(forward.logsumexp),
        formulas_(formulas) {}

  Tensor grad(int input, const Tensor& grad_out) {
    if (!grads_ || &grad_out.impl() != &grad_out_.impl()) {
      const kernels::AttentionArgs args{query_.get(), key_.get(), value_.get(), attn_bias_,
                                        is_causal_,   scale_,     dropout_};
      const kernels::AttentionGrads grads =
          kernels::flash_attention_backward(args, {out_.get(), logsumexp_}, grad_out);
      grads_ = {grads.query, grads.key, grads.value};
      grad_out_ = grad_out;
      taken_ = 0;
    }
    Tensor grad = (*grads_)[input];
    if (++taken_ == formulas_) {
      grads_.reset();
      grad_out_ = Tensor();
    }
    return grad;
  }

 private:
  SavedTensor query_, key_, value_, out_;
  Tensor attn_bias_;
  bool is_causal_;
  double scale_;
  std::shared_ptr<const kernels::DropoutKeepBits> dropout_;
  Tensor logsumexp_;
  int formulas_;
  std::optional<std::array<Tensor, 3>> grads_;
  Tensor grad_out_;  // the gradient grads_ were computed from
  int taken_ = 0;
};

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal,
                                    std::optional<double> scale) {
  check_arguments(query, key, value, attn_mask, dropout_p, is_causal);
  // A head_dim of 0 has nothing for the kernel's products to multiply.
  if (query.size(-1) == 0 || value.size(-1) == 0)
    return scaled_dot_product_attention_math(query, key, value, attn_mask, dropout_p, is_causal,
                                             scale);
  kernels::AttentionArgs args{
      query, key, value, Tensor(), is_causal, scale_or_default(scale, query), nullptr};
  if (attn_mask.defined())
    // A boolean mask says which keys a query may see; PyTorch adds -inf to the others' scores.
    args.attn_bias = attn_mask.dtype() == kBool
                         ? kernels::where(attn_mask, kernels::scalar_tensor(0.0, query.dtype()),
                                          kernels::scalar_tensor(kMinusInf, query.dtype()))
                         : attn_mask;
  if (dropout_p > 0) {
    const int64_t weights = numel(batch_dims(query)) * query.size(-2) * key.size(-2);
    args.dropout = std::make_shared<const kernels::DropoutKeepBits>(
        kernels::dropout_keep_bits(weights, dropout_p));
  }
  const kernels::AttentionForward forward = kernels::flash_attention(args);
  Tensor out = forward.out;
  if (autograd::needs_grad(query, key, value)) {
    const int formulas = query.requires_grad() + key.requires_grad() + value.requires_grad();
    auto backward = std::make_shared<AttentionBackward>(args, forward, formulas);
    autograd::record(
        out, autograd::OpKind::ScaledDotProductFlashAttentionForCpuBackward0,
        {{query, [backward](const Tensor& grad_out) { return backward->grad(0, grad_out); }},
         {key, [backward](const Tensor& grad_out) { return backward->grad(1, grad_out); }},
         {value, [backward](const Tensor& grad_out) { return backward->grad(2, grad_out); }}});
  }
  return out;
}

Tensor scaled_dot_product_attention_math(const Tensor& query, const Tensor& key,
                                         const Tensor& value, const Tensor& attn_mask,
                                         double dropout_p, bool is_causal,
                                         std::optional<double> scale) {
  check_arguments(query, key, value, attn_mask, dropout_p, is_causal);
  Tensor attn_scores = matmul(query, key.transpose(-2, -1)) * scale_or_default(scale, query);
  if (is_causal)
    attn_scores =
        masked_fill(attn_scores, triu(ones({query.size(-2), key.size(-2)}), 1), kMinusInf);
  if (attn_mask.defined())
    attn_scores = attn_mask.dtype() == kBool ? masked_fill(attn_scores, attn_mask == 0.0, kMinusInf)
                                             : attn_scores + attn_mask;
  const Tensor attn_weights = dropout(softmax(attn_scores, -1), dropout_p);
  return matmul(attn_weights, value);
}

}  // namespace mg
