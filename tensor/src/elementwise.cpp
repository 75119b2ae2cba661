#include "minigrad/tensor/elementwise.h"

#include "minigrad/tensor/reduce.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <string>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"
#include "minigrad/tensor/views.h"
#include "strided_loop.h"

namespace mg::kernels {

// --- Op names and the math of each op ---------------------------------------------------------

namespace {
constexpr const char* kBinaryOpNames[] = {"add", "sub", "mul", "div"};
static_assert(std::size(kBinaryOpNames) == static_cast<size_t>(BinaryOp::Div) + 1,
              "one name per BinaryOp");
constexpr const char* kUnaryOpNames[] = {"neg",  "exp",  "log",     "sqrt", "abs",
                                         "sign", "tanh", "sigmoid", "relu"};
static_assert(std::size(kUnaryOpNames) == static_cast<size_t>(UnaryOp::Relu) + 1,
              "one name per UnaryOp");

// Calls body(fn) with fn(x, y) the op's math, a generic lambda the kernel inlines into its loop.
template <typename Body>
void with_binary_fn(BinaryOp op, Body&& body) {
  switch (op) {
    case BinaryOp::Add:
      return body([](auto x, auto y) { return x + y; });
    case BinaryOp::Sub:
      return body([](auto x, auto y) { return x - y; });
    case BinaryOp::Mul:
      return body([](auto x, auto y) { return x * y; });
    case BinaryOp::Div:
      return body([](auto x, auto y) { return x / y; });
  }
}

// Calls body(fn) with fn(x) the op's math; a new unary op is one line here (and its name above).
template <typename Body>
void with_unary_fn(UnaryOp op, Body&& body) {
  switch (op) {
    case UnaryOp::Neg:
      return body([](auto x) { return -x; });
    case UnaryOp::Exp:
      return body([](auto x) { return std::exp(x); });
    case UnaryOp::Log:
      return body([](auto x) { return std::log(x); });
    case UnaryOp::Sqrt:
      return body([](auto x) { return std::sqrt(x); });
    case UnaryOp::Abs:
      return body([](auto x) { return std::abs(x); });
    case UnaryOp::Sign:
      return body([](auto x) { return decltype(x)((0 < x) - (x < 0)); });
    case UnaryOp::Tanh:
      return body([](auto x) { return std::tanh(x); });
    case UnaryOp::Sigmoid:
      return body([](auto x) { return 1 / (1 + std::exp(-x)); });
    case UnaryOp::Relu:
      return body([](auto x) { return x < 0 ? 0 : x; });  // nan stays nan
  }
}

// Calls body(fn) with fn(x) = x^exponent, special exponents as PyTorch's pow kernels take them.
template <typename Body>
void with_pow_fn(double exponent, Body&& body) {
  if (exponent == 0) return body([](auto x) { return decltype(x)(1); });  // also for nan
  if (exponent == 1) return body([](auto x) { return x; });
  if (exponent == 2) return body([](auto x) { return x * x; });
  if (exponent == 3) return body([](auto x) { return x * x * x; });
  if (exponent == 0.5) return body([](auto x) { return std::sqrt(x); });
  if (exponent == -0.5) return body([](auto x) { return 1 / std::sqrt(x); });
  if (exponent == -1) return body([](auto x) { return 1 / x; });
  if (exponent == -2) return body([](auto x) { return 1 / (x * x); });
  body([exponent](auto x) { return decltype(x)(std::pow(x, exponent)); });
}
}  // namespace

std::string_view binary_op_name(BinaryOp op) {
  return kBinaryOpNames[static_cast<size_t>(op)];
}
std::string_view unary_op_name(UnaryOp op) {
  return kUnaryOpNames[static_cast<size_t>(op)];
}

// --- Shapes and dtypes --------------------------------------------------------------------------

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t ndim = std::max(a.size(), b.size());
  Shape shape(ndim);
  for (size_t d = 0; d < ndim; ++d) {
    // Sizes aligned from the last dim; a missing dim acts as size 1.
    const int64_t size_a = d + a.size() >= ndim ? a[d + a.size() - ndim] : 1;
    const int64_t size_b = d + b.size() >= ndim ? b[d + b.size() - ndim] : 1;
    check(size_a == size_b || size_a == 1 || size_b == 1, op, ": shapes ", a, " and ", b,
          " cannot be broadcast (", size_a, " != ", size_b, " at dim ", d, ")");
    shape[d] = size_a == 1 ? size_b : size_a;
  }
  return shape;
}

