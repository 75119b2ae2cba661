// Elementwise ops: forward through one broadcasting kernel, backward as the calculus reads.
// Gradients come back in the broadcast shape; the engine sums them to each input's shape.
#include "minigrad/tensor/elementwise.h"
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;
using kernels::BinaryOp;
using kernels::UnaryOp;

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(BinaryOp::Add, a, b);
  if (needs_grad(a, b))
    record(out, "AddBackward0",
           {{a, [](const Tensor& grad_out) { return grad_out; }},
            {b, [](const Tensor& grad_out) { return grad_out; }}});
  return out;
}

namespace {

// PyTorch records `2.0 - x` as RsubBackward1 and `2.0 / x` as MulBackward0 (it multiplies by the
// reciprocal); the math is the same as for tensor operands, only the printed name differs.
Tensor sub_named(const Tensor& a, const Tensor& b, const char* name) {
  Tensor out = kernels::binary(BinaryOp::Sub, a, b);
  if (needs_grad(a, b))
    record(out, name,
           {{a, [](const Tensor& grad_out) { return grad_out; }},
            {b, [](const Tensor& grad_out) { return -grad_out; }}});
  return out;
}

Tensor div_named(const Tensor& a, const Tensor& b, const char* name) {
  Tensor out = kernels::binary(BinaryOp::Div, a, b);
  if (needs_grad(a, b))
    record(out, name,
           {{a, [b = SavedTensor(b)](const Tensor& grad_out) { return grad_out / b.get(); }},
            // d(a / b) / db = -a / b^2
            {b, [a = SavedTensor(a), b = SavedTensor(b)](const Tensor& grad_out) {
               return -grad_out * a.get() / (b.get() * b.get());
             }}});
  return out;
}

}  // namespace

Tensor sub(const Tensor& a, const Tensor& b) {
  return sub_named(a, b, "SubBackward0");
}
Tensor div(const Tensor& a, const Tensor& b) {
  return div_named(a, b, "DivBackward0");
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(BinaryOp::Mul, a, b);
  if (needs_grad(a, b))
    record(out, "MulBackward0",
           {{a, [b = SavedTensor(b)](const Tensor& grad_out) { return grad_out * b.get(); }},
            {b, [a = SavedTensor(a)](const Tensor& grad_out) { return grad_out * a.get(); }}});
  return out;
}

Tensor neg(const Tensor& input) {
  Tensor out = kernels::unary(UnaryOp::Neg, input);
  if (needs_grad(input))
    record(out, "NegBackward0", {{input, [](const Tensor& grad_out) { return -grad_out; }}});
  return out;
}

Tensor exp(const Tensor& input) {
  Tensor out = kernels::unary(UnaryOp::Exp, input);
  if (needs_grad(input))
    // d(e^x)/dx = e^x: the saved result, not the input.
    record(out, "ExpBackward0", {{input, [result = SavedTensor(out)](const Tensor& grad_out) {
                                    return grad_out * result.get();
                                  }}});
  return out;
}

Tensor Tensor::exp() const {
  return mg::exp(*this);
}
Tensor Tensor::neg() const {
  return mg::neg(*this);
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
  return sub_named(kernels::wrapped_scalar(a, b), b, "RsubBackward1");
}
Tensor operator*(double a, const Tensor& b) {
  return mul(kernels::wrapped_scalar(a, b), b);
}
Tensor operator/(double a, const Tensor& b) {
  return div_named(kernels::wrapped_scalar(a, b), b, "MulBackward0");
}

}  // namespace mg
