#include "minigrad/tensor/elementwise.h"

#include <cmath>
#include <functional>
#include <iterator>
#include <type_traits>

#include "elementwise_loops.h"
#include "minigrad/tensor/factory.h"
#include "vec_math.h"

namespace mg::kernels {

// --- Op names and the math of each op ---------------------------------------------------------

namespace {
struct BinaryOpNames {
  const char* op;
  const char* in_place;
};
constexpr BinaryOpNames kBinaryOpNames[] = {
    {"add", "add_"}, {"sub", "sub_"}, {"mul", "mul_"}, {"div", "div_"}};
static_assert(std::size(kBinaryOpNames) == static_cast<size_t>(BinaryOp::Div) + 1,
              "one name per BinaryOp");
constexpr const char* kCompareOpNames[] = {"eq", "ne", "lt", "le", "gt", "ge"};
static_assert(std::size(kCompareOpNames) == static_cast<size_t>(CompareOp::Ge) + 1,
              "one name per CompareOp");
constexpr const char* kUnaryOpNames[] = {"neg",  "exp",  "log",     "sqrt", "abs",
                                         "sign", "tanh", "sigmoid", "relu"};
static_assert(std::size(kUnaryOpNames) == static_cast<size_t>(UnaryOp::Relu) + 1,
              "one name per UnaryOp");

// op(x, y), where int64 results that overflow wrap around, as PyTorch's do on two's-complement
// CPUs: computed in uint64, where wrapping is defined (in int64 it is undefined behaviour).
template <typename T, typename Op>
T wrapping(T x, T y, Op op) {
  if constexpr (std::is_same_v<T, int64_t>)
    return static_cast<int64_t>(op(static_cast<uint64_t>(x), static_cast<uint64_t>(y)));
  else
    return op(x, y);
}

// Calls body(fn) with fn(x, y) the op's math, a generic lambda the kernel inlines into its loop.
template <typename Body>
void with_binary_fn(BinaryOp op, Body&& body) {
  switch (op) {
    case BinaryOp::Add:
      return body([](auto x, auto y) { return wrapping(x, y, std::plus<>()); });
    case BinaryOp::Sub:
      return body([](auto x, auto y) { return wrapping(x, y, std::minus<>()); });
    case BinaryOp::Mul:
      return body([](auto x, auto y) { return wrapping(x, y, std::multiplies<>()); });
    case BinaryOp::Div:
      return body([](auto x, auto y) { return x / y; });
  }
}

template <typename Body>
void with_compare_fn(CompareOp op, Body&& body) {
  switch (op) {
    case CompareOp::Eq:
      return body([](auto x, auto y) { return x == y; });
    case CompareOp::Ne:
      return body([](auto x, auto y) { return x != y; });
    case CompareOp::Lt:
      return body([](auto x, auto y) { return x < y; });
    case CompareOp::Le:
      return body([](auto x, auto y) { return x <= y; });
    case CompareOp::Gt:
      return body([](auto x, auto y) { return x > y; });
    case CompareOp::Ge:
      return body([](auto x, auto y) { return x >= y; });
  }
}

// A run function y[0..n) = fn(x[0..n)) from an elementwise fn(x).
template <typename Fn>
auto each(Fn fn) {
  return [fn](const auto* x, auto* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = fn(x[i]);
  };
}

// Calls body(run) with run(x, y, n) the op's math over a run of elements: elementwise, or from
// SLEEF for the transcendentals (vec_math.h). A new unary op is one line here (and its name above).
template <typename Body>
void with_unary_fn(UnaryOp op, Body&& body) {
  switch (op) {
    case UnaryOp::Neg:
      return body(each([](auto x) { return -x; }));
    case UnaryOp::Exp:
      return body([](const auto* x, auto* y, int64_t n) { vec::exp(x, y, n); });
    case UnaryOp::Log:
      return body([](const auto* x, auto* y, int64_t n) { vec::log(x, y, n); });
    case UnaryOp::Sqrt:
      return body(each([](auto x) { return std::sqrt(x); }));
    case UnaryOp::Abs:
      return body(each([](auto x) { return std::abs(x); }));
    case UnaryOp::Sign:
      return body(each([](auto x) { return decltype(x)((0 < x) - (x < 0)); }));
    case UnaryOp::Tanh:
      return body([](const auto* x, auto* y, int64_t n) { vec::tanh(x, y, n); });
    case UnaryOp::Sigmoid:  // 1 / (1 + exp(0 - x)), as PyTorch's vector loop
      return body([](const auto* x, auto* y, int64_t n) {
        using T = std::remove_cvref_t<decltype(*x)>;
        for (int64_t i = 0; i < n; ++i) y[i] = T(0) - x[i];
        vec::exp(y, y, n);
        for (int64_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + y[i]);
      });
    case UnaryOp::Relu:
      return body(each([](auto x) { return x < 0 ? 0 : x; }));  // nan stays nan
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

// The dtype a op b is computed and returned in.
Dtype binary_dtype(BinaryOp op, const Tensor& a, const Tensor& b) {
  const Dtype dtype = result_dtype(a, b);
  check(op != BinaryOp::Sub || (a.dtype() != kBool && b.dtype() != kBool),
        "sub: a bool tensor cannot be subtracted or subtracted from, as in PyTorch; convert it "
        "first with to(mg::kFloat32) or to(mg::kInt64)");
  return op == BinaryOp::Div && !is_floating_point(dtype) ? kFloat32 : dtype;
}

// out = a op b, all three already of out's dtype; out may be a (in place).
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_all(out.dtype(), [&]<typename scalar_t>() {
    with_binary_fn(op, [&](auto fn) { binary_loop<scalar_t, scalar_t>(out, a, b, fn); });
  });
}

// neg, abs, sign and relu of an int64 tensor stay int64 as in PyTorch (and refuse bool); the other
// ops compute in float32, the default dtype.
bool keeps_integers(UnaryOp op) {
  return op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sign || op == UnaryOp::Relu;
}

// op(input) of an int64 input for an op that keeps_integers; -x wraps at INT64_MIN, as in PyTorch.
Tensor integer_unary(UnaryOp op, const Tensor& input) {
  const auto negated = [](int64_t x) { return static_cast<int64_t>(0 - static_cast<uint64_t>(x)); };
  const auto run = [&](auto fn) {
    Tensor out = empty(input.shape(), kInt64);
    unary_loop<int64_t, int64_t>(out, input, fn);
    return out;
  };
  if (op == UnaryOp::Neg) return run(negated);
  if (op == UnaryOp::Abs) return run([negated](int64_t x) { return x < 0 ? negated(x) : x; });
  if (op == UnaryOp::Sign) return run([](int64_t x) { return int64_t((0 < x) - (x < 0)); });
  return run([](int64_t x) { return x < 0 ? 0 : x; });
}

// The gradient a backward kernel fills: grad_out and input must have one shape and dtype.
Tensor empty_grad_in(const char* op, const Tensor& grad_out, const Tensor& input) {
  check(grad_out.shape() == input.shape() && grad_out.dtype() == input.dtype(), op, ": grad_out ",
        grad_out.shape(), " ", dtype_name(grad_out.dtype()), " must match the input ",
        input.shape(), " ", dtype_name(input.dtype()));
  return empty(input.shape(), input.dtype());
}

// The constants of gelu and its derivative, in x's type T.
template <typename T>
struct Gelu {
  static constexpr T kSqrt1_2 = T(0.70710678118654752440);    // 1 / sqrt(2)
  static constexpr T kPdfScale = T(0.39894228040143267794);   // 1 / sqrt(2 pi)
  static constexpr T kTanhScale = T(0.79788456080286535588);  // sqrt(2 / pi)
  static constexpr T kKappa = T(0.044715);
};
}  // namespace

// --- Ops ----------------------------------------------------------------------------------------

std::string_view binary_op_name(BinaryOp op) {
  return kBinaryOpNames[static_cast<size_t>(op)].op;
}
std::string_view unary_op_name(UnaryOp op) {
  return kUnaryOpNames[static_cast<size_t>(op)];
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(a.shape(), b.shape(), kBinaryOpNames[static_cast<size_t>(op)].op);
  const Dtype dtype = binary_dtype(op, a, b);
  Tensor out = empty(shape, dtype);
  // Operands of the result's dtype go as they are: to() would copy their handles, two atomic
  // reference counts each, which a small op notices.
  if (a.dtype() == dtype && b.dtype() == dtype)
    binary_into(op, out, a, b);
  else
    binary_into(op, out, to(a, dtype), to(b, dtype));
  return out;
}

void binary_(BinaryOp op, const Tensor& self, const Tensor& other) {
  const char* name = kBinaryOpNames[static_cast<size_t>(op)].in_place;
  check_broadcasts_to(self, other, name);
  const Dtype dtype = binary_dtype(op, self, other);
  check(can_cast(dtype, self.dtype()), name, ": the result type ", dtype_name(dtype),
        " cannot be stored in a tensor of dtype ", dtype_name(self.dtype()));
  if (dtype != self.dtype()) {
    // PyTorch computes float32 += float64 in float64, then rounds the result into self.
    copy_into(self, binary(op, self, other));
  } else {
    binary_into(op, self, self, separate(self, other.dtype() == dtype ? other : to(other, dtype)));
  }
  self.storage()->bump_version();
}

Tensor unary(UnaryOp op, const Tensor& input) {
  if (!is_floating_point(input.dtype())) {
    if (!keeps_integers(op)) return unary(op, to(input, kFloat32));
    check(input.dtype() == kInt64, unary_op_name(op), ": not supported for bool tensors");
    return integer_unary(op, input);
  }
  Tensor out = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), unary_op_name(op), [&]<typename scalar_t>() {
    with_unary_fn(op, [&](auto run) { run_loop<scalar_t>(out, input, run); });
  });
  return out;
}

