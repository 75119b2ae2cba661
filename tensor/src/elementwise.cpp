#include "minigrad/tensor/elementwise.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <type_traits>

#include "cpu_dispatch.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"
#include "minigrad/tensor/views.h"
#include "strided_loop.h"
#include "vec_math.h"

namespace mg::kernels {

// --- Op names and the math of each op ---------------------------------------------------------

namespace {
constexpr const char* kBinaryOpNames[] = {"add", "sub", "mul", "div"};
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
}  // namespace

std::string_view binary_op_name(BinaryOp op) {
  return kBinaryOpNames[static_cast<size_t>(op)];
}
std::string_view unary_op_name(UnaryOp op) {
  return kUnaryOpNames[static_cast<size_t>(op)];
}

// --- Shapes and dtypes --------------------------------------------------------------------------

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
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

namespace {
// PyTorch's type lattice for our dtypes: bool < int64 < float32 < float64.
int rank(Dtype dtype) {
  switch (dtype) {
    case Dtype::Bool:
      return 0;
    case Dtype::Int64:
      return 1;
    case Dtype::Float32:
      return 2;
    case Dtype::Float64:
      return 3;
  }
  return 0;
}
// The kind of a dtype: bool 0, integer 1, floating point 2.
int kind(Dtype dtype) {
  return std::min(rank(dtype), 2);
}
Dtype promote(Dtype a, Dtype b) {
  return rank(a) >= rank(b) ? a : b;
}

// The dtype a op b is computed and returned in.
Dtype binary_dtype(BinaryOp op, const Tensor& a, const Tensor& b) {
  const Dtype dtype = result_dtype(a, b);
  check(op != BinaryOp::Sub || (a.dtype() != kBool && b.dtype() != kBool),
        "sub: a bool tensor cannot be subtracted or subtracted from, as in PyTorch; convert it "
        "first with to(mg::kFloat32) or to(mg::kInt64)");
  return op == BinaryOp::Div && !is_floating_point(dtype) ? kFloat32 : dtype;
}
}  // namespace

Dtype result_dtype(const Tensor& a, const Tensor& b) {
  if ((a.dim() == 0) == (b.dim() == 0)) return promote(a.dtype(), b.dtype());
  const Dtype with_dims = a.dim() == 0 ? b.dtype() : a.dtype();
  const Dtype zero_dim = a.dim() == 0 ? a.dtype() : b.dtype();
  return kind(zero_dim) > kind(with_dims) ? promote(with_dims, zero_dim) : with_dims;
}

namespace {
// input's strides when read in `shape`, which input's shape broadcasts to: 0 on the leading dims
// input lacks and on the dims where it has size 1, so every output element reads the one value.
Shape strides_in(const Tensor& input, const Shape& shape) {
  if (input.shape() == shape) return input.strides();  // a stride on a size-1 dim is never used
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

// out = fn(a, b) over out's shape. out: any view of out_t; a, b: in_t views whose shapes
// broadcast to out's. Rows whose strides are all 1, or 1 with one operand fixed (stride 0, a
// broadcast scalar or row), get loops the compiler vectorises.
template <typename out_t, typename in_t, typename Fn>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, Fn fn) {
  out_t* out_base = storage_base<out_t>(out);
  const in_t* a_base = storage_base<in_t>(a);
  const in_t* b_base = storage_base<in_t>(b);
  const Shape& shape = out.shape();
  detail::parallel_for_each_row<3>(
      shape, {out.strides(), strides_in(a, shape), strides_in(b, shape)},
      {out.storage_offset(), a.storage_offset(), b.storage_offset()},
      [&](const std::array<int64_t, 3>& offsets, int64_t n, const std::array<int64_t, 3>& stride) {
        out_t* out_row = out_base + offsets[0];
        const in_t* a_row = a_base + offsets[1];
        const in_t* b_row = b_base + offsets[2];
        if (stride[0] == 1 && stride[1] == 1 && stride[2] == 1) {
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_row[i], b_row[i]);
        } else if (stride[0] == 1 && stride[1] == 1 && stride[2] == 0) {
          const in_t b_value = *b_row;
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_row[i], b_value);
        } else if (stride[0] == 1 && stride[1] == 0 && stride[2] == 1) {
          const in_t a_value = *a_row;
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
  detail::parallel_for_each_row<2>(
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

// The longest run a run function is given: its scratch fits on the stack, and its passes over a
// run stay in L1.
constexpr int64_t kRun = 512;

// Calls run(first, n) for consecutive runs [first, first + n) of [0, size), n <= kRun.
template <typename Run>
void for_each_run(int64_t size, Run run) {
  for (int64_t first = 0; first < size; first += kRun) run(first, std::min(kRun, size - first));
}

// out = run(input) over out's shape, run(x, y, n) evaluating n <= kRun contiguous elements on the
// best CPU (cpu_dispatch.h); T is the dtype of both. out: a new contiguous tensor; input: a view
// whose shape broadcasts to out's, whose rows that are not contiguous are gathered first.
template <typename T, typename Run>
void run_loop(const Tensor& out, const Tensor& input, Run run) {
  T* out_base = storage_base<T>(out);
  const T* in_base = storage_base<T>(input);
  const Shape& shape = out.shape();
  detail::parallel_for_each_row<2>(
      shape, {out.strides(), strides_in(input, shape)},
      {out.storage_offset(), input.storage_offset()},
      [&](const std::array<int64_t, 2>& offsets, int64_t n, const std::array<int64_t, 2>& stride) {
        T* out_row = out_base + offsets[0];
        const T* in_row = in_base + offsets[1];
        for_each_run(n, [&](int64_t first, int64_t size) {
          T gathered[kRun];
          const T* x = in_row + first;
          if (stride[1] != 1) {
            for (int64_t i = 0; i < size; ++i) gathered[i] = in_row[(first + i) * stride[1]];
            x = gathered;
          }
          on_best_cpu([&] { run(x, out_row + first, size); });
        });
      });
}

// grad_in = run(grad_out, input), run(dy, x, dinp, n) evaluating n <= kRun contiguous elements;
// grad_in is new and contiguous, grad_out and input of its shape, gathered where not contiguous.
template <typename T, typename Run>
void backward_run_loop(const Tensor& grad_in, const Tensor& grad_out, const Tensor& input,
                       Run run) {
  T* dinp_base = storage_base<T>(grad_in);
  const T* dout_base = storage_base<T>(grad_out);
  const T* in_base = storage_base<T>(input);
  detail::parallel_for_each_row<3>(
      grad_in.shape(), {grad_in.strides(), grad_out.strides(), input.strides()},
      {grad_in.storage_offset(), grad_out.storage_offset(), input.storage_offset()},
      [&](const std::array<int64_t, 3>& offsets, int64_t n, const std::array<int64_t, 3>& stride) {
        T* dinp_row = dinp_base + offsets[0];
        const T* dout_row = dout_base + offsets[1];
        const T* in_row = in_base + offsets[2];
        for_each_run(n, [&](int64_t first, int64_t size) {
          T gathered_dy[kRun], gathered_x[kRun];
          const T* dy = dout_row + first;
          const T* x = in_row + first;
          if (stride[1] != 1 || stride[2] != 1) {
            for (int64_t i = 0; i < size; ++i) {
              gathered_dy[i] = dout_row[(first + i) * stride[1]];
              gathered_x[i] = in_row[(first + i) * stride[2]];
            }
            dy = gathered_dy;
            x = gathered_x;
          }
          on_best_cpu([&] { run(dy, x, dinp_row + first, size); });
        });
      });
}

// out = a op b, all three already of out's dtype; out may be a (in place).
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_all(out.dtype(), [&]<typename scalar_t>() {
    with_binary_fn(op, [&](auto fn) { binary_loop<scalar_t, scalar_t>(out, a, b, fn); });
  });
}

// x as an out_t. A floating-point value that int64 cannot hold (NaN, infinities, |x| >= 2^63)
// is undefined behaviour for static_cast; it becomes what the x86-64 conversion instruction,
// and so PyTorch on this CPU, gives: the "integer indefinite", INT64_MIN.
template <typename out_t, typename in_t>
out_t convert(in_t x) {
  if constexpr (std::is_same_v<out_t, int64_t> && std::is_floating_point_v<in_t>) {
    constexpr auto kLimit = static_cast<in_t>(std::numeric_limits<int64_t>::max());  // 2^63
    if (!(x >= -kLimit && x < kLimit)) return std::numeric_limits<int64_t>::min();
  }
  return static_cast<out_t>(x);
}

// dst = src broadcast and converted; no checks, no version bump.
void copy_into(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), [&]<typename out_t>() {
    dispatch_all(src.dtype(), [&]<typename in_t>() {
      unary_loop<out_t, in_t>(dst, src, [](in_t x) { return convert<out_t>(x); });
    });
  });
}

// The shape check every in-place op shares: other must broadcast to self's shape unchanged.
// An expanded tensor has elements that share one memory location: writing into it would depend on
// the order of the writes, so PyTorch refuses, and so do we.
void check_no_internal_overlap(const Tensor& self, const std::string& op) {
  for (int64_t d = 0; d < self.dim(); ++d)
    check(self.strides()[d] != 0 || self.shape()[d] <= 1, op,
          ": cannot write into a tensor of which several elements share one memory location (an "
          "expanded tensor, shape ",
          self.shape(), " with strides ", self.strides(), "); write into a clone() instead");
}

void check_broadcasts_to(const Tensor& self, const Tensor& other, const std::string& op) {
  check_no_internal_overlap(self, op);
  const Shape shape = broadcast_shapes(self.shape(), other.shape(), op.c_str());
  check(shape == self.shape(), op, ": output with shape ", self.shape(),
        " doesn't match the broadcast shape ", shape);
}
}  // namespace

bool broadcasts_to(const Shape& shape, const Shape& target) {
  if (shape.size() > target.size()) return false;
  const size_t lead = target.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1 && shape[d] != target[lead + d]) return false;
  return true;
}

