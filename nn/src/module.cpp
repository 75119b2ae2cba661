#include "minigrad/nn/module.h"

#include <algorithm>
#include <functional>
#include <iterator>

namespace mg::nn {

namespace {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Walks a module tree, naming each tensor by the path of submodules that leads to it, in one of
// two orders. Order::visit lists a submodule's tensors where visit() reports it, as
// named_parameters() does; Order::state_dict keeps each module's own tensors apart from its
// submodules', for torch's state_dict() order.
class Collect : public Module::Visitor {
 public:
  enum class Order { visit, state_dict };

  Collect(std::string prefix, Order order) : prefix_(std::move(prefix)), order_(order) {}

  void parameter(const std::string& name, Tensor& value) override {
    if (value.defined()) parameters.emplace_back(prefix_ + name, value);
  }
  void buffer(const std::string& name, Tensor& value) override {
    if (value.defined()) buffers.emplace_back(prefix_ + name, value);
  }
  void module(const std::string& name, Module& value) override {
    Collect inner(prefix_ + name + ".", order_);
    value.visit(inner);
    if (order_ == Order::state_dict) {
      submodules_.push_back(std::move(inner));
      return;
    }
    std::ranges::move(inner.parameters, std::back_inserter(parameters));
    std::ranges::move(inner.buffers, std::back_inserter(buffers));
  }

  // torch's order: the module's own parameters, then its own buffers, then each submodule's.
  void append_state_dict(NamedTensors& entries) const {
    entries.insert(entries.end(), parameters.begin(), parameters.end());
    entries.insert(entries.end(), buffers.begin(), buffers.end());
    for (const Collect& submodule : submodules_) submodule.append_state_dict(entries);
  }

  NamedTensors parameters, buffers;  // with Order::visit, the submodules' too

 private:
  std::string prefix_;
  Order order_;
  std::vector<Collect> submodules_;  // with Order::state_dict
};

Collect collect(Module& module, Collect::Order order) {
  Collect visitor("", order);
  module.visit(visitor);
  return visitor;
}

// Calls fn on every submodule, depth first.
class EachModule : public Module::Visitor {
 public:
  explicit EachModule(std::function<void(Module&)> fn) : fn_(std::move(fn)) {}
  void module(const std::string& /*name*/, Module& value) override {
    fn_(value);
    value.visit(*this);
  }

 private:
  std::function<void(Module&)> fn_;
};

}  // namespace

std::vector<Tensor> Module::parameters() {
  std::vector<Tensor> tensors;
  for (auto& [name, tensor] : named_parameters()) tensors.push_back(tensor);
  return tensors;
}

NamedTensors Module::named_parameters() {
  return collect(*this, Collect::Order::visit).parameters;
}

NamedTensors Module::named_buffers() {
  return collect(*this, Collect::Order::visit).buffers;
}

NamedTensors Module::state_dict() {
  NamedTensors entries;
  collect(*this, Collect::Order::state_dict).append_state_dict(entries);
  return entries;
}

void Module::train(bool on) {
  training_ = on;
  EachModule each([on](Module& module) { module.training_ = on; });
  visit(each);
}

void Module::zero_grad() {
  for (Tensor& parameter : parameters()) parameter.zero_grad();
}

}  // namespace mg::nn
