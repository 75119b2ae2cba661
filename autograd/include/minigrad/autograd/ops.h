#pragma once

#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "minigrad/tensor/reduce.h"
#include "minigrad/tensor/tensor.h"

// Differentiable ops as free functions, named as in PyTorch; each also exists as a Tensor method
// where PyTorch has one. Elementwise ops broadcast with NumPy's rules and promote dtypes as
// PyTorch does; a scalar operand acts as a Python float: it takes a floating-point tensor's
// dtype and makes an int64 or bool one's result float32. Results that are not floating point
// never require grad. Comparisons are in minigrad/tensor/compare.h.
namespace mg {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& input);
Tensor exp(const Tensor& input);
Tensor log(const Tensor& input);
Tensor sqrt(const Tensor& input);
Tensor pow(const Tensor& input, double exponent);
Tensor abs(const Tensor& input);
Tensor tanh(const Tensor& input);
Tensor sigmoid(const Tensor& input);
Tensor relu(const Tensor& input);
// approximate: "none" (x * Phi(x), Phi the normal CDF) or "tanh", as libtorch's torch::gelu.
Tensor gelu(const Tensor& input, std::string_view approximate = "none");

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& input);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// All elements when dims is empty.
Tensor sum(const Tensor& input, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& input, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Divided by N - 1 when unbiased, else by N (see minigrad/tensor/reduce.h).
Tensor var(const Tensor& input, const std::vector<int64_t>& dims = {}, bool unbiased = true,
           bool keepdim = false);
// Over all elements (a 0-dim result; the gradient is shared evenly by the elements equal to it),
// or along a dim: values and int64 indices, `auto [values, indices] = mg::max(x, 1);` (the
// gradient goes to the element each index picked). argmax/argmin, whose indices never require
// grad, are the kernels themselves (minigrad/tensor/reduce.h).
Tensor max(const Tensor& input);
Tensor min(const Tensor& input);
std::tuple<Tensor, Tensor> max(const Tensor& input, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& input, int64_t dim, bool keepdim = false);
using kernels::argmax;
using kernels::argmin;

Tensor matmul(const Tensor& a, const Tensor& b);
// x @ weight^T + bias over the last dim of x (any rank >= 1), as torch.nn.functional.linear: one
// BLAS call with the weight passed as a transpose flag. bias may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
Tensor dot(const Tensor& a, const Tensor& b);
Tensor softmax(const Tensor& input, int64_t dim);
Tensor log_softmax(const Tensor& input, int64_t dim);
// softmax(input.masked_fill(mask, -inf) / divisor, -1), attention's causal softmax, in one pass
// over the scores and bit for bit what those three ops give (its grad_fn is SoftmaxBackward0, as
// theirs). mask (any dtype, nonzero is true) and input broadcast together, as in masked_fill.
Tensor masked_softmax(const Tensor& input, const Tensor& mask, double divisor = 1.0);
// In training, zeroes each element with probability p and scales the rest by 1 / (1 - p), drawing
// PyTorch's masks for the same seed (mg::set_dropout_stream picks which PyTorch build's); the
// input itself when not training or when p is 0. Throws unless 0 <= p <= 1.
Tensor dropout(const Tensor& input, double p, bool training = true);
// softmax(query @ key^T * scale + mask) @ value with dropout on the weights, as PyTorch 2.x's
// torch.nn.functional.scaled_dot_product_attention: query [..., Tq, E], key [..., Tk, E], value
// [..., Tk, Ev] with the same batch dims; attn_mask, boolean (true: the query may see the key) or
// added to the scores, broadcasts to [..., Tq, Tk] and gets no gradient; is_causal lets query i
// see keys 0..i (not with a mask); scale defaults to 1 / sqrt(E). Fused (tensor/attention.h): no
// [Tq, Tk] tensor is made, and a query that sees no key gets zeros, as in PyTorch's flash kernel.
// Dropout (whenever dropout_p > 0, as in PyTorch) draws the very mask that
// dropout(softmax(...), dropout_p) draws for the same seed.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0.0,
                                    bool is_causal = false,
                                    std::optional<double> scale = std::nullopt);
