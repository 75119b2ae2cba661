#include <minigrad/tensor/print.h>
#include <minigrad/tensor/random.h>

#include <iostream>
#include <vector>

int main() {
  mg::manual_seed(314159);
  std::vector<float> values(6);
  mg::kernels::uniform_fill(values.data(), 6, 0.0, 1.0, mg::default_generator());
  const std::string text =
      mg::format_tensor(std::vector<double>(values.begin(), values.end()), {3, 2}, mg::kFloat32);
  std::cout << text << "\n";
  return text == "tensor([[0.3884, 0.8840],\n        [0.0679, 0.4014],\n        [0.4625, 0.7748]])"
             ? 0
             : 1;
}