Tensor pow(const Tensor& input, double exponent) {
  Tensor out = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), "pow", [&]<typename scalar_t>() {
    with_pow_fn(exponent, [&](auto fn) { unary_loop<scalar_t, scalar_t>(out, input, fn); });
  });
  return out;
}

Tensor threshold_backward(const Tensor& grad_out, const Tensor& input, double threshold) {
  Tensor grad_in = empty_grad_in("threshold_backward", grad_out, input);
  dispatch(input.dtype(), "threshold_backward", [&]<typename T>() {
    binary_loop<T, T>(grad_in, grad_out, input,
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

// PyTorch's gelu kernels, a run at a time: the polynomial part in plain loops that vectorise (with
// the fused multiply-adds of PyTorch's AVX2 build), SLEEF's erf, tanh and exp in between.
Tensor gelu(const Tensor& input, GeluApproximate approximate) {
  Tensor out = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), "gelu", [&]<typename T>() {
    using G = Gelu<T>;
    on_best_cpu([&] {
      if (approximate == GeluApproximate::None)
        // gelu = x / 2 * (1 + erf(x / sqrt(2)))
        run_loop<T>(out, input, [](const T* x, T* y, int64_t n) {
          for (int64_t i = 0; i < n; ++i) y[i] = x[i] * G::kSqrt1_2;
          vec::erf(y, y, n);
          for (int64_t i = 0; i < n; ++i) y[i] = x[i] * T(0.5) * (1 + y[i]);
        });
      else
        // gelu = x / 2 * (1 + tanh(inner)), inner = sqrt(2 / pi) * (x + kappa x^3)
        run_loop<T>(out, input, [](const T* x, T* y, int64_t n) {
          for (int64_t i = 0; i < n; ++i)
            y[i] = G::kTanhScale * std::fma(G::kKappa, x[i] * x[i] * x[i], x[i]);
          vec::tanh(y, y, n);
          for (int64_t i = 0; i < n; ++i) y[i] = T(0.5) * x[i] * (1 + y[i]);
        });
    });
  });
  return out;
}

Tensor gelu_backward(const Tensor& grad_out, const Tensor& input, GeluApproximate approximate) {
  Tensor grad_in = empty_grad_in("gelu_backward", grad_out, input);
  dispatch(input.dtype(), "gelu_backward", [&]<typename T>() {
    using G = Gelu<T>;
    on_best_cpu([&] {
      if (approximate == GeluApproximate::None)
        // d/dx x Phi(x) = Phi(x) + x phi(x)
        backward_run_loop<T>(grad_in, grad_out, input,
                             [](const T* dy, const T* x, T* dinp, int64_t n) {
                               T pdf[kRun];
                               for (int64_t i = 0; i < n; ++i) {
                                 dinp[i] = x[i] * G::kSqrt1_2;
                                 pdf[i] = x[i] * x[i] * T(-0.5);
                               }
                               vec::erf(dinp, dinp, n);
                               vec::exp(pdf, pdf, n);
                               for (int64_t i = 0; i < n; ++i) {
                                 const T cdf = T(0.5) * (1 + dinp[i]);
                                 dinp[i] = dy[i] * (cdf + x[i] * (G::kPdfScale * pdf[i]));
                               }
                             });
      else
        // gelu = left * right with left = x / 2, right = 1 + tanh(inner),
        // inner = sqrt(2 / pi) * (x + kappa x^3)
        backward_run_loop<T>(
            grad_in, grad_out, input, [](const T* dy, const T* x, T* dinp, int64_t n) {
              for (int64_t i = 0; i < n; ++i)
                dinp[i] = G::kTanhScale * (x[i] + G::kKappa * (x[i] * x[i] * x[i]));
              vec::tanh(dinp, dinp, n);
              for (int64_t i = 0; i < n; ++i) {
                const T tanh_inner = dinp[i];
                const T left = T(0.5) * x[i], right = 1 + tanh_inner;
                const T dinner = G::kTanhScale * (1 + 3 * G::kKappa * (x[i] * x[i]));
                dinp[i] = dy[i] * (T(0.5) * right + left * (1 - tanh_inner * tanh_inner) * dinner);
              }
            });
    });
  });
  return grad_in;
}

Tensor compare(CompareOp op, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(a.shape(), b.shape(), kCompareOpNames[static_cast<size_t>(op)]);
  const Dtype dtype = result_dtype(a, b);
  const Tensor a_cast = to(a, dtype), b_cast = to(b, dtype);
  Tensor out = empty(shape, kBool);
  dispatch_all(dtype, [&]<typename scalar_t>() {
    with_compare_fn(op, [&](auto fn) { binary_loop<bool, scalar_t>(out, a_cast, b_cast, fn); });
  });
  return out;
}

}  // namespace mg::kernels
