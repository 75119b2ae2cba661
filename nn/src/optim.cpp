// torch.optim's SGD, Adam and AdamW. Each update is one loop over a parameter's raw elements,
// computing in the parameter's dtype with the scalars rounded to it, in the order PyTorch 1.13's
// single-tensor path applies its in-place ops (mul_, add_, addcmul_, addcdiv_), so results agree
// to rounding (PyTorch's vectorised kernels may fuse a multiply-add). The state is made once, at a
// parameter's first step with a gradient; a step allocates nothing. Writes bypass autograd, as a
// step under torch.no_grad() does, and bump the parameter's version so that a graph that saved it
// refuses to run backward.
#include "minigrad/nn/optim.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"

namespace mg::optim {

namespace {

double required_lr(const SGDOptions& options) {
  check(!std::isnan(options.lr),
        "SGD: lr is required (SGD has no default learning rate), e.g. optim::SGD(params, "
        "{.lr = 0.1})");
  return options.lr;
}

}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params, double lr, const char* name)
    : lr(lr), params_(std::move(params)), name_(name) {
  check_lr();
  check(!params_.empty(), name_, ": got an empty parameter list");
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& param = params_[i];
    check(param.defined(), name_, ": parameter ", i, " is undefined");
    check(is_floating_point(param.dtype()), name_, ": parameter ", i, " is ",
          dtype_name(param.dtype()), "; only float32 and float64 parameters can be optimized");
    check(param.is_leaf(), name_, ": parameter ", i, " of shape ", param.shape(),
          " is not a leaf (it was computed by an op); optimize the tensors it was computed from");
    check(param.is_contiguous(), name_, ": parameter ", i, " of shape ", param.shape(),
          " is not contiguous; optimize a contiguous tensor");
  }
  // A step updates all parameters at once, so no two may share an element (PyTorch 1.13 warns
  // that a duplicate parameter will become an error).
  std::vector<size_t> by_address(params_.size());
  std::iota(by_address.begin(), by_address.end(), size_t{0});
  const auto address = [&](size_t i) {
    return std::pair{reinterpret_cast<std::uintptr_t>(params_[i].storage().get()),
                     params_[i].storage_offset()};
  };
  std::sort(by_address.begin(), by_address.end(),
            [&](size_t a, size_t b) { return address(a) < address(b); });
  for (size_t k = 1; k < by_address.size(); ++k) {
    const size_t before = by_address[k - 1], i = by_address[k];
    check(address(before).first != address(i).first ||
              address(i).second >= address(before).second + params_[before].numel(),
          name_, ": parameters ", std::min(before, i), " and ", std::max(before, i),
          " share elements; pass each parameter once");
  }
}

void Optimizer::zero_grad() {
  for (Tensor& param : params_) param.zero_grad();
}

std::vector<Tensor> Optimizer::grads() const {
  std::vector<Tensor> grads;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& param = params_[i];
    const Tensor& grad = grads.emplace_back(param.grad());
    if (grad.defined())
      check(grad.shape() == param.shape() && grad.dtype() == param.dtype() && grad.is_contiguous(),
            name_, ": parameter ", i, " of shape ", param.shape(), " has a gradient of shape ",
            grad.shape(), "; it must be a contiguous tensor of the parameter's shape and dtype");
  }
  return grads;
}

void Optimizer::run(const std::vector<Update>& updates) {
  std::vector<int64_t> sizes;
  for (const Update& update : updates) sizes.push_back(params_[update.param].numel());
  parallel_for_each(sizes,
                    [&](size_t k, int64_t begin, int64_t end) { updates[k].apply(begin, end); });
  for (const Update& update : updates) params_[update.param].storage()->bump_version();
}

void Optimizer::check_lr() const {
  check(lr >= 0.0, name_, ": lr must be >= 0, got ", lr);
}

std::vector<std::pair<std::string, Tensor>> Optimizer::state_dict() {
  std::vector<std::pair<std::string, Tensor>> state;
  const std::vector<StateField> fields = state_fields();
  for (size_t i = 0; i < params_.size(); ++i)
    for (const StateField& field : fields)
      if ((*field.tensors)[i].defined())
        state.emplace_back(str("state.", i, ".", field.name), (*field.tensors)[i]);
  return state;
}