Dtype result_dtype(const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return a.dtype();
  if ((a.dim() == 0) != (b.dim() == 0)) return a.dim() == 0 ? b.dtype() : a.dtype();
  return kFloat64;
}

namespace {
// input's strides when read in `shape`, which input's shape broadcasts to: 0 on the leading dims
// input lacks and on the dims where it has size 1, so every output element reads the one value.
Shape strides_in(const Tensor& input, const Shape& shape) {
  Shape strides(shape.size(), 0);
  const size_t lead = shape.size() - input.shape().size();
  for (size_t d = 0; d < input.shape().size(); ++d)
    if (input.shape()[d] != 1) strides[lead + d] = input.strides()[d];
  return strides;
}

template <typename T>
T* storage_base(const Tensor& tensor) {
  return static_cast<T*>(tensor.storage()->data());
}

// src unless it shares dst's memory in another layout: then a copy, so that writing dst cannot
// change elements of src still to be read (x.add_(x.T), x.copy_(x[0])).
Tensor separate(const Tensor& dst, const Tensor& src) {
  const bool same_view = src.storage_offset() == dst.storage_offset() &&
                         src.shape() == dst.shape() && src.strides() == dst.strides();
  return src.storage() == dst.storage() && !same_view ? clone(src) : src;
}

// --- The loops ----------------------------------------------------------------------------------

// out = fn(a, b) over out's shape. out: any view of scalar_t; a, b: scalar_t views whose shapes
// broadcast to out's. Rows whose strides are all 1, or 1 with one operand fixed (stride 0, a
// broadcast scalar or row), get loops the compiler vectorises.
template <typename scalar_t, typename Fn>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, Fn fn) {
  scalar_t* out_base = storage_base<scalar_t>(out);
  const scalar_t* a_base = storage_base<scalar_t>(a);
  const scalar_t* b_base = storage_base<scalar_t>(b);
  const Shape& shape = out.shape();
  detail::for_each_row<3>(
      shape, {out.strides(), strides_in(a, shape), strides_in(b, shape)},
      {out.storage_offset(), a.storage_offset(), b.storage_offset()},
      [&](const std::array<int64_t, 3>& offsets, int64_t n, const std::array<int64_t, 3>& stride) {
        scalar_t* out_row = out_base + offsets[0];
        const scalar_t* a_row = a_base + offsets[1];
        const scalar_t* b_row = b_base + offsets[2];
        if (stride[0] == 1 && stride[1] == 1 && stride[2] == 1) {
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_row[i], b_row[i]);
        } else if (stride[0] == 1 && stride[1] == 1 && stride[2] == 0) {
          const scalar_t b_value = *b_row;
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_row[i], b_value);
        } else if (stride[0] == 1 && stride[1] == 0 && stride[2] == 1) {
          const scalar_t a_value = *a_row;
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_value, b_row[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            out_row[i * stride[0]] = fn(a_row[i * stride[1]], b_row[i * stride[2]]);
        }
      });
}

// out = fn(input) over out's shape. out: any view of out_t; input: an in_t view whose shape
// broadcasts to out's.
template <typename out_t, typename in_t, typename Fn>
void unary_loop(const Tensor& out, const Tensor& input, Fn fn) {
  out_t* out_base = storage_base<out_t>(out);
  const in_t* in_base = storage_base<in_t>(input);
  const Shape& shape = out.shape();
  detail::for_each_row<2>(
      shape, {out.strides(), strides_in(input, shape)},
      {out.storage_offset(), input.storage_offset()},
      [&](const std::array<int64_t, 2>& offsets, int64_t n, const std::array<int64_t, 2>& stride) {
        out_t* out_row = out_base + offsets[0];
        const in_t* in_row = in_base + offsets[1];
        if (stride[0] == 1 && stride[1] == 1) {
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(in_row[i]);
        } else if (stride[0] == 1 && stride[1] == 0) {
          const out_t value = fn(*in_row);
          for (int64_t i = 0; i < n; ++i) out_row[i] = value;
        } else {
          for (int64_t i = 0; i < n; ++i) out_row[i * stride[0]] = fn(in_row[i * stride[1]]);
        }
      });
}

