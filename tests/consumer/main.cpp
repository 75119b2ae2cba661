// The "public API in one glance", built outside the tree against the installed package.
#include <minigrad/minigrad.h>

#include <cmath>
#include <iostream>
#include <sstream>
#include <vector>

int main() {
  mg::manual_seed(314159);
  mg::Tensor inputs = mg::tensor({{0.43, 0.15, 0.89}, {0.55, 0.87, 0.66}});
  mg::Tensor w = mg::rand({3, 2}).requires_grad_();
  mg::Tensor scores = mg::matmul(inputs, w);
  mg::Tensor weights = mg::softmax(scores / std::sqrt(2.0), -1);
  weights.sum().backward();
  std::cout << w.grad() << "\n";
  const std::vector<float> v = weights.to_vector<float>();
  {
    mg::NoGradGuard no_grad;
    if (inputs.matmul(w).requires_grad()) return 1;
  }
  std::ostringstream printed;
  printed << w;
  try {
    mg::matmul(inputs, w.T());
    return 1;
  } catch (const mg::Error& e) {
    std::cout << e.what() << "\n";
  }
  // The nn modules, through the installed headers and library.
  mg::nn::MultiHeadAttention mha(3, 4, 6, 0.0, 2);
  mha.eval();
  const mg::Tensor context_vec = mha(inputs);
  const bool ok = context_vec.shape() == mg::Shape{2, 4} && mha.named_parameters().size() == 5 &&
                  v.size() == 4 && std::abs(v[0] + v[1] - 1.0f) < 1e-6f &&
                  printed.str() ==
                      "tensor([[0.3884, 0.8840],\n        [0.0679, 0.4014],\n        [0.4625, "
                      "0.7748]], requires_grad=True)";
  return ok ? 0 : 1;
}
