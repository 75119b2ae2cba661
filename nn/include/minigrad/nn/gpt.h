#pragma once

#include <cstdint>

#include "minigrad/nn/activation.h"
#include "minigrad/nn/attention.h"
#include "minigrad/nn/container.h"
#include "minigrad/nn/dropout.h"
#include "minigrad/nn/embedding.h"
#include "minigrad/nn/layer_norm.h"
#include "minigrad/nn/linear.h"
#include "minigrad/nn/module.h"

// The GPT of chapter 4 of "Build a Large Language Model (From Scratch)", member for member and in
// the book's order, so that the same seed gives the book's initial weights and the state-dict
// names are the book's ("trf_blocks.0.att.W_query.weight", "trf_blocks.0.ff.layers.0.bias").
// One difference in names: the book's LayerNorm calls its parameters scale and shift, this one (as
// torch.nn.LayerNorm) weight and bias; the math is the same (biased variance, eps 1e-5).
namespace mg::nn {

// The book's GPT_CONFIG_124M by default: GPT-2 small.
struct GPTConfig {
  int64_t vocab_size = 50257;
  int64_t context_length = 1024;
  int64_t emb_dim = 768;
  int64_t n_heads = 12;
  int64_t n_layers = 12;
  double drop_rate = 0.1;
  bool qkv_bias = false;
};

// Linear(emb_dim, 4 emb_dim), GELU (tanh approximation, as the book's), Linear(4 emb_dim, emb_dim).
class FeedForward : public Module {
 public:
  explicit FeedForward(const GPTConfig& cfg);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  Sequential layers;
};

// Pre-LayerNorm: x + drop(att(norm1(x))), then the same around ff with norm2.
class TransformerBlock : public Module {
 public:
  explicit TransformerBlock(const GPTConfig& cfg);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  MultiHeadAttention att;
  FeedForward ff;
  LayerNorm norm1, norm2;
  Dropout drop_shortcut;
};

// Token ids, int64 [B, T] or [T] with T <= context_length, to logits [..., T, vocab_size]: token
// plus position embeddings, dropout, the blocks, a final LayerNorm and a bias-free output head.
class GPTModel : public Module {
 public:
  explicit GPTModel(const GPTConfig& cfg);
  Tensor forward(const Tensor& in_idx) const override;
  void visit(Visitor& visitor) override;

  Embedding tok_emb, pos_emb;
  Dropout drop_emb;
  ModuleList<TransformerBlock> trf_blocks;
  LayerNorm final_norm;
  Linear out_head;
};

}  // namespace mg::nn