void Optimizer::load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state) {
  const std::vector<StateField> fields = state_fields();
  // Where each name goes: field f of parameter i.
  std::map<std::string, std::pair<size_t, size_t>> slots;
  for (size_t f = 0; f < fields.size(); ++f)
    for (size_t i = 0; i < params_.size(); ++i)
      slots.emplace(str("state.", i, ".", fields[f].name), std::pair{f, i});
  std::vector<std::vector<Tensor>> loaded(fields.size(), std::vector<Tensor>(params_.size()));
  for (const auto& [name, value] : state) {
    const auto slot = slots.find(name);
    check(slot != slots.end(), name_, ": no state named '", name, "' for ", params_.size(),
          " parameters");
    const auto [f, i] = slot->second;
    const bool is_step = std::string_view(fields[f].name) == "step";
    const Shape shape = is_step ? Shape{} : params_[i].shape();
    const Dtype dtype = is_step ? kInt64 : params_[i].dtype();
    check(value.shape() == shape && value.dtype() == dtype, name_, ": state '", name, "' is ",
          dtype_name(value.dtype()), " ", value.shape(), " but parameter ", i, " needs ",
          dtype_name(dtype), " ", shape);
    loaded[f][i] = value.clone();
  }
  // A parameter that has stepped has every field, one that has not has none: a step() from a
  // state with a field missing would read a tensor that is not there.
  for (size_t i = 0; i < params_.size(); ++i)
    for (size_t f = 1; f < fields.size(); ++f)
      check(loaded[f][i].defined() == loaded[0][i].defined(), name_, ": the state of parameter ", i,
            " has '", fields[loaded[0][i].defined() ? 0 : f].name, "' but not '",
            fields[loaded[0][i].defined() ? f : 0].name, "'");
  for (size_t f = 0; f < fields.size(); ++f) *fields[f].tensors = std::move(loaded[f]);
}

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : Optimizer(std::move(params), required_lr(options), "SGD"),
      momentum_(options.momentum),
      dampening_(options.dampening),
      weight_decay_(options.weight_decay),
      nesterov_(options.nesterov),
      momentum_buffers_(params_.size()) {
  check(momentum_ >= 0.0, "SGD: momentum must be >= 0, got ", momentum_);
  check(weight_decay_ >= 0.0, "SGD: weight_decay must be >= 0, got ", weight_decay_);
  check(!nesterov_ || (momentum_ > 0.0 && dampening_ == 0.0),
        "SGD: nesterov momentum requires a momentum > 0 and a dampening of 0, got momentum ",
        momentum_, " and dampening ", dampening_);
}

std::vector<Optimizer::StateField> SGD::state_fields() {
  return {{"momentum_buffer", &momentum_buffers_}};
}

void SGD::step() {
  check_lr();
  const std::vector<Tensor> grads = this->grads();
  std::vector<Update> updates;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& grad = grads[i];
    if (!grad.defined()) continue;
    const Tensor& param = params_[i];
    const bool first_step = !momentum_buffers_[i].defined();
    if (momentum_ != 0.0 && first_step) momentum_buffers_[i] = empty_like(param);
    dispatch(param.dtype(), "SGD", [&]<typename scalar_t>() {
      // param, grad and buf are [numel], contiguous.
      scalar_t* param_data = param.data_ptr<scalar_t>();
      const scalar_t* grad_data = grad.data_ptr<scalar_t>();
      scalar_t* buf = momentum_ != 0.0 ? momentum_buffers_[i].data_ptr<scalar_t>() : nullptr;
      const auto weight_decay = static_cast<scalar_t>(weight_decay_);
      const auto momentum = static_cast<scalar_t>(momentum_);
      const auto one_minus_dampening = static_cast<scalar_t>(1.0 - dampening_);
      const auto neg_lr = static_cast<scalar_t>(-lr);
      const bool has_weight_decay = weight_decay_ != 0.0, nesterov = nesterov_;
      // Selects on loop-invariant flags rather than branches, so that both loops vectorise.
      // Elements are independent, so chunks of them run in parallel.
      updates.push_back(
          {i, [=](int64_t begin, int64_t end) {
             if (!buf) {
               for (int64_t j = begin; j < end; ++j) {
                 const scalar_t d_p =
                     has_weight_decay ? grad_data[j] + weight_decay * param_data[j] : grad_data[j];
                 param_data[j] = param_data[j] + neg_lr * d_p;
               }
               return;
             }
             for (int64_t j = begin; j < end; ++j) {
               const scalar_t d_p =
                   has_weight_decay ? grad_data[j] + weight_decay * param_data[j] : grad_data[j];
               buf[j] = first_step ? d_p : buf[j] * momentum + one_minus_dampening * d_p;
               param_data[j] =
                   param_data[j] + neg_lr * (nesterov ? d_p + momentum * buf[j] : buf[j]);
             }
           }});
    });
  }
  run(updates);
}

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::move(params),
           AdamWOptions{options.lr, options.betas, options.eps, options.weight_decay,
                        options.amsgrad},
           false, "Adam") {}

Adam::Adam(std::vector<Tensor> params, const AdamWOptions& options, bool decoupled_weight_decay,
           const char* name)
    : Optimizer(std::move(params), options.lr, name),
      beta1_(options.betas.first),
      beta2_(options.betas.second),
      eps_(options.eps),
      weight_decay_(options.weight_decay),
      amsgrad_(options.amsgrad),
      decoupled_weight_decay_(decoupled_weight_decay),
      exp_avgs_(params_.size()),
      exp_avg_sqs_(params_.size()),
      max_exp_avg_sqs_(params_.size()),
      steps_(params_.size()) {
  check(eps_ >= 0.0, name_, ": eps must be >= 0, got ", eps_);
  check(beta1_ >= 0.0 && beta1_ < 1.0, name_, ": betas.first must be in [0, 1), got ", beta1_);
  check(beta2_ >= 0.0 && beta2_ < 1.0, name_, ": betas.second must be in [0, 1), got ", beta2_);
  check(weight_decay_ >= 0.0, name_, ": weight_decay must be >= 0, got ", weight_decay_);
}

