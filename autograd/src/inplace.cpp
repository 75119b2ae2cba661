// In-place ops and assignment into views. They write through the tensor's storage, so every view
// of it sees the change, and the storage version moves on.
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"

namespace mg {

namespace {

// Differentiating through an in-place write means rewriting the written tensor's history (and its
// base's, for a view); until that lands, refuse rather than compute a wrong gradient.
void check_no_history(const char* op, const Tensor& self, const Tensor& other) {
  check(!autograd::needs_grad(self, other), op,
        ": in-place ops on tensors that require grad are not supported yet; use the out-of-place "
        "form (a = a + b) or run under mg::NoGradGuard");
}

Tensor& apply_(const char* op, kernels::BinaryOp kind, Tensor& self, const Tensor& other) {
  check_no_history(op, self, other);
  kernels::binary_(kind, self, other);
  return self;
}

}  // namespace

Tensor& Tensor::operator+=(const Tensor& other) {
  return apply_("add_", kernels::BinaryOp::Add, *this, other);
}
Tensor& Tensor::operator-=(const Tensor& other) {
  return apply_("sub_", kernels::BinaryOp::Sub, *this, other);
}
Tensor& Tensor::operator*=(const Tensor& other) {
  return apply_("mul_", kernels::BinaryOp::Mul, *this, other);
}
Tensor& Tensor::operator/=(const Tensor& other) {
  return apply_("div_", kernels::BinaryOp::Div, *this, other);
}
Tensor& Tensor::operator+=(double other) {
  return *this += kernels::scalar_tensor(other, dtype());
}
Tensor& Tensor::operator-=(double other) {
  return *this -= kernels::scalar_tensor(other, dtype());
}
Tensor& Tensor::operator*=(double other) {
  return *this *= kernels::scalar_tensor(other, dtype());
}
Tensor& Tensor::operator/=(double other) {
  return *this /= kernels::scalar_tensor(other, dtype());
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_no_history("copy_", *this, src);
  kernels::copy_(*this, src);
  return *this;
}

Tensor& Tensor::fill_(double value) {
  check_no_history("fill_", *this, *this);
  kernels::fill_(*this, value);
  return *this;
}

Tensor& Tensor::operator=(const Tensor& src) && {
  return copy_(src);
}
Tensor& Tensor::operator=(double value) && {
  return fill_(value);
}

}  // namespace mg