// out = a op b, all three already of out's dtype; out may be a (in place).
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch(out.dtype(), [&]<typename scalar_t>() {
    with_binary_fn(op, [&](auto fn) { binary_loop<scalar_t>(out, a, b, fn); });
  });
}

// dst = src broadcast and converted; no checks, no version bump.
void copy_into(const Tensor& dst, const Tensor& src) {
  dispatch(dst.dtype(), [&]<typename out_t>() {
    dispatch(src.dtype(), [&]<typename in_t>() {
      unary_loop<out_t, in_t>(dst, src, [](in_t x) { return static_cast<out_t>(x); });
    });
  });
}

// The shape check every in-place op shares: other must broadcast to self's shape unchanged.
void check_broadcasts_to(const Tensor& self, const Tensor& other, const std::string& op) {
  const Shape shape = broadcast_shapes(self.shape(), other.shape(), op.c_str());
  check(shape == self.shape(), op, ": output with shape ", self.shape(),
        " doesn't match the broadcast shape ", shape);
}
}  // namespace

// --- Ops ----------------------------------------------------------------------------------------

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(a.shape(), b.shape(), kBinaryOpNames[static_cast<size_t>(op)]);
  const Dtype dtype = result_dtype(a, b);
  Tensor out = empty(shape, dtype);
  binary_into(op, out, to(a, dtype), to(b, dtype));
  return out;
}

void binary_(BinaryOp op, const Tensor& self, const Tensor& other) {
  check_broadcasts_to(self, other, str(binary_op_name(op), "_"));
  const Dtype dtype = result_dtype(self, other);
  if (dtype != self.dtype()) {
    // PyTorch computes float32 += float64 in float64, then rounds the result into self.
    copy_into(self, binary(op, self, other));
  } else {
    binary_into(op, self, self, separate(self, to(other, dtype)));
  }
  self.storage()->bump_version();
}

Tensor unary(UnaryOp op, const Tensor& input) {
  Tensor out = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), [&]<typename scalar_t>() {
    with_unary_fn(op, [&](auto fn) { unary_loop<scalar_t, scalar_t>(out, input, fn); });
  });
  return out;
}

Tensor pow(const Tensor& input, double exponent) {
  Tensor out = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), [&]<typename scalar_t>() {
    with_pow_fn(exponent, [&](auto fn) { unary_loop<scalar_t, scalar_t>(out, input, fn); });
  });
  return out;
}

namespace {
// The gradient a backward kernel fills: grad_out and input must have one shape and dtype.
Tensor empty_grad_in(const char* op, const Tensor& grad_out, const Tensor& input) {
  check(grad_out.shape() == input.shape() && grad_out.dtype() == input.dtype(), op, ": grad_out ",
        grad_out.shape(), " ", dtype_name(grad_out.dtype()), " must match the input ",
        input.shape(), " ", dtype_name(input.dtype()));
  return empty(input.shape(), input.dtype());
}
}  // namespace

Tensor threshold_backward(const Tensor& grad_out, const Tensor& input, double threshold) {
  Tensor grad_in = empty_grad_in("threshold_backward", grad_out, input);
  dispatch(input.dtype(), [&]<typename T>() {
    binary_loop<T>(grad_in, grad_out, input,
                   [threshold = T(threshold)](T dy, T x) { return x <= threshold ? T(0) : dy; });
  });
  return grad_in;
}

// --- gelu and its backward ----------------------------------------------------------------------

GeluApproximate gelu_approximate(std::string_view name) {
  check(name == "none" || name == "tanh", "gelu: approximate must be \"none\" or \"tanh\", not \"",
        name, "\"");
  return name == "none" ? GeluApproximate::None : GeluApproximate::Tanh;
}