// --- Ops ----------------------------------------------------------------------------------------

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(a.shape(), b.shape(), kBinaryOpNames[static_cast<size_t>(op)]);
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
  check_broadcasts_to(self, other,
                      std::string(binary_op_name(op)) + "_");  // not str(): no stream per op
  const Dtype dtype = binary_dtype(op, self, other);
  check(kind(dtype) <= kind(self.dtype()), binary_op_name(op), "_: the result type ",
        dtype_name(dtype), " cannot be stored in a tensor of dtype ", dtype_name(self.dtype()));
  if (dtype != self.dtype()) {
    // PyTorch computes float32 += float64 in float64, then rounds the result into self.
    copy_into(self, binary(op, self, other));
  } else {
    binary_into(op, self, self, separate(self, to(other, dtype)));
  }
  self.storage()->bump_version();
}

namespace {
// neg, abs, sign and relu of an int64 tensor stay int64 as in PyTorch (and refuse bool); the other
// ops compute in float32, the default dtype.
bool keeps_integers(UnaryOp op) {
  return op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sign || op == UnaryOp::Relu;
}

// op(input) of an int64 input for an op that keeps_integers. Negation wraps around at INT64_MIN,
// as PyTorch's does.
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
}  // namespace

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

// PyTorch's gelu kernels, a run at a time: the polynomial part in plain loops that vectorise
// (with the fused multiply-add of PyTorch's AVX2 build where it has one), erf, tanh and exp from
// SLEEF in between.
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

