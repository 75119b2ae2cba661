#pragma once

#include <cstdint>

#include "minigrad/nn/container.h"
#include "minigrad/nn/dropout.h"
#include "minigrad/nn/linear.h"
#include "minigrad/nn/module.h"

// The attention modules of chapter 3 of "Build a Large Language Model (From Scratch)", with the
// book's constructor arguments, member names and parameter order, so that the same seed gives the
// same weights. Inputs are [T, d_in] or [B, T, d_in]; the output is [..., T, d_out].
namespace mg::nn {

// Weights as rand({d_in, d_out}) parameters: context_vec = softmax(q k^T / sqrt(d_out)) v.
class SelfAttentionV1 : public Module {
 public:
  SelfAttentionV1(int64_t d_in, int64_t d_out);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  Tensor W_query, W_key, W_value;  // [d_in, d_out]
};

// The same with three Linear layers.
class SelfAttentionV2 : public Module {
 public:
  SelfAttentionV2(int64_t d_in, int64_t d_out, bool qkv_bias = false);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  Linear W_query, W_key, W_value;
};

// SelfAttentionV2 with a causal mask (token t sees tokens 0..t) and dropout on the weights, the
// three run fused by scaled_dot_product_attention (is_causal), which draws the same dropout mask.
class CausalAttention : public Module {
 public:
  CausalAttention(int64_t d_in, int64_t d_out, int64_t context_length, double dropout,
                  bool qkv_bias = false);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  Linear W_query, W_key, W_value;
  Dropout dropout;
  Tensor mask;  // buffer: triu(ones(context_length, context_length), 1)
};

// num_heads CausalAttention heads side by side, outputs concatenated: [..., T, num_heads * d_out].
class MultiHeadAttentionWrapper : public Module {
 public:
  MultiHeadAttentionWrapper(int64_t d_in, int64_t d_out, int64_t context_length, double dropout,
                            int64_t num_heads, bool qkv_bias = false);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  ModuleList<CausalAttention> heads;
};

// Multi-head causal attention with the heads fused: d_out split into num_heads heads of head_dim
// by view and transpose, then an out_proj Linear.
class MultiHeadAttention : public Module {
 public:
  MultiHeadAttention(int64_t d_in, int64_t d_out, int64_t context_length, double dropout,
                     int64_t num_heads, bool qkv_bias = false);
  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;
  // The attention weights forward uses for x, [B, num_heads, T, T] (or [num_heads, T, T] for
  // x [T, d_in]): softmax over the keys, zero above the diagonal, with dropout in training mode
  // (the mask forward draws for the same seed). forward never makes them (it runs fused); this
  // computes them by the explicit ops, for plots and tests: call it under NoGradGuard in eval
  // mode to see what the model attends to.
  Tensor attention_weights(const Tensor& x) const;

  int64_t d_out, num_heads, head_dim;
  Linear W_query, W_key, W_value, out_proj;
  Dropout dropout;
  Tensor mask;  // buffer: triu(ones(context_length, context_length), 1)

 private:
  struct Heads {
    Tensor queries, keys, values;  // [B, num_heads, T, head_dim]
  };
  // The projections of x [T, d_in] or [B, T, d_in] (checked; B = 1 for one sequence), in heads.
  Heads split_heads(const Tensor& x) const;
};

}  // namespace mg::nn
