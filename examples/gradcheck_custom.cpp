// Checking the gradients of code of your own with mg::gradcheck: two functions built from
// minigrad's ops, a module with a parameter and a submodule, and a function whose gradient is
// wrong on purpose, to show what a failure says. Exits non-zero if any check does not come out as
// expected; a CTest test runs it.
#include <minigrad/minigrad.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace {

using Inputs = std::vector<mg::Tensor>;

// softplus(x) = log(1 + exp(beta x)) / beta, a smooth relu, as torch.nn.functional.softplus.
mg::Tensor softplus(const mg::Tensor& x, double beta) {
  return mg::log(1.0 + mg::exp(beta * x)) / beta;
}

// The attention weights of chapter 3: softmax(queries @ keys^T / sqrt(d_k)) over the keys.
mg::Tensor attention_weights(const mg::Tensor& queries, const mg::Tensor& keys) {
  const double d_k = static_cast<double>(keys.size(-1));
  return mg::softmax(queries.matmul(keys.transpose(-2, -1)) / std::sqrt(d_k), -1);
}

// x + gain * tanh(proj(x)): a residual branch whose strength each feature learns.
class GatedResidual : public mg::nn::Module {
 public:
  explicit GatedResidual(int64_t features)
      : proj(features, features), gain(mg::full({features}, 0.5).requires_grad_()) {}

  mg::Tensor forward(const mg::Tensor& x) const override { return x + gain * mg::tanh(proj(x)); }
  void visit(Visitor& visitor) override {
    visitor.module("proj", proj);
    visitor.parameter("gain", gain);
  }

  mg::nn::Linear proj;
  mg::Tensor gain;
};

// Points a module's parameters, in named_parameters() order, at the tensors from `next` on:
// gradcheck perturbs its own float64 copies of its inputs, so the module must compute with those.
class UseParameters : public mg::nn::Module::Visitor {
 public:
  explicit UseParameters(Inputs::const_iterator next) : next_(next) {}
  void parameter(const std::string& /*name*/, mg::Tensor& value) override {
    if (value.defined()) value = *next_++;
  }
  void module(const std::string& /*name*/, mg::nn::Module& value) override { value.visit(*this); }

 private:
  Inputs::const_iterator next_;
};

// Runs mg::gradcheck and says how it went: true when every gradient matched.
bool gradients_match(const std::string& what, const std::function<mg::Tensor(const Inputs&)>& fn,
                     const Inputs& inputs) {
  try {
    mg::gradcheck(fn, inputs);
    std::cout << "match     " << what << "\n";
    return true;
  } catch (const mg::Error& error) {
    std::cout << "mismatch  " << what << ": " << error.what() << "\n";
    return false;
  }
}

// A leaf of float64 values from the seeded generator: finite differences need the precision.
mg::Tensor leaf(const mg::Shape& shape) {
  return mg::randn(shape, mg::kFloat64).requires_grad_();
}

}  // namespace

int main() {
  mg::manual_seed(789);

  const bool softplus_matches = gradients_match(
      "softplus(x, 2)", [](const Inputs& x) { return softplus(x[0], 2.0); }, {leaf({3, 4})});

  // Two inputs, the keys seen through a transpose: gradcheck keeps each input's layout as given.
  const bool attention_matches =
      gradients_match("attention_weights(queries, keys)",
                      [](const Inputs& x) { return attention_weights(x[0], x[1].T()); },
                      {leaf({6, 2}), leaf({2, 6})});

  // A module's parameters are float32: check it on float64 copies of them, beside the input.
  GatedResidual block(3);
  Inputs inputs{leaf({6, 3})};
  for (const mg::Tensor& parameter : block.parameters())
    inputs.push_back(parameter.detach().to(mg::kFloat64).requires_grad_());
  const bool module_matches = gradients_match(
      "GatedResidual(3) in x, proj.weight, proj.bias and gain",
      [&block](const Inputs& x) {
        UseParameters use(x.begin() + 1);
        block.visit(use);
        return block(x[0]);
      },
      inputs);

  // detach() hides exp's dependence on x from autograd: the gradient misses a term, and
  // gradcheck must say so.
  const bool wrong_gradient_matches =
      gradients_match("x * exp(x).detach(), wrong on purpose",
                      [](const Inputs& x) { return x[0] * x[0].exp().detach(); }, {leaf({3})});

  const bool as_expected =
      softplus_matches && attention_matches && module_matches && !wrong_gradient_matches;
  std::cout << (as_expected ? "every check came out as expected\n"
                            : "a check did not come out as expected\n");
  return as_expected ? 0 : 1;
}
