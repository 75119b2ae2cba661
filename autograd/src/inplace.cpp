// In-place ops and assignment into views. They write through the tensor's storage, so every view
// of it sees the change, and the storage version moves on.
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"

namespace mg {

namespace {

// Writes op(self, other) into self. With autograd involved, self takes over the history of the
// out-of-place result, as PyTorch rebases an in-place op's output. That is only sound while self
// is the sole owner of its storage: a view's base, or a tensor saved for backward, would see the
// write without their history knowing of it, so those are refused until view tracking lands.
Tensor& apply_(const char* op, kernels::BinaryOp kind, Tensor& self, const Tensor& other) {
  if (!autograd::needs_grad(self, other)) {
    kernels::binary_(kind, self, other);
    return self;
  }
  check(!(self.is_leaf() && self.requires_grad()), op,
        ": a leaf tensor that requires grad cannot be modified in place; modify a clone() or "
        "work under mg::NoGradGuard");
  check(self.storage().use_count() == 1, op,
        ": in-place ops with autograd need a tensor that owns its storage; this one shares it "
        "(a view, or saved for backward), so use the out-of-place form (a = a + b)");
  // mul and div save their left operand for backward, so they must see the value before the write.
  const bool saves_self = kind == kernels::BinaryOp::Mul || kind == kernels::BinaryOp::Div;
  const Tensor before = saves_self ? self.clone() : self;
  Tensor result;
  switch (kind) {
    case kernels::BinaryOp::Add:
      result = before + other;
      break;
    case kernels::BinaryOp::Sub:
      result = before - other;
      break;
    case kernels::BinaryOp::Mul:
      result = before * other;
      break;
    case kernels::BinaryOp::Div:
      result = before / other;
      break;
  }
  check(result.shape() == self.shape(), op, ": output with shape ", self.shape(),
        " doesn't match the broadcast shape ", result.shape());
  kernels::copy_(self, result);
  self.impl().autograd = result.impl().autograd;
  return self;
}

// Assignment into a view and fill_ rewrite part of a storage; with autograd that needs the view's
// base history (PyTorch's CopySlices), which is not built yet.
void check_no_history(const char* op, const Tensor& self, const Tensor& other) {
  check(!autograd::needs_grad(self, other), op,
        ": writing into a tensor that requires grad (or from one) is not supported yet; build the "
        "result out of place (e.g. mg::stack) or run under mg::NoGradGuard");
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
