// The graph's pieces: autograd metadata, nodes and their edges, saved tensors, and the history of
// views, which is rebuilt from their base after a write into the storage they share.
#include "minigrad/autograd/node.h"

#include <vector>

#include "regions.h"

namespace mg::autograd {

bool AutogradMeta::needs_fresh_history() const {
  if (!view_) return false;
  const TensorImpl& base = *view_->base;
  const auto* base_meta = static_cast<const AutogradMeta*>(base.autograd.get());
  // Written since the view's node was made, or the base has required grad only since: the
  // view's elements are now those of the base's current history.
  return base_meta != nullptr && base_meta->requires_grad() &&
         (base.storage->version() != view_->version || grad_fn_ == nullptr);
}

bool AutogradMeta::has_history() const {
  return grad_fn_ != nullptr || needs_fresh_history();
}

const std::shared_ptr<Node>& AutogradMeta::refresh_view_history() {
  if (!view_) return grad_fn_;
  const Tensor base(view_->base);
  if (needs_fresh_history())
    grad_fn_ = make_node(
        OpKind::AsStridedBackward0,
        {{base, [view = view_->region, base_layout = layout_of(base)](const Tensor& grad_out) {
            return scatter_to_base(grad_out, view, base_layout);
          }}});
  view_->version = base.storage()->version();
  return grad_fn_;
}

// Printing a view must not record into the graph, so the node a view is due is named, not made.
std::string AutogradMeta::grad_fn_name() const {
  if (needs_fresh_history()) return op_name(OpKind::AsStridedBackward0);
  return grad_fn_ ? op_name(grad_fn_->kind) : "";
}

Node::~Node() {
  // Freeing a node frees the nodes only it kept alive, which would recurse once per op of a long
  // chain. Instead, adopt those children and free them here one at a time. A chain has one at
  // each step, held in `next`, so that the list (and its allocation) is only for branches.
  std::shared_ptr<Node> next;
  std::vector<std::shared_ptr<Node>> more;
  auto adopt_children = [&](Edges& children) {
    for (Edge& edge : children) {
      if (!edge.node || edge.node.use_count() != 1) continue;
      if (next)
        more.push_back(std::move(edge.node));
      else
        next = std::move(edge.node);
    }
  };
  adopt_children(edges);
  while (next) {
    const std::shared_ptr<Node> orphan = std::move(next);
    if (!more.empty()) {
      next = std::move(more.back());
      more.pop_back();
    }
    adopt_children(orphan->edges);
  }
}

AutogradMeta* meta_of(const Tensor& tensor) {
  return tensor.defined() ? static_cast<AutogradMeta*>(tensor.impl().autograd.get()) : nullptr;
}

SavedTensor::SavedTensor(const Tensor& tensor) {
  if (!tensor.defined()) return;
  // A leaf that requires grad is kept as it is, one reference more: its meta leads nowhere but to
  // its gradient, and it is never written in place, so no cycle can run through it. Any other
  // tensor could lead back to the saving node (the op's own result, a view whose base is written
  // later, a tensor written in place later), so only its data is kept.
  const AutogradMeta* meta = meta_of(tensor);
  data_ = meta != nullptr && meta->leaf_requires_grad ? tensor : tensor.detach();
  version_ = tensor.storage()->version();
}

Tensor SavedTensor::get() const {
  if (data_.defined()) {
    const uint64_t now = data_.storage()->version();
    check(now == version_, "a tensor of shape ", data_.shape(),
          " that it saved for its gradient was modified by an in-place operation since (its ",
          "version went from ", version_, " to ", now, "); modify a clone() instead");
  }
  return data_;
}

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* input : inputs) {
    const AutogradMeta* meta = meta_of(*input);
    if (meta && meta->requires_grad()) return true;
  }
  return false;
}

std::shared_ptr<Node> make_node(OpKind kind, std::span<InputGrad> inputs) {
  auto node = make_pooled<Node>(kind);
  node->edges.reserve(inputs.size());
  for (InputGrad& input : inputs) {
    AutogradMeta* input_meta = meta_of(input.input);
    if (input_meta == nullptr) continue;
    // Refreshed first, so that a view's base is looked at once: the input requires grad when,
    // up to date, it has a node or is a leaf that requires grad.
    const std::shared_ptr<Node>& input_node = input_meta->refresh_view_history();
    if (input_node == nullptr && !input_meta->leaf_requires_grad) continue;
    node->edges.emplace_back(
        input_node,
        input_node ? nullptr : std::static_pointer_cast<AutogradMeta>(input.input.impl().autograd),
        std::move(input.formula), input.input.shape(), input.input.dtype());
  }
  return node;
}

void record(Tensor& result, OpKind kind, std::span<InputGrad> inputs) {
  if (!is_floating_point(result.dtype())) return;  // integer and bool results have no gradient
  check(result.impl().autograd == nullptr, "autograd: internal error: ", op_name(kind),
        " recorded on a tensor that already has a history");
  auto meta = make_pooled<AutogradMeta>();
  meta->set_grad_fn(make_node(kind, inputs));
  result.impl().autograd = std::move(meta);
}

void track_view(Tensor& view, const Tensor& input) {
  if (!is_floating_point(view.dtype())) return;  // no gradient can ever flow through it
  const AutogradMeta* input_meta = meta_of(input);
  const ViewOf* input_view = input_meta ? input_meta->view_of() : nullptr;
  std::shared_ptr<TensorImpl> base = input_view ? input_view->base : input.impl_ptr();
  check(base != view.impl_ptr(), "autograd: internal error: a tensor tracked as its own view");
  if (view.impl().autograd == nullptr) view.impl().autograd = make_pooled<AutogradMeta>();
  meta_of(view)->set_view_of(ViewOf{
      .base = std::move(base), .region = region_of(view), .version = view.storage()->version()});
}

}  // namespace mg::autograd
