// Simplified self-attention, without trainable weights, as the seed notebooks compute it: the
// scores of one query by a loop of dot products and then all at once by matmul, normalised by
// their sum and by softmax, and the context vectors as attention-weighted sums of the inputs.
// Every tensor prints as PyTorch prints it, so the output diffs cleanly against the notebooks.
#include <minigrad/minigrad.h>

#include "notebook.h"

#include <iostream>
#include <string>

namespace {

using notebook::heading;
using notebook::journey_inputs;
using notebook::softmax_naive;

// Scores of `query` against every input by a loop of dot products, as the notebooks' first cell.
mg::Tensor attn_scores_by_loop(const mg::Tensor& inputs, const mg::Tensor& query) {
  mg::Tensor attn_scores = mg::empty({inputs.size(0)});
  for (int64_t i = 0; i < inputs.size(0); ++i) attn_scores[i] = mg::dot(inputs[i], query);
  return attn_scores;
}

// The weighted sum of the inputs, by a loop that accumulates one input at a time.
mg::Tensor context_vec_by_loop(const mg::Tensor& inputs, const mg::Tensor& attn_weights) {
  mg::Tensor context_vec = mg::zeros({inputs.size(1)});
  for (int64_t i = 0; i < inputs.size(0); ++i) context_vec += attn_weights[i] * inputs[i];
  return context_vec;
}

}  // namespace

int main() {
  const mg::Tensor inputs = journey_inputs();

  std::cout << "# Seeds 000 and 004: the context vector of query 2, \"journey\"\n";
  heading("Attention scores of query 2: a dot product with every input");
  const mg::Tensor attn_scores_2 = attn_scores_by_loop(inputs, inputs[1]);
  std::cout << attn_scores_2 << "\n";

  heading("Normalised by their sum (not used: softmax is better behaved)");
  const mg::Tensor attn_weights_2_tmp = attn_scores_2 / attn_scores_2.sum();
  std::cout << "Attention weights: " << attn_weights_2_tmp << "\n";
  std::cout << "Sum: " << attn_weights_2_tmp.sum() << "\n";
  std::cout << "Sum as a number: " << mg::format_python_float(attn_weights_2_tmp.sum().item())
            << "\n";

  heading("Normalised by softmax: the naive formula, then the built-in");
  const mg::Tensor attn_weights_2_naive = softmax_naive(attn_scores_2);
  std::cout << "Attention weights: " << attn_weights_2_naive << "\n";
  std::cout << "Sum: " << attn_weights_2_naive.sum() << "\n";
  const mg::Tensor attn_weights_2 = mg::softmax(attn_scores_2, 0);
  std::cout << "Attention weights: " << attn_weights_2 << "\n";
  std::cout << "Sum: " << attn_weights_2.sum() << "\n";

  heading("Context vector of query 2: the attention-weighted sum of the inputs");
  std::cout << context_vec_by_loop(inputs, attn_weights_2) << "\n";

  heading("All pairs at once: a loop over every pair, then inputs @ inputs.T");
  mg::Tensor attn_scores = mg::empty({6, 6});
  for (int64_t i = 0; i < inputs.size(0); ++i)
    for (int64_t j = 0; j < inputs.size(0); ++j) attn_scores[i][j] = mg::dot(inputs[i], inputs[j]);
  std::cout << attn_scores << "\n";
  attn_scores = inputs.matmul(inputs.T());
  std::cout << attn_scores << "\n";

  heading("Attention weights: softmax over each row");
  const mg::Tensor attn_weights = mg::softmax(attn_scores, -1);
  std::cout << attn_weights << "\n";
  mg::Tensor row_2_sum = mg::zeros({});
  for (int64_t j = 0; j < attn_weights.size(1); ++j) row_2_sum = row_2_sum + attn_weights[1][j];
  std::cout << "Row 2 sum: " << mg::format_python_float(row_2_sum.item()) << "\n";

  heading("All context vectors: attn_weights @ inputs");
  std::cout << attn_weights.matmul(inputs) << "\n";

  std::cout << "\n# Seed 002: query 1, \"Magic\", normalised by its sum and then by softmax\n";
  heading("Scores of query 1 divided by their sum");
  mg::Tensor attn_scores_1 = attn_scores_by_loop(inputs, inputs[0]);
  attn_scores_1 = attn_scores_1 / attn_scores_1.sum();
  std::cout << attn_scores_1 << "\n";
  heading("Then softmax");
  attn_scores_1 = mg::softmax(attn_scores_1, 0);
  std::cout << attn_scores_1 << "\n";
  heading("Context vector of query 1");
  std::cout << context_vec_by_loop(inputs, attn_scores_1) << "\n";

  std::cout << "\n# Seed 003: query 3, \"starts\"\n";
  heading("Attention scores for 'starts'");
  const mg::Tensor attn_scores_3 = attn_scores_by_loop(inputs, inputs[2]);
  std::cout << attn_scores_3 << "\n";
  heading("Attention weights for 'starts'");
  const mg::Tensor attn_weights_3 = mg::softmax(attn_scores_3, 0);
  std::cout << attn_weights_3 << "\n";
  heading("Context vector for 'starts': sum(attn_weights.unsqueeze(1) * inputs, dim=0)");
  std::cout << mg::sum(attn_weights_3.unsqueeze(1) * inputs, {0}) << "\n";
  heading("All attention scores, weights (softmax over dim 1) and context vectors");
  const mg::Tensor attn_scores_all = mg::matmul(inputs, inputs.T());
  const mg::Tensor attn_weights_all = mg::softmax(attn_scores_all, 1);
  std::cout << attn_scores_all << "\n"
            << attn_weights_all << "\n"
            << mg::matmul(attn_weights_all, inputs) << "\n";

  std::cout << "\n# One backward pass through all the context vectors\n";
  mg::Tensor leaf_inputs = inputs.detach().clone().requires_grad_();
  const mg::Tensor all_context_vecs =
      mg::softmax(leaf_inputs.matmul(leaf_inputs.T()), -1).matmul(leaf_inputs);
  std::cout << all_context_vecs << "\n";
  all_context_vecs.sum().backward();
  heading("d(sum of all context vectors) / d(inputs)");
  std::cout << leaf_inputs.grad() << "\n";
}