Tensor scalar_tensor(double value, Dtype dtype) {
  return full({}, value, dtype);
}

Tensor wrapped_scalar(double value, const Tensor& other) {
  return scalar_tensor(value, is_floating_point(other.dtype()) ? other.dtype() : kFloat32);
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

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(condition.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  const Dtype dtype = result_dtype(a, b);
  const Tensor cond = to(condition, kBool), a_cast = to(a, dtype), b_cast = to(b, dtype);
  Tensor out = empty(shape, dtype);
  dispatch_all(dtype, [&]<typename scalar_t>() {
    // out[i] = cond[i] ? a[i] : b[i] along each row of the broadcast shape.
    scalar_t* out_base = storage_base<scalar_t>(out);
    const bool* cond_base = storage_base<bool>(cond);
    const scalar_t* a_base = storage_base<scalar_t>(a_cast);
    const scalar_t* b_base = storage_base<scalar_t>(b_cast);
    const auto row = [&](const std::array<int64_t, 4>& offsets, int64_t n,
                         const std::array<int64_t, 4>& stride) {
      scalar_t* out_row = out_base + offsets[0];
      const bool* cond_row = cond_base + offsets[1];
      const scalar_t* a_row = a_base + offsets[2];
      const scalar_t* b_row = b_base + offsets[3];
      for (int64_t i = 0; i < n; ++i)
        out_row[i * stride[0]] =
            cond_row[i * stride[1]] ? a_row[i * stride[2]] : b_row[i * stride[3]];
    };
    detail::parallel_for_each_row<4>(shape,
                                     {out.strides(), strides_in(cond, shape),
                                      strides_in(a_cast, shape), strides_in(b_cast, shape)},
                                     {out.storage_offset(), cond.storage_offset(),
                                      a_cast.storage_offset(), b_cast.storage_offset()},
                                     row);
  });
  return out;
}

void masked_fill_(const Tensor& self, const Tensor& mask, double value) {
  check_no_internal_overlap(self, "masked_fill_");
  check(broadcasts_to(mask.shape(), self.shape()), "masked_fill: mask of shape ", mask.shape(),
        " cannot be broadcast to the input's shape ", self.shape());
  check(is_floating_point(self.dtype()) || std::isfinite(value), "masked_fill: value ", value,
        " cannot be stored in a tensor of dtype ", dtype_name(self.dtype()));
  const Tensor fill_where = separate(self, to(mask, kBool));
  dispatch_all(self.dtype(), [&]<typename scalar_t>() {
    // self[i] = value where fill_where[i], along each row of self's shape.
    const auto fill_value = static_cast<scalar_t>(value);
    scalar_t* self_base = storage_base<scalar_t>(self);
    const bool* mask_base = storage_base<bool>(fill_where);
    const auto row = [&](const std::array<int64_t, 2>& offsets, int64_t n,
                         const std::array<int64_t, 2>& stride) {
      scalar_t* self_row = self_base + offsets[0];
      const bool* mask_row = mask_base + offsets[1];
      for (int64_t i = 0; i < n; ++i)
        if (mask_row[i * stride[1]]) self_row[i * stride[0]] = fill_value;
    };
    detail::parallel_for_each_row<2>(self.shape(),
                                     {self.strides(), strides_in(fill_where, self.shape())},
                                     {self.storage_offset(), fill_where.storage_offset()}, row);
  });
  self.storage()->bump_version();
}

void copy_(const Tensor& dst, const Tensor& src) {
  check_broadcasts_to(dst, src, "copy_");
  copy_into(dst, separate(dst, src));
  dst.storage()->bump_version();
}

// Elements that share memory all get the same value, so an expanded dst is no problem (nor in
// PyTorch); writes that differ per element (copy_, masked_fill_, +=) refuse it.
void fill_(const Tensor& dst, double value) {
  dispatch_all(dst.dtype(), [&]<typename scalar_t>() {
    const auto fill_value = static_cast<scalar_t>(value);
    scalar_t* base = storage_base<scalar_t>(dst);
    detail::parallel_for_each_row<1>(
        dst.shape(), {dst.strides()}, {dst.storage_offset()},
        [&](const std::array<int64_t, 1>& offset, int64_t n, const std::array<int64_t, 1>& stride) {
          scalar_t* row = base + offset[0];
          if (stride[0] == 1)
            for (int64_t i = 0; i < n; ++i) row[i] = fill_value;
          else
            for (int64_t i = 0; i < n; ++i) row[i * stride[0]] = fill_value;
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