std::vector<Optimizer::StateField> Adam::state_fields() {
  std::vector<StateField> fields{
      {"exp_avg", &exp_avgs_}, {"exp_avg_sq", &exp_avg_sqs_}, {"step", &steps_}};
  if (amsgrad_) fields.insert(fields.begin() + 2, {"max_exp_avg_sq", &max_exp_avg_sqs_});
  return fields;
}

void Adam::step() {
  check_lr();
  const std::vector<Tensor> grads = this->grads();
  std::vector<Update> updates;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& grad = grads[i];
    if (!grad.defined()) continue;
    const Tensor& param = params_[i];
    if (!steps_[i].defined()) {
      exp_avgs_[i] = zeros_like(param);
      exp_avg_sqs_[i] = zeros_like(param);
      if (amsgrad_) max_exp_avg_sqs_[i] = zeros_like(param);
      steps_[i] = zeros({}, kInt64);
    }
    const auto step = static_cast<double>(++*steps_[i].data_ptr<int64_t>());
    const double step_size = lr / (1.0 - std::pow(beta1_, step));
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2_, step));
    dispatch(param.dtype(), name_, [&]<typename scalar_t>() {
      // param, grad, exp_avg, exp_avg_sq and max_exp_avg_sq are [numel], contiguous.
      scalar_t* param_data = param.data_ptr<scalar_t>();
      const scalar_t* grad_data = grad.data_ptr<scalar_t>();
      scalar_t* exp_avg = exp_avgs_[i].data_ptr<scalar_t>();
      scalar_t* exp_avg_sq = exp_avg_sqs_[i].data_ptr<scalar_t>();
      scalar_t* max_exp_avg_sq = amsgrad_ ? max_exp_avg_sqs_[i].data_ptr<scalar_t>() : nullptr;
      const auto weight_decay = static_cast<scalar_t>(weight_decay_);
      const auto decay = static_cast<scalar_t>(1.0 - lr * weight_decay_);
      const auto beta1 = static_cast<scalar_t>(beta1_);
      const auto one_minus_beta1 = static_cast<scalar_t>(1.0 - beta1_);
      const auto beta2 = static_cast<scalar_t>(beta2_);
      const auto one_minus_beta2 = static_cast<scalar_t>(1.0 - beta2_);
      const auto bias_correction2_sqrt_t = static_cast<scalar_t>(bias_correction2_sqrt);
      const auto eps = static_cast<scalar_t>(eps_);
      const auto neg_step_size = static_cast<scalar_t>(-step_size);
      const bool decoupled_weight_decay = decoupled_weight_decay_;
      const bool coupled_weight_decay = !decoupled_weight_decay_ && weight_decay_ != 0.0;
      // Selects on loop-invariant flags, not branches, amsgrad chosen outside the loop, and the
      // scalars copied in, not referenced (the stores might change what a reference reads), so
      // that the loop vectorises. Elements are independent: chunks of them run in parallel.
      const auto update = [=](auto amsgrad, int64_t begin, int64_t end) {
        for (int64_t j = begin; j < end; ++j) {
          const scalar_t p = decoupled_weight_decay ? param_data[j] * decay : param_data[j];
          const scalar_t g = coupled_weight_decay ? grad_data[j] + weight_decay * p : grad_data[j];
          exp_avg[j] = exp_avg[j] * beta1 + one_minus_beta1 * g;
          exp_avg_sq[j] = exp_avg_sq[j] * beta2 + one_minus_beta2 * g * g;
          scalar_t second_moment = exp_avg_sq[j];
          if constexpr (amsgrad) {
            // torch.maximum: NaN wins.
            const scalar_t max = max_exp_avg_sq[j];
            second_moment = second_moment > max || std::isnan(second_moment) ? second_moment : max;
            max_exp_avg_sq[j] = second_moment;
          }
          const scalar_t denom = std::sqrt(second_moment) / bias_correction2_sqrt_t + eps;
          param_data[j] = p + neg_step_size * exp_avg[j] / denom;
        }
      };
      if (amsgrad_)
        updates.push_back(
            {i, [=](int64_t begin, int64_t end) { update(std::true_type{}, begin, end); }});
      else
        updates.push_back(
            {i, [=](int64_t begin, int64_t end) { update(std::false_type{}, begin, end); }});
    });
  }
  run(updates);
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : Adam(std::move(params), options, true, "AdamW") {}

}  // namespace mg::optim