namespace {
// The constants of gelu and its derivative, in x's type T.
template <typename T>
struct Gelu {
  static constexpr T kSqrt1_2 = T(0.70710678118654752440);    // 1 / sqrt(2)
  static constexpr T kPdfScale = T(0.39894228040143267794);   // 1 / sqrt(2 pi)
  static constexpr T kTanhScale = T(0.79788456080286535588);  // sqrt(2 / pi)
  static constexpr T kKappa = T(0.044715);
};
}  // namespace

Tensor gelu(const Tensor& input, GeluApproximate approximate) {
  Tensor out = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), [&]<typename T>() {
    using G = Gelu<T>;
    if (approximate == GeluApproximate::None)
      unary_loop<T, T>(out, input,
                       [](T x) { return x * T(0.5) * (1 + std::erf(x * G::kSqrt1_2)); });
    else
      unary_loop<T, T>(out, input, [](T x) {
        return T(0.5) * x * (1 + std::tanh(G::kTanhScale * (x + G::kKappa * (x * x * x))));
      });
  });
  return out;
}

Tensor gelu_backward(const Tensor& grad_out, const Tensor& input, GeluApproximate approximate) {
  Tensor grad_in = empty_grad_in("gelu_backward", grad_out, input);
  dispatch(input.dtype(), [&]<typename T>() {
    using G = Gelu<T>;
    if (approximate == GeluApproximate::None)
      // d/dx x Phi(x) = Phi(x) + x phi(x)
      binary_loop<T>(grad_in, grad_out, input, [](T dy, T x) {
        const T cdf = T(0.5) * (1 + std::erf(x * G::kSqrt1_2));
        const T pdf = G::kPdfScale * std::exp(x * x * T(-0.5));
        return dy * (cdf + x * pdf);
      });
    else
      // gelu = left * right with left = x / 2, right = 1 + tanh(inner),
      // inner = sqrt(2 / pi) * (x + kappa x^3)
      binary_loop<T>(grad_in, grad_out, input, [](T dy, T x) {
        const T tanh_inner = std::tanh(G::kTanhScale * (x + G::kKappa * (x * x * x)));
        const T left = T(0.5) * x, right = 1 + tanh_inner;
        const T dinner = G::kTanhScale * (1 + 3 * G::kKappa * (x * x));
        return dy * (T(0.5) * right + left * (1 - tanh_inner * tanh_inner) * dinner);
      });
  });
  return grad_in;
}

Tensor scalar_tensor(double value, Dtype dtype) {
  return full({}, value, dtype);
}

void copy_(const Tensor& dst, const Tensor& src) {
  check_broadcasts_to(dst, src, "copy_");
  copy_into(dst, separate(dst, src));
  dst.storage()->bump_version();
}

void fill_(const Tensor& dst, double value) {
  dispatch(dst.dtype(), [&]<typename scalar_t>() {
    const auto fill_value = static_cast<scalar_t>(value);
    scalar_t* base = storage_base<scalar_t>(dst);
    detail::for_each_row(dst.shape(), dst.strides(), dst.storage_offset(),
                         [&](int64_t offset, int64_t n, int64_t stride) {
                           scalar_t* row = base + offset;
                           if (stride == 1)
                             for (int64_t i = 0; i < n; ++i) row[i] = fill_value;
                           else
                             for (int64_t i = 0; i < n; ++i) row[i * stride] = fill_value;
                         });
  });
  dst.storage()->bump_version();
}

Tensor to(const Tensor& input, Dtype dtype) {
  if (input.dtype() == dtype) return input;
  Tensor out = empty(input.shape(), dtype);
  copy_into(out, input);
  return out;
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  check(broadcast_shapes(shape, grad.shape(), "sum_to") == grad.shape(), "sum_to: shape ", shape,
        " does not broadcast to the gradient's shape ", grad.shape());
  if (shape == grad.shape()) return grad;
  // Sum the leading dims `shape` lacks and the dims where it has size 1, as PyTorch's sum_to does.
  const int64_t leading = grad.dim() - static_cast<int64_t>(shape.size());
  Dims summed_dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < leading || (shape[d - leading] == 1 && grad.shape()[d] != 1)) summed_dims.push_back(d);
  return view(sum(grad, summed_dims, /*keepdim=*/true), shape);
}

}  // namespace mg::kernels
