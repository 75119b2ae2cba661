#pragma once

#include <cstdint>
#include <memory>

#include "minigrad/tensor/dropout.h"
#include "minigrad/tensor/tensor.h"

// Fused attention, out = dropout(softmax(scale * query @ key^T + bias)) @ value, in the way of
// the flash-attention algorithm (and of PyTorch's CPU kernel, FlashAttentionKernel.cpp): blocks of
// queries meet blocks of keys, the softmax is taken online (a running max and sum per query,
// the partial output rescaled as the max grows), and only the row logsumexp is kept for the
// backward, which recomputes the weights block by block. No [Tq, Tk] tensor is ever made, and
// with is_causal the blocks above the diagonal are never computed.
namespace mg::kernels {

// query [..., Tq, E], key [..., Tk, E], value [..., Tk, Ev], with the same batch dims and dtype
// (float32 or float64), checked by the caller. attn_bias: undefined, or added to the scores and
// broadcasting to [..., Tq, Tk]. is_causal: query i sees keys 0..i (the top-left triangle, as
// in PyTorch, when Tq != Tk). A query that sees no key (every score -inf) gets zeros, as in
// PyTorch's flash kernel.
struct AttentionArgs {
  Tensor query, key, value;
  Tensor attn_bias;
  bool is_causal = false;
  double scale = 1;
  std::shared_ptr<const DropoutKeepBits> dropout;  // null: no dropout
};

// The shape of query's batch dims (all but its last two) followed by [rows, cols]: the scores'
// [..., Tq, Tk] or the output's [..., Tq, Ev].
Shape batch_and_matrix(const Tensor& query, int64_t rows, int64_t cols);

struct AttentionForward {
  Tensor out;        // [..., Tq, Ev]
  Tensor logsumexp;  // [..., Tq]: log of each query's softmax denominator, 0 where it sees no key
};
AttentionForward flash_attention(const AttentionArgs& args);

struct AttentionGrads {
  Tensor query, key, value;
};
AttentionGrads flash_attention_backward(const AttentionArgs& args, const AttentionForward& forward,
                                        const Tensor& grad_out);

}  // namespace mg::kernels
