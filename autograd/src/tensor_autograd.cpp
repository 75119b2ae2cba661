// Tensor's autograd state: requires_grad, grad, backward, detach.
#include "minigrad/autograd/node.h"

namespace mg {

using autograd::AutogradMeta;
using autograd::meta_of;

bool Tensor::requires_grad() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta != nullptr && meta->requires_grad();
}

bool Tensor::is_leaf() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta == nullptr || !meta->has_history();
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  check(is_leaf(),
        "requires_grad_: only leaf tensors can change requires_grad; this one was made by ",
        meta_of(*this) ? meta_of(*this)->grad_fn_name() : "", "; use detach() to get a leaf");
  check(!requires_grad || is_floating_point(dtype()),
        "requires_grad_: only floating-point tensors can require gradients, got ",
        dtype_name(dtype()));
  if (meta_of(*this) == nullptr) impl().autograd = make_pooled<AutogradMeta>();
  meta_of(*this)->leaf_requires_grad = requires_grad;
  // A leaf view that requires grad becomes a tensor in its own right: tracked as a view, its
  // base's history would lead back to it through the leaf's own gradient edges.
  if (requires_grad) meta_of(*this)->set_view_of(std::nullopt);
  return *this;
}

Tensor Tensor::grad() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta ? meta->grad : Tensor();
}

void Tensor::zero_grad() {
  if (AutogradMeta* meta = meta_of(*this)) meta->grad = Tensor();
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::run_backward(*this, gradient, retain_graph);
}

Tensor Tensor::detach() const {
  auto impl = make_pooled<TensorImpl>(this->impl());
  impl->autograd = nullptr;
  return Tensor(std::move(impl));
}

}  // namespace mg
