#pragma once

#include <string>
#include <vector>

#include "minigrad/nn/module.h"

namespace mg::test {

// Points a module's parameters at `tensors`, in named_parameters() order: how a gradcheck runs a
// module on the float64 copies of its parameters that gradcheck perturbs.
class LoadParameters : public nn::Module::Visitor {
 public:
  explicit LoadParameters(std::vector<Tensor>::const_iterator next) : next_(next) {}
  void parameter(const std::string& /*name*/, Tensor& value) override {
    if (value.defined()) value = *next_++;
  }
  void module(const std::string& /*name*/, nn::Module& value) override { value.visit(*this); }

 private:
  std::vector<Tensor>::const_iterator next_;
};

}  // namespace mg::test
