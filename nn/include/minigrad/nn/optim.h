#pragma once

#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "minigrad/tensor/tensor.h"

// Optimizers with torch.optim's update formulas and defaults (PyTorch 1.13, the single-tensor CPU
// path), one parameter group each:
//   mg::optim::Adam optimizer(model.parameters(), {.lr = 3e-4, .weight_decay = 0.1});
//   for (...) {
//     optimizer.zero_grad();
//     loss_fn(model(input), target).backward();
//     optimizer.step();
//   }
namespace mg::optim {

// The base of SGD, Adam and AdamW: the parameters, the learning rate and zero_grad.
class Optimizer {
 public:
  Optimizer(const Optimizer&) = delete;  // a copy would share the state of the original
  Optimizer& operator=(const Optimizer&) = delete;
  Optimizer(Optimizer&&) = default;
  Optimizer& operator=(Optimizer&&) = default;
  virtual ~Optimizer() = default;

  // Updates, in place, every parameter whose gradient is defined; the others are skipped and their
  // state is made at their first step with a gradient, as in PyTorch.
  virtual void step() = 0;
  // Drops every parameter's gradient, as nn::Module::zero_grad does: PyTorch's
  // zero_grad(set_to_none=True), so a parameter the next backward does not reach is skipped.
  void zero_grad();

  const std::vector<Tensor>& params() const { return params_; }

  // The per-parameter state, named as PyTorch's optimizer state_dict names it, "state.<i>.<field>"
  // for each parameter i that has state (Adam: exp_avg, exp_avg_sq, max_exp_avg_sq with amsgrad,
  // step as an int64 0-dim tensor; SGD with momentum: momentum_buffer). Saved beside the model's
  // state_dict (nn::save_safetensors), it lets training resume exactly where it stopped.
  // The tensors are the optimizer's own, not copies, as in PyTorch.
  std::vector<std::pair<std::string, Tensor>> state_dict();
  // Replaces the state with copies of what state_dict() gave, for the same parameters; throws
  // mg::Error, changing nothing, on a name, shape or dtype that does not fit them.
  void load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state);

  // The learning rate, which a schedule may change between steps (PyTorch's
  // param_groups[0]["lr"]); step() checks that it is not negative.
  double lr;

 protected:
  // Checks lr and the parameters: floating-point, contiguous leaves, at least one. `name` is the
  // optimizer's, for messages.
  Optimizer(std::vector<Tensor> params, double lr, const char* name);

  // Every parameter's gradient, each checked against its parameter; undefined where a parameter
  // has none. A step takes them all before it changes anything, so that one that throws changes
  // nothing.
  std::vector<Tensor> grads() const;
  // Throws unless lr >= 0; called at the start of every step().
  void check_lr() const;

  // How one parameter's elements [begin, end) change in a step, and which parameter it is.
  struct Update {
    size_t param;
    std::function<void(int64_t begin, int64_t end)> apply;
  };
  // Applies the updates, all in one parallel_for, and bumps the versions of their parameters.
  void run(const std::vector<Update>& updates);

  // A field of per-parameter state: its name and one tensor per parameter, undefined until that
  // parameter's first step.
  struct StateField {
    const char* name;
    std::vector<Tensor>* tensors;
  };
  // The optimizer's fields, for state_dict() and load_state_dict().
  virtual std::vector<StateField> state_fields() = 0;

  std::vector<Tensor> params_;
  const char* name_;
};

struct SGDOptions {
  double lr = std::numeric_limits<double>::quiet_NaN();  // required: PyTorch's SGD has no default
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;  // an L2 penalty added to the gradient
  bool nesterov = false;      // needs momentum > 0 and dampening 0
};

// Stochastic gradient descent, optionally with momentum, as torch.optim.SGD:
//   g = grad + weight_decay * param
//   buf = g at the first step, then momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf      (when momentum != 0)
//   param -= lr * g
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options);
  void step() override;

 private:
  std::vector<StateField> state_fields() override;

  double momentum_, dampening_, weight_decay_;
  bool nesterov_;
  std::vector<Tensor> momentum_buffers_;  // per parameter, made at its first step
};

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;  // an L2 penalty added to the gradient
  bool amsgrad = false;
};

// Adam's options with AdamW's default weight decay, 1e-2.
struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;  // decoupled: param *= 1 - lr * weight_decay before the update
  bool amsgrad = false;
};

// Adam, as torch.optim.Adam, at step t (counted per parameter, from 1):
//   g = grad + weight_decay * param
//   exp_avg = beta1 * exp_avg + (1 - beta1) * g
//   exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
//   v = amsgrad ? (max_exp_avg_sq = max(max_exp_avg_sq, exp_avg_sq)) : exp_avg_sq
//   param -= lr / (1 - beta1^t) * exp_avg / (sqrt(v) / sqrt(1 - beta2^t) + eps)
class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  void step() override;

 protected:
  // Both optimizers' constructor (AdamWOptions has Adam's fields): with decoupled_weight_decay,
  // weight decay shrinks the parameter instead of adding to the gradient.
  Adam(std::vector<Tensor> params, const AdamWOptions& options, bool decoupled_weight_decay,
       const char* name);

 private:
  std::vector<StateField> state_fields() override;

  double beta1_, beta2_, eps_, weight_decay_;
  bool amsgrad_, decoupled_weight_decay_;
  // Per parameter, made at its first step: the moments, amsgrad's running maximum of exp_avg_sq
  // and the number of steps taken (an int64 0-dim tensor).
  std::vector<Tensor> exp_avgs_, exp_avg_sqs_, max_exp_avg_sqs_, steps_;
};

// AdamW, as torch.optim.AdamW: Adam with decoupled weight decay (Loshchilov and Hutter),
//   param *= 1 - lr * weight_decay
// before Adam's update, whose gradient then carries no penalty.
class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
};

}  // namespace mg::optim
