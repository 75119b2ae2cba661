// cross_entropy and its backward: log_softmax's kernel, then one pass over the rows picking each
// target's log-probability; the backward fuses nll_loss's and log_softmax's, in their arithmetic.
#include "minigrad/tensor/loss.h"

#include <algorithm>
#include <cmath>

#include "cpu_dispatch.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/softmax.h"
#include "minigrad/tensor/views.h"
#include "vec_math.h"

namespace mg::kernels {

namespace {

// The rows whose target counts: the divisor of the mean.
int64_t count_targets(const Tensor& targets, int64_t ignore_index) {
  const int64_t* target = targets.data_ptr<int64_t>();
  int64_t count = 0;
  for (int64_t n = 0; n < targets.numel(); ++n) count += target[n] != ignore_index;
  return count;
}

}  // namespace

CrossEntropyResult cross_entropy(const Tensor& logits, const Tensor& targets,
                                 int64_t ignore_index) {
  const int64_t num_classes = logits.size(1);
  const Tensor target_ids = contiguous(targets);
  CrossEntropyResult result{Tensor(), log_softmax(logits, 1)};
  result.loss = dispatch(logits.dtype(), "cross_entropy", [&]<typename T>() {
    // log_probs is (N, C), targets is (N)
    const T* log_probs = result.log_probs.data_ptr<T>();
    const int64_t* target = target_ids.data_ptr<int64_t>();
    double sum = 0.0;
    for (int64_t n = 0; n < target_ids.numel(); ++n) {
      if (target[n] == ignore_index) continue;
      check(target[n] >= 0 && target[n] < num_classes, "cross_entropy: target ", target[n],
            " is out of range for ", num_classes, " classes (ignore_index is ", ignore_index, ")");
      sum -= log_probs[n * num_classes + target[n]];
    }
    const auto count = static_cast<double>(count_targets(target_ids, ignore_index));
    return tensor(sum / count, logits.dtype());
  });
  return result;
}

Tensor cross_entropy_backward(const Tensor& grad_out, const Tensor& log_probs,
                              const Tensor& targets, int64_t ignore_index) {
  const int64_t num_classes = log_probs.size(1);
  const Tensor target_ids = contiguous(targets);
  Tensor grad_logits = empty(log_probs.shape(), log_probs.dtype());
  const auto count = static_cast<double>(count_targets(target_ids, ignore_index));
  dispatch(log_probs.dtype(), "cross_entropy_backward", [&]<typename T>() {
    // nll_loss's gradient: -grad_out / count at each row's target, 0 elsewhere
    const T dlog_prob = -(static_cast<T>(grad_out.item()) / static_cast<T>(count));
    // log_probs and dlogits are (N, C), targets is (N)
    const int64_t* target = target_ids.data_ptr<int64_t>();
    const T* log_probs_data = log_probs.data_ptr<T>();
    T* dlogits_data = grad_logits.data_ptr<T>();
    parallel_for(0, target_ids.numel(), grain_for(num_classes), [&](int64_t begin, int64_t end) {
      on_best_cpu([&] {
        for (int64_t n = begin; n < end; ++n) {
          const T* log_probs_row = log_probs_data + n * num_classes;
          T* dlogits_row = dlogits_data + n * num_classes;
          if (target[n] == ignore_index) {
            std::fill_n(dlogits_row, num_classes, T(0));
            continue;
          }
          // log_softmax's backward, dlogits = dlog_probs - exp(log_probs) * sum(dlog_probs),
          // fused; the row's sum is the one nonzero dlog_prob.
          vec::exp(log_probs_row, dlogits_row, num_classes);
          for (int64_t c = 0; c < num_classes; ++c)
            dlogits_row[c] =
                std::fma(-dlogits_row[c], dlog_prob, c == target[n] ? dlog_prob : T(0));
        }
      });
    });
  });
  return grad_logits;
}

}  // namespace mg::kernels
