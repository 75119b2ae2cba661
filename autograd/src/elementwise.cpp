// Elementwise ops: forward through one broadcasting kernel, backward as the calculus reads.
// Gradients come back in the broadcast shape; the engine sums them to each input's shape.
#include "minigrad/tensor/elementwise.h"
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/factory.h"

namespace mg {

using autograd::needs_grad;
using autograd::OpKind;
using autograd::Reads;
using autograd::record;
using autograd::record_unary;
using autograd::SavedTensor;
using kernels::BinaryOp;
using kernels::UnaryOp;

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(BinaryOp::Add, a, b);
  if (needs_grad(a, b))
    record(out, OpKind::AddBackward0,
           {{a, [](const Tensor& grad_out) { return grad_out; }},
            {b, [](const Tensor& grad_out) { return grad_out; }}});
  return out;
}

namespace {

// PyTorch records `2.0 - x` as RsubBackward1 and `2.0 / x` as MulBackward0 (it multiplies by the
// reciprocal); the math is the same as for tensor operands, only the printed name differs.
Tensor sub_named(const Tensor& a, const Tensor& b, OpKind kind) {
  Tensor out = kernels::binary(BinaryOp::Sub, a, b);
  if (needs_grad(a, b))
    record(out, kind,
           {{a, [](const Tensor& grad_out) { return grad_out; }},
            {b, [](const Tensor& grad_out) { return -grad_out; }}});
  return out;
}

Tensor div_named(const Tensor& a, const Tensor& b, OpKind kind) {
  Tensor out = kernels::binary(BinaryOp::Div, a, b);
  if (needs_grad(a, b))
    record(out, kind,
           {{a, [b = SavedTensor(b)](const Tensor& grad_out) { return grad_out / b.get(); }},
            // d(a / b) / db = -a / b^2
            {b, [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& grad_out) {
               return -grad_out * a.get() / (b.get() * b.get());
             }}});
  return out;
}

// record_unary of the elementwise kernel's op(input).
template <typename Formula>
Tensor unary_op(UnaryOp op, OpKind kind, const Tensor& input, Reads reads, Formula formula) {
  return record_unary(kernels::unary(op, input), kind, input, reads, formula);
}

}  // namespace

Tensor sub(const Tensor& a, const Tensor& b) {
  return sub_named(a, b, OpKind::SubBackward0);
}
Tensor div(const Tensor& a, const Tensor& b) {
  return div_named(a, b, OpKind::DivBackward0);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(BinaryOp::Mul, a, b);
  if (needs_grad(a, b))
    record(out, OpKind::MulBackward0,
           {{a, [b = SavedTensor(b)](const Tensor& grad_out) { return grad_out * b.get(); }},
            {b, [a = SavedTensor(a)](const Tensor& grad_out) { return grad_out * a.get(); }}});
  return out;
}

Tensor neg(const Tensor& input) {
  Tensor out = kernels::unary(UnaryOp::Neg, input);
  if (needs_grad(input))
    record(out, OpKind::NegBackward0, {{input, [](const Tensor& grad_out) { return -grad_out; }}});
  return out;
}

Tensor exp(const Tensor& input) {
  // d(e^x)/dx = e^x
  return unary_op(UnaryOp::Exp, OpKind::ExpBackward0, input, Reads::Result,
                  [](const Tensor& grad_out, const Tensor& y) { return grad_out * y; });
}

Tensor log(const Tensor& input) {
  // d(log x)/dx = 1 / x
  return unary_op(UnaryOp::Log, OpKind::LogBackward0, input, Reads::Input,
                  [](const Tensor& grad_out, const Tensor& x) { return grad_out / x; });
}

Tensor sqrt(const Tensor& input) {
  // d(sqrt x)/dx = 1 / (2 sqrt x): inf at 0.
  return unary_op(UnaryOp::Sqrt, OpKind::SqrtBackward0, input, Reads::Result,
                  [](const Tensor& grad_out, const Tensor& y) { return grad_out / (2.0 * y); });
}

