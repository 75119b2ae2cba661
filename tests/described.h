#pragma once

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "minigrad/tensor/tensor.h"

namespace mg::test {

// "<name> <size>,<size>" lines, one per tensor: how the golden scripts (gen_nn.described) record
// the names and shapes of named_parameters() and state_dict().
inline std::string described(const std::vector<std::pair<std::string, Tensor>>& named_tensors) {
  std::ostringstream text;
  for (size_t i = 0; i < named_tensors.size(); ++i) {
    const auto& [name, tensor] = named_tensors[i];
    text << (i ? "\n" : "") << name << " ";
    for (size_t d = 0; d < tensor.shape().size(); ++d) text << (d ? "," : "") << tensor.shape()[d];
  }
  return text.str();
}

}  // namespace mg::test
