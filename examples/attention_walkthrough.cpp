// Chapter 3 of "Build a Large Language Model (From Scratch)", cell by cell, as seed notebook 001
// runs it: simplified attention with loops and with matmul, trainable weights, the
// SelfAttentionV1 and V2 modules, the causal mask both ways, dropout, CausalAttention on a batch,
// and multi-head attention, first as a wrapper of heads and then fused. Every tensor prints as
// PyTorch prints it, so the output diffs cleanly against the notebook.
#include <minigrad/minigrad.h>

#include "notebook.h"

#include <cmath>
#include <iostream>
#include <string>

namespace {

using notebook::heading;
using notebook::journey_inputs;
using notebook::softmax_naive;

std::string shape_of(const mg::Tensor& tensor) {
  std::string text = "torch.Size([";
  for (int64_t d = 0; d < tensor.dim(); ++d)
    text += (d ? ", " : "") + std::to_string(tensor.size(d));
  return text + "])";
}

}  // namespace

int main() {
  const mg::Tensor inputs = journey_inputs();

  std::cout << "# A simple self-attention without trainable weights\n";
  heading("Attention scores of query 2 (\"journey\"), one dot product at a time");
  const mg::Tensor query = inputs[1];
  mg::Tensor attn_scores_2 = mg::empty({inputs.size(0)});
  for (int64_t i = 0; i < inputs.size(0); ++i) attn_scores_2[i] = mg::dot(inputs[i], query);
  std::cout << attn_scores_2 << "\n";

  heading("Normalised by their sum");
  const mg::Tensor attn_weights_2_tmp = attn_scores_2 / attn_scores_2.sum();
  std::cout << "Attention Weights: " << attn_weights_2_tmp << "\n";
  std::cout << "Sum: " << mg::format_python_float(attn_weights_2_tmp.sum().item()) << "\n";

  heading("Normalised by the naive softmax, then by the built-in one");
  const mg::Tensor attn_weights_2_naive = softmax_naive(attn_scores_2);
  std::cout << "Attention weights: " << attn_weights_2_naive << "\n";
  std::cout << "Sum: " << mg::format_python_float(attn_weights_2_naive.sum().item()) << "\n";
  mg::Tensor attn_weights_2 = mg::softmax(attn_scores_2, 0);
  std::cout << "Attention weights: " << attn_weights_2 << "\n";
  std::cout << "Sum: " << mg::format_python_float(attn_weights_2.sum().item()) << "\n";

  heading("Context vector of query 2: the attention-weighted sum of the inputs");
  mg::Tensor context_vec_2 = mg::zeros(query.shape());
  for (int64_t i = 0; i < inputs.size(0); ++i) context_vec_2 += attn_weights_2[i] * inputs[i];
  std::cout << context_vec_2 << "\n";

  heading("Attention scores of every pair, by two loops and then by inputs @ inputs.T");
  mg::Tensor attn_scores = mg::empty({6, 6});
  for (int64_t i = 0; i < inputs.size(0); ++i)
    for (int64_t j = 0; j < inputs.size(0); ++j) attn_scores[i][j] = mg::dot(inputs[i], inputs[j]);
  std::cout << attn_scores << "\n";
  attn_scores = inputs.matmul(inputs.T());
  std::cout << attn_scores << "\n";

  heading("Attention weights: softmax over each row");
  mg::Tensor attn_weights = mg::softmax(attn_scores, -1);
  std::cout << attn_weights << "\n";
  mg::Tensor row_2_sum = mg::zeros({});
  for (int64_t j = 0; j < attn_weights.size(1); ++j) row_2_sum = row_2_sum + attn_weights[1][j];
  std::cout << "Row 2 sum: " << mg::format_python_float(row_2_sum.item()) << "\n";

  heading("All context vectors: attn_weights @ inputs");
  std::cout << attn_weights.matmul(inputs) << "\n";

  std::cout << "\n# Self-attention with trainable weights\n";
  const mg::Tensor x_2 = inputs[1];
  const int64_t d_in = inputs.size(1), d_out = 2;
  mg::manual_seed(314159);
  const mg::Tensor W_query = mg::rand({d_in, d_out});
  const mg::Tensor W_key = mg::rand({d_in, d_out});
  const mg::Tensor W_value = mg::rand({d_in, d_out});

  heading("Query of input 2: x_2 @ W_query");
  const mg::Tensor query_2 = x_2.matmul(W_query);
  std::cout << query_2 << "\n";
  const mg::Tensor keys = inputs.matmul(W_key);
  const mg::Tensor values = inputs.matmul(W_value);
  std::cout << "keys.shape: " << shape_of(keys) << "\n";
  std::cout << "values.shape: " << shape_of(values) << "\n";

  heading("Attention score of query 2 against key 2, then against every key");
  std::cout << query_2.dot(keys[1]) << "\n";
  attn_scores_2 = query_2.matmul(keys.T());
  std::cout << attn_scores_2 << "\n";

  heading("Attention weights, scaled by sqrt(d_k), and the context vector of query 2");
  const double d_k = static_cast<double>(keys.size(-1));
  attn_weights_2 = mg::softmax(attn_scores_2 / std::sqrt(d_k), -1);
  std::cout << attn_weights_2 << "\n";
  std::cout << attn_weights_2.matmul(values) << "\n";

  heading("SelfAttentionV1: the same weights as a module");
  mg::manual_seed(314159);
  mg::nn::SelfAttentionV1 sa_v1(d_in, d_out);
  std::cout << sa_v1(inputs) << "\n";

  heading("SelfAttentionV2: W_query, W_key and W_value as Linear layers");
  mg::manual_seed(314159);
  mg::nn::SelfAttentionV2 sa_v2(d_in, d_out);
  std::cout << sa_v2(inputs) << "\n";

  std::cout << "\n# Causal attention\n";
  heading("Attention weights of SelfAttentionV2");
  const mg::Tensor queries = sa_v2.W_query(inputs);
  const mg::Tensor keys_v2 = sa_v2.W_key(inputs);
  attn_scores = queries.matmul(keys_v2.T());
  attn_weights = mg::softmax(attn_scores / std::sqrt(static_cast<double>(keys_v2.size(-1))), -1);
  std::cout << attn_weights << "\n";

  heading("A mask of ones on and below the diagonal, applied, then each row renormalised");
  const int64_t context_length = attn_scores.size(0);
  const mg::Tensor mask_simple = mg::tril(mg::ones({context_length, context_length}));
  std::cout << mask_simple << "\n";
  const mg::Tensor masked_simple = attn_weights * mask_simple;
  std::cout << masked_simple << "\n";
  const mg::Tensor row_sums = masked_simple.sum(-1, true);
  std::cout << masked_simple / row_sums << "\n";

  heading("The better way: -inf above the diagonal before the softmax");
  const mg::Tensor mask = mg::triu(mg::ones({context_length, context_length}), 1);
  const mg::Tensor masked = attn_scores.masked_fill(mask.to(mg::kBool), -INFINITY);
  std::cout << masked << "\n";
  attn_weights = mg::softmax(masked / std::sqrt(static_cast<double>(keys_v2.size(-1))), 1);
  std::cout << attn_weights << "\n";

  heading("Dropout with p = 0.5 on a matrix of ones, then on the attention weights");
  mg::manual_seed(314159);
  mg::nn::Dropout dropout(0.5);
  const mg::Tensor example = mg::ones({6, 6});
  std::cout << dropout(example) << "\n";
  mg::manual_seed(314159);
  std::cout << dropout(attn_weights) << "\n";

  heading("A batch of two copies of the inputs, through CausalAttention");
  const mg::Tensor batch = mg::stack({inputs, inputs}, 0);
  std::cout << shape_of(batch) << "\n";
  mg::manual_seed(314159);
  mg::nn::CausalAttention ca(d_in, d_out, batch.size(1), 0.0);
  std::cout << "context_vecs.shape: " << shape_of(ca(batch)) << "\n";

  std::cout << "\n# Multi-head attention\n";
  heading("MultiHeadAttentionWrapper: two CausalAttention heads, one after the other");
  mg::manual_seed(314159);
  mg::nn::MultiHeadAttentionWrapper mha_wrapper(d_in, d_out, batch.size(1), 0.0, 2);
  mg::Tensor context_vecs = mha_wrapper(batch);
  std::cout << context_vecs << "\n";
  std::cout << "context_vecs.shape: " << shape_of(context_vecs) << "\n";

  heading("MultiHeadAttention: the heads fused into one set of weights");
  mg::manual_seed(314159);
  mg::nn::MultiHeadAttention mha(d_in, d_out, batch.size(1), 0.0, 2);
  context_vecs = mha(batch);
  std::cout << context_vecs << "\n";
  std::cout << "context_vecs.shape: " << shape_of(context_vecs) << "\n";

  heading("MultiHeadAttention the size of GPT-2 small: 768 wide, 12 heads, context 1024");
  mg::nn::MultiHeadAttention gpt2_mha(768, 768, 1024, 0.0, 12);
  int64_t num_params = 0;
  for (const auto& [name, parameter] : gpt2_mha.named_parameters()) num_params += parameter.numel();
  std::cout << "Number of parameters: " << num_params << "\n";
}