Tensor pow(const Tensor& input, double exponent) {
  // d(x^n)/dx = n x^(n-1), and 0 for n = 0 (even at x = 0, where 0 * 0^-1 would be nan).
  return record_unary(kernels::pow(input, exponent), OpKind::PowBackward0, input, Reads::Input,
                      [exponent](const Tensor& grad_out, const Tensor& x) {
                        if (exponent == 0) return zeros_like(x);
                        return grad_out * (exponent * x.pow(exponent - 1));
                      });
}

Tensor abs(const Tensor& input) {
  // d|x|/dx = sign(x), 0 at 0.
  return unary_op(UnaryOp::Abs, OpKind::AbsBackward0, input, Reads::Input,
                  [](const Tensor& grad_out, const Tensor& x) {
                    return grad_out * kernels::unary(UnaryOp::Sign, x);
                  });
}

Tensor tanh(const Tensor& input) {
  // d(tanh x)/dx = 1 - tanh^2 x
  return unary_op(UnaryOp::Tanh, OpKind::TanhBackward0, input, Reads::Result,
                  [](const Tensor& grad_out, const Tensor& y) { return grad_out * (1.0 - y * y); });
}

Tensor sigmoid(const Tensor& input) {
  // d(sigmoid x)/dx = (1 - sigmoid x) sigmoid x
  return unary_op(UnaryOp::Sigmoid, OpKind::SigmoidBackward0, input, Reads::Result,
                  [](const Tensor& grad_out, const Tensor& y) { return grad_out * (1.0 - y) * y; });
}

Tensor relu(const Tensor& input) {
  // relu'(x) = 1 where x > 0, else 0 (also at 0): where the result is positive.
  return unary_op(UnaryOp::Relu, OpKind::ReluBackward0, input, Reads::Result,
                  [](const Tensor& grad_out, const Tensor& y) {
                    return kernels::threshold_backward(grad_out, y, 0);
                  });
}

Tensor gelu(const Tensor& input, std::string_view approximate) {
  const kernels::GeluApproximate approximation = kernels::gelu_approximate(approximate);
  // gelu'(x) = Phi(x) + x phi(x), or the derivative of the tanh form: see kernels::gelu_backward.
  return record_unary(kernels::gelu(input, approximation), OpKind::GeluBackward0, input,
                      Reads::Input, [approximation](const Tensor& grad_out, const Tensor& x) {
                        return kernels::gelu_backward(grad_out, x, approximation);
                      });
}

Tensor Tensor::exp() const {
  return mg::exp(*this);
}
Tensor Tensor::neg() const {
  return mg::neg(*this);
}
Tensor Tensor::log() const {
  return mg::log(*this);
}
Tensor Tensor::sqrt() const {
  return mg::sqrt(*this);
}
Tensor Tensor::pow(double exponent) const {
  return mg::pow(*this, exponent);
}
Tensor Tensor::abs() const {
  return mg::abs(*this);
}
Tensor Tensor::tanh() const {
  return mg::tanh(*this);
}
Tensor Tensor::sigmoid() const {
  return mg::sigmoid(*this);
}
Tensor Tensor::relu() const {
  return mg::relu(*this);
}

Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
Tensor operator-(const Tensor& input) {
  return neg(input);
}

// A number meets a tensor as a 0-dim tensor (a wrapped scalar), through the same ops.
Tensor operator+(const Tensor& a, double b) {
  return add(a, kernels::wrapped_scalar(b, a));
}
Tensor operator-(const Tensor& a, double b) {
  return sub(a, kernels::wrapped_scalar(b, a));
}
Tensor operator*(const Tensor& a, double b) {
  return mul(a, kernels::wrapped_scalar(b, a));
}
Tensor operator/(const Tensor& a, double b) {
  return div(a, kernels::wrapped_scalar(b, a));
}
Tensor operator+(double a, const Tensor& b) {
  return add(kernels::wrapped_scalar(a, b), b);
}
Tensor operator-(double a, const Tensor& b) {
  return sub_named(kernels::wrapped_scalar(a, b), b, OpKind::RsubBackward1);
}
Tensor operator*(double a, const Tensor& b) {
  return mul(kernels::wrapped_scalar(a, b), b);
}
Tensor operator/(double a, const Tensor& b) {
  return div_named(kernels::wrapped_scalar(a, b), b, OpKind::MulBackward0);
}

}  // namespace mg
