#pragma once

#include <string>
#include <utility>
#include <vector>

#include "minigrad/tensor/tensor.h"

namespace mg::nn {

// The base of every module, as torch.nn.Module. A module lists its parameters, buffers and
// submodules in visit(), in registration order; everything else (named_parameters, train, ...)
// walks that list when asked. Nothing stores a pointer to a member, so modules copy and move as
// plain values: a copy shares its source's parameter tensors, as two Python names for one module.
class Module {
 public:
  // What visit() reports each member to; each method does nothing unless overridden.
  class Visitor {
   public:
    virtual ~Visitor() = default;
    virtual void parameter(const std::string& /*name*/, Tensor& /*value*/) {}
    virtual void buffer(const std::string& /*name*/, Tensor& /*value*/) {}
    virtual void module(const std::string& /*name*/, Module& /*value*/) {}
  };

  Module() = default;
  Module(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(const Module&) = default;
  Module& operator=(Module&&) = default;
  virtual ~Module() = default;

  virtual Tensor forward(const Tensor& x) const = 0;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  // Reports this module's own members, in the order PyTorch registers them; an undefined tensor
  // (Linear's bias when bias = false) is skipped by the lists below.
  virtual void visit(Visitor& visitor) = 0;

  std::vector<Tensor> parameters();
  // With PyTorch's state-dict names: "W_query.weight", "heads.0.W_key.weight", "out_proj.bias".
  std::vector<std::pair<std::string, Tensor>> named_parameters();
  std::vector<std::pair<std::string, Tensor>> named_buffers();
  // What torch's state_dict() holds, in its order: a module's own parameters, then its own
  // buffers, then each submodule's entries ("mask" before "W_query.weight").
  std::vector<std::pair<std::string, Tensor>> state_dict();

  // Training mode (the default) or evaluation mode, for this module and all its submodules.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Drops every parameter's gradient.
  void zero_grad();

 private:
  bool training_ = true;
};

}  // namespace mg::nn
