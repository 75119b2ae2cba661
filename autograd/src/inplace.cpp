// In-place ops and assignment into views. They write through the tensor's storage, so every view
// of it sees the change, and the storage version moves on; tensors saved for backward notice.
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "regions.h"

namespace mg {

using autograd::AutogradMeta;
using autograd::InputGrad;
using autograd::make_node;
using autograd::meta_of;
using autograd::OpKind;

namespace {

// PyTorch's rule: with autograd on, a leaf that requires grad, or a view of one, is never written,
// because its gradient would be taken with respect to values it no longer holds.
void check_writable(const char* op, const Tensor& self) {
  check(!(self.is_leaf() && self.requires_grad()), op,
        ": a leaf tensor that requires grad cannot be modified in place; modify a clone() or "
        "work under mg::NoGradGuard");
  const autograd::ViewOf* view = meta_of(self) ? meta_of(self)->view_of() : nullptr;
  if (view == nullptr) return;
  const Tensor base(view->base);
  check(!(base.is_leaf() && base.requires_grad()), op,
        ": this tensor is a view of a leaf tensor that requires grad, which cannot be modified in "
        "place; modify a clone() or work under mg::NoGradGuard");
}

void set_history(const Tensor& tensor, std::shared_ptr<autograd::Node> node) {
  auto meta = make_pooled<AutogradMeta>();
  meta->set_grad_fn(std::move(node));
  tensor.impl().autograd = std::move(meta);
}

// With autograd on, writes `value` (self's shape, or broadcast to it) into self and records the
// write. Into a tensor that is no view, self takes the node `history` of the write. Into a view,
// the write changes the view's base, whose new history is PyTorch's CopySlices: the base's old
// values keep their gradient outside the view while the view's elements take theirs from
// `value`. The view itself rebuilds its grad_fn from the base when next used.
void write_(const char* op, Tensor& self, const Tensor& value,
            std::shared_ptr<autograd::Node> history) {
  check_writable(op, self);
  check(is_floating_point(self.dtype()), op, ": the result type ", dtype_name(value.dtype()),
        " cannot be stored in a tensor of dtype ", dtype_name(self.dtype()));
  const autograd::ViewOf* view = meta_of(self) ? meta_of(self)->view_of() : nullptr;
  if (view == nullptr) {
    kernels::copy_(self, value);
    return set_history(self, std::move(history));
  }
  const Tensor base(view->base);
  const autograd::Region region = view->region;
  const autograd::BaseLayout base_layout = autograd::layout_of(base);
  std::shared_ptr<autograd::Node> copy_slices = make_node(
      OpKind::CopySlices, {{base,
                            [region, base_layout](const Tensor& grad_out) {
                              return autograd::grad_outside_region(grad_out, region, base_layout);
                            }},
                           {value, [region, base_layout](const Tensor& grad_out) {
                              return autograd::region_of_grad(grad_out, region, base_layout);
                            }}});
  kernels::copy_(self, value);
  set_history(base, std::move(copy_slices));
}

// self op= other computed out of place (mg::add for add_), then written into self with its history.
Tensor& apply_(const char* op, kernels::BinaryOp kind,
               Tensor (*out_of_place)(const Tensor&, const Tensor&), Tensor& self,
               const Tensor& other) {
  if (!autograd::needs_grad(self, other)) {
    kernels::binary_(kind, self, other);
    return self;
  }
  // mul and div save their left operand for backward, so they must see the value before the write.
  const bool saves_self = kind == kernels::BinaryOp::Mul || kind == kernels::BinaryOp::Div;
  const Tensor result = out_of_place(saves_self ? self.clone() : self, other);
  check(result.shape() == self.shape(), op, ": output with shape ", self.shape(),
        " doesn't match the broadcast shape ", result.shape());
  write_(op, self, result, meta_of(result)->grad_fn());
  return self;
}

}  // namespace

Tensor& Tensor::operator+=(const Tensor& other) {
  return apply_("add_", kernels::BinaryOp::Add, add, *this, other);
}
Tensor& Tensor::operator-=(const Tensor& other) {
  return apply_("sub_", kernels::BinaryOp::Sub, sub, *this, other);
}
Tensor& Tensor::operator*=(const Tensor& other) {
  return apply_("mul_", kernels::BinaryOp::Mul, mul, *this, other);
}
Tensor& Tensor::operator/=(const Tensor& other) {
  return apply_("div_", kernels::BinaryOp::Div, div, *this, other);
}
Tensor& Tensor::operator+=(double other) {
  return *this += kernels::wrapped_scalar(other, *this);
}
Tensor& Tensor::operator-=(double other) {
  return *this -= kernels::wrapped_scalar(other, *this);
}
Tensor& Tensor::operator*=(double other) {
  return *this *= kernels::wrapped_scalar(other, *this);
}
Tensor& Tensor::operator/=(double other) {
  return *this /= kernels::wrapped_scalar(other, *this);
}

Tensor& Tensor::copy_(const Tensor& src) {
  // An integer or bool tensor takes src's values but never a gradient.
  if (!is_floating_point(dtype()) || !autograd::needs_grad(*this, src)) {
    kernels::copy_(*this, src);
    return *this;
  }
  // The old values are all overwritten: their gradient is zero.
  write_("copy_", *this, src,
         make_node(OpKind::CopyBackwards,
                   {{*this, [](const Tensor& grad_out) { return zeros_like(grad_out); }},
                    {src, [](const Tensor& grad_out) { return grad_out; }}}));
  return *this;
}

Tensor& Tensor::fill_(double value) {
  if (!autograd::needs_grad(*this)) {
    kernels::fill_(*this, value);
    return *this;
  }
  // The old values are all overwritten: their gradient is zero.
  write_("fill_", *this, kernels::scalar_tensor(value, dtype()),
         make_node(OpKind::FillBackward2,
                   {{*this, [](const Tensor& grad_out) { return zeros_like(grad_out); }}}));
  return *this;
}

Tensor& Tensor::masked_fill_(const Tensor& mask, double value) {
  // Unlike masked_fill, which widens its input to the mask, the mask must fit.
  check(kernels::broadcasts_to(mask.shape(), shape()), "masked_fill_: mask of shape ", mask.shape(),
        " cannot be broadcast to the tensor's shape ", shape());
  if (!autograd::needs_grad(*this)) {
    kernels::masked_fill_(*this, mask, value);
    return *this;
  }
  const Tensor result = mg::masked_fill(*this, mask, value);
  write_("masked_fill_", *this, result, meta_of(result)->grad_fn());
  return *this;
}

Tensor& Tensor::operator=(const Tensor& src) && {
  return copy_(src);
}
Tensor& Tensor::operator=(double value) && {
  return fill_(value);
}

}  // namespace mg
