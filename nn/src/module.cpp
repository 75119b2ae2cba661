#include "minigrad/nn/module.h"

#include <functional>

namespace mg::nn {

namespace {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Walks a module tree, prefixing each name with the path of submodules that leads to it.
class Collect : public Module::Visitor {
 public:
  Collect(std::string prefix, NamedTensors* parameters, NamedTensors* buffers)
      : prefix_(std::move(prefix)), parameters_(parameters), buffers_(buffers) {}

  void parameter(const std::string& name, Tensor& value) override {
    if (parameters_ && value.defined()) parameters_->emplace_back(prefix_ + name, value);
  }
  void buffer(const std::string& name, Tensor& value) override {
    if (buffers_ && value.defined()) buffers_->emplace_back(prefix_ + name, value);
  }
  void module(const std::string& name, Module& value) override {
    Collect inner(prefix_ + name + ".", parameters_, buffers_);
    value.visit(inner);
  }

 private:
  std::string prefix_;
  NamedTensors* parameters_;
  NamedTensors* buffers_;
};

// Gathers one module's own members from its visit(), then writes them out in torch's
// state_dict() order, recursing into the submodules last.
class StateDict : public Module::Visitor {
 public:
  explicit StateDict(std::string prefix) : prefix_(std::move(prefix)) {}

  void parameter(const std::string& name, Tensor& value) override {
    if (value.defined()) parameters_.emplace_back(prefix_ + name, value);
  }
  void buffer(const std::string& name, Tensor& value) override {
    if (value.defined()) buffers_.emplace_back(prefix_ + name, value);
  }
  void module(const std::string& name, Module& value) override {
    submodules_.emplace_back(prefix_ + name + ".", &value);
  }

  void append_to(NamedTensors& entries) const {
    entries.insert(entries.end(), parameters_.begin(), parameters_.end());
    entries.insert(entries.end(), buffers_.begin(), buffers_.end());
    for (const auto& [prefix, submodule] : submodules_) {
      StateDict inner(prefix);
      submodule->visit(inner);
      inner.append_to(entries);
    }
  }

 private:
  std::string prefix_;
  NamedTensors parameters_, buffers_;
  std::vector<std::pair<std::string, Module*>> submodules_;
};

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
  NamedTensors parameters;
  Collect collect("", &parameters, nullptr);
  visit(collect);
  return parameters;
}

NamedTensors Module::named_buffers() {
  NamedTensors buffers;
  Collect collect("", nullptr, &buffers);
  visit(collect);
  return buffers;
}

NamedTensors Module::state_dict() {
  StateDict own("");
  visit(own);
  NamedTensors entries;
  own.append_to(entries);
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