// The same by explicit ops (matmul, masked_fill, softmax, dropout, matmul), as PyTorch's math
// path: what the fused op is tested against. A query that sees no key gets NaN here, from the
// softmax of a row of -inf.
Tensor scaled_dot_product_attention_math(const Tensor& query, const Tensor& key,
                                         const Tensor& value, const Tensor& attn_mask = {},
                                         double dropout_p = 0.0, bool is_causal = false,
                                         std::optional<double> scale = std::nullopt);

// Tensors of one shape joined along a new dim.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Tensors joined along an existing dim, which is the only one whose sizes may differ. Tensors of
// shape [0] are skipped, as PyTorch's legacy rule has it.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
// The layout ops as free functions, as torch.reshape, torch.permute, ... (see the Tensor methods).
Tensor reshape(const Tensor& input, const Shape& shape);
Tensor transpose(const Tensor& input, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& input, const std::vector<int64_t>& dims);
Tensor unsqueeze(const Tensor& input, int64_t dim);
Tensor squeeze(const Tensor& input);
Tensor squeeze(const Tensor& input, int64_t dim);
Tensor flatten(const Tensor& input, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor select(const Tensor& input, int64_t dim, int64_t index);
Tensor narrow(const Tensor& input, int64_t dim, int64_t start, int64_t length);
Tensor clone(const Tensor& input);
// The upper / lower triangle of each matrix in the last two dims (see tensor/triangular.h).
Tensor triu(const Tensor& input, int64_t diagonal = 0);
Tensor tril(const Tensor& input, int64_t diagonal = 0);

// condition ? a : b elementwise (condition of any dtype, nonzero is true; all three broadcast),
// in the promoted dtype of a and b; differentiable in a and b. A number takes the other
// operand's dtype as a Python float does (float32 beside an int64 tensor).
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, double b);
Tensor where(const Tensor& condition, double a, const Tensor& b);
// input with value where mask is nonzero. input and mask broadcast together, as in PyTorch: a [3]
// input filled by a [2, 3] mask is [2, 3]; in place (masked_fill_) only the mask broadcasts.
// Differentiable in input: attn_scores.masked_fill(mask, -INFINITY).
Tensor masked_fill(const Tensor& input, const Tensor& mask, double value);

// --- The building blocks of a GPT model (chapter 4 of the book).

// The rows of weight [num_embeddings, embedding_dim] that int64 indices of any shape pick:
// indices.shape + [embedding_dim], as torch.nn.functional.embedding(indices, weight) but in
// libtorch's argument order, torch::embedding(weight, indices). Token ids are int64 tensors.
// Differentiable in weight: an id used more than once gathers the sum of its rows' gradients.
// Throws for an index outside [0, num_embeddings).
Tensor embedding(const Tensor& weight, const Tensor& indices);

// The mean over the targets that are not ignore_index of -log_softmax(logits)[..., target], as
// torch.nn.functional.cross_entropy with reduction "mean": logits [N, C] with int64 targets [N],
// or logits [B, T, C] with targets [B, T]. The 3-D form is the GPT convention, classes in the last
// dim: it equals PyTorch's F.cross_entropy(logits.flatten(0, 1), targets.flatten()) (PyTorch's
// own 3-D form expects classes in dim 1). Unbatched logits [C] take a 0-dim target. As in PyTorch,
// NaN when every target is ignored; throws for a target outside [0, C) that is not ignore_index.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, int64_t ignore_index = -100);

// (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims normalized_shape of input,
// with the biased variance, as torch.nn.functional.layer_norm. weight and bias (of shape
// normalized_shape) may each be undefined. Fused: the backward reads the saved mean and rstd.
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);

}  // namespace mg
