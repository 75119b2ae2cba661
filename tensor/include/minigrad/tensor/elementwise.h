#pragma once

#include <string_view>

#include "minigrad/tensor/tensor.h"

// Elementwise kernels on raw tensors, with NumPy/PyTorch broadcasting. Graph-free; autograd/
// wraps them in differentiable ops. Results match PyTorch 1.13's CPU bits for + - * /, neg, sqrt,
// abs, sign, relu and pow by 0, +-1, +-2, 3, +-0.5; exp, log, tanh, sigmoid and gelu take SLEEF's
// vector math, as PyTorch's vector loops do, other powers std::pow (tests/tensor/unary_test.cpp
// says how close each comes).
namespace mg::kernels {

// The shape both operands broadcast to: sizes are aligned from the last dim; a size of 1 (or a
// missing dim) stretches to the other size. Throws, naming `op`, when two sizes differ and
// neither is 1: "add: shapes [2, 3] and [4] cannot be broadcast (3 != 4 at dim 1)".
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Whether `shape` broadcasts to `target`: aligned from the last dim, each size is 1 or target's.
bool broadcasts_to(const Shape& shape, const Shape& target);

// PyTorch's result dtype for a binary op: the higher of the two in bool < int64 < float32 <
// float64, except that a 0-dim operand promotes a tensor with dims only when it is of a higher
// kind (bool < integer < floating point): float32 tensor * 0-dim float64 is float32, as x * 2.5
// is in PyTorch, while int64 tensor * 0-dim float32 is float32.
Dtype result_dtype(const Tensor& a, const Tensor& b);

enum class BinaryOp { Add, Sub, Mul, Div };
std::string_view binary_op_name(BinaryOp op);  // "add", "sub", "mul", "div"

// a op b: a new contiguous tensor of the broadcast shape and result_dtype(a, b), or float32 when
// that is an integer or bool dtype and op is Div (true division, as PyTorch's /). Two bool tensors
// add as logical or and multiply as logical and; sub with a bool operand throws, as in PyTorch.
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
// self op= other, in place (add_, sub_, ...): other must broadcast to self's shape. Computes in
// result_dtype(self, other) and stores in self's dtype, as PyTorch does; throws when that would
// turn a floating-point result into an integer one (int64 += float32). Bumps self's version.
void binary_(BinaryOp op, const Tensor& self, const Tensor& other);

// Sign is -1, 0 or 1 (0 at 0, as torch.sign); Relu is max(x, 0).
enum class UnaryOp { Neg, Exp, Log, Sqrt, Abs, Sign, Tanh, Sigmoid, Relu };
std::string_view unary_op_name(UnaryOp op);  // "neg", "exp", "log", ...

// op(input): a new contiguous tensor of input's shape and dtype. As in PyTorch, an int64 input
// keeps its dtype for Neg, Abs, Sign and Relu (which refuse bool) and the other ops take int64
// and bool inputs in float32.
Tensor unary(UnaryOp op, const Tensor& input);

// grad_out where input > threshold, else 0; nan in input lets grad_out through, as in PyTorch.
// relu's backward, from relu's result and threshold 0.
Tensor threshold_backward(const Tensor& grad_out, const Tensor& input, double threshold);

// input^exponent elementwise, exponent taken in input's dtype. Exponents 2, 3, 0.5, -0.5, -1 and
// -2 are computed as PyTorch computes them (x * x, 1 / sqrt(x), ...), the rest with std::pow.
Tensor pow(const Tensor& input, double exponent);

// gelu(x) = x * Phi(x), Phi the standard normal CDF (None), or its tanh approximation
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))) (Tanh).
enum class GeluApproximate { None, Tanh };
// The approximate argument as libtorch spells it: "none" or "tanh"; throws on anything else.
GeluApproximate gelu_approximate(std::string_view name);
Tensor gelu(const Tensor& input, GeluApproximate approximate);
// grad_out * gelu'(input), grad_out and input of one shape and dtype.
Tensor gelu_backward(const Tensor& grad_out, const Tensor& input, GeluApproximate approximate);

// A 0-dim tensor holding `value`: tensor-scalar ops go through the one broadcast path, e.g.
// binary(BinaryOp::Mul, x, scalar_tensor(2.5, x.dtype())).
Tensor scalar_tensor(double value, Dtype dtype);
// A number meeting `other` in an op, as a Python float does in PyTorch: a 0-dim tensor of
// other's dtype when that is floating point, else float32 (int64 tensor * 2.5 is float32).
Tensor wrapped_scalar(double value, const Tensor& other);

enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge };

// a op b as a bool tensor of the broadcast shape, comparing in result_dtype(a, b).
Tensor compare(CompareOp op, const Tensor& a, const Tensor& b);

// condition ? a : b elementwise, all three broadcast; condition of any dtype (nonzero is true);
// the result has dtype result_dtype(a, b).
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// Sets the elements of self (any view) where mask (any dtype, nonzero is true, broadcast to
// self's shape) is true to value. Bumps self's version.
void masked_fill_(const Tensor& self, const Tensor& mask, double value);

// dst[...] = src broadcast to dst's shape, in dst's dtype; dst may be any view. Bumps its version.
void copy_(const Tensor& dst, const Tensor& src);
// Every element of dst (any view) set to value converted to dst's dtype. Bumps dst's version.
void fill_(const Tensor& dst, double value);
// input converted to dtype: input itself when it already has that dtype, else a contiguous copy.
Tensor to(const Tensor& input, Dtype dtype);

// Broadcasting's backward: grad, of a shape that `shape` broadcasts to, summed over its leading
// extra dims and over the dims where `shape` has size 1, giving a tensor of `shape`. grad itself
// when the shapes are equal.
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace mg::kernels
