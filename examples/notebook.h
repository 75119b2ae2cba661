#pragma once

// What the examples that re-tell the seed notebooks share: their input sentence, their
// softmax_naive and a heading before each cell.
#include <minigrad/minigrad.h>

#include <iostream>
#include <string>

namespace notebook {

// "Your journey starts with one step", one 3-d embedding per word.
inline mg::Tensor journey_inputs() {
  return mg::tensor({{0.43, 0.15, 0.89},    // Your     (x^1)
                     {0.55, 0.87, 0.66},    // journey  (x^2)
                     {0.57, 0.85, 0.64},    // starts   (x^3)
                     {0.22, 0.58, 0.33},    // with     (x^4)
                     {0.77, 0.25, 0.10},    // one      (x^5)
                     {0.05, 0.80, 0.55}});  // step     (x^6)
}

// The notebooks' softmax_naive: exp(x) / sum(exp(x)), which overflows for large scores.
inline mg::Tensor softmax_naive(const mg::Tensor& x) {
  return x.exp() / x.exp().sum(0);
}

inline void heading(const std::string& text) {
  std::cout << "\n## " << text << "\n";
}

}  // namespace notebook
