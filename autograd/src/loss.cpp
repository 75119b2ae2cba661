// cross_entropy, as torch.nn.functional.cross_entropy with mean reduction: log_softmax and
// nll_loss in one node, named as PyTorch names the last of the two.
#include "minigrad/tensor/loss.h"

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

// loss = -(1 / count) sum_n log_softmax(logits)[n, targets[n]] over the targets not ignored:
// grad_logits = grad_out * (softmax(logits) - onehot(targets)) / count, zero on ignored rows;
// the targets are not differentiable.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, int64_t ignore_index) {
  const bool known_form =
      logits.dim() >= 1 && logits.dim() <= 3 && targets.dim() == logits.dim() - 1 &&
      Shape(logits.shape().begin(), logits.shape().end() - 1) == targets.shape();
  check(known_form, "cross_entropy: expected logits [N, C] with targets [N], logits [B, T, C] ",
        "with targets [B, T], or logits [C] with a 0-dim target, got logits ", logits.shape(),
        " and targets ", targets.shape());
  check(is_floating_point(logits.dtype()), "cross_entropy: expected floating-point logits, got ",
        dtype_name(logits.dtype()));
  check(targets.dtype() == kInt64, "cross_entropy: expected int64 targets, got ",
        dtype_name(targets.dtype()));
  const Tensor logits_2d =
      kernels::view(kernels::contiguous(logits), {targets.numel(), logits.size(-1)});
  kernels::CrossEntropyResult result = kernels::cross_entropy(logits_2d, targets, ignore_index);
  if (needs_grad(logits))
    record(result.loss, autograd::OpKind::NllLossBackward0,
           {{logits, [log_probs = SavedTensor(result.log_probs), targets = SavedTensor(targets),
                      ignore_index, shape = logits.shape()](const Tensor& grad_out) {
               return kernels::view(kernels::cross_entropy_backward(grad_out, log_probs.get(),
                                                                    targets.get(), ignore_index),
                                    shape);
             }}});
  return result.loss;
}

}  // namespace mg
