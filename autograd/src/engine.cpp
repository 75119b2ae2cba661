// The backward engine: an iterative topological walk from the root, then one pass that runs each
// node's gradient formulas once every consumer of its result has contributed.
#include <unordered_map>

#include "minigrad/autograd/node.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg {

namespace {
thread_local bool grad_enabled = true;
}  // namespace

bool GradMode::is_enabled() {
  return grad_enabled;
}
void GradMode::set_enabled(bool enabled) {
  grad_enabled = enabled;
}

}  // namespace mg

namespace mg::autograd {

std::string AutogradMeta::grad_fn_name() const {
  return grad_fn ? grad_fn->name : "";
}

Node::~Node() {
  // Freeing a node frees the nodes only it kept alive, which would recurse once per op of a long
  // chain. Instead, adopt those children and free them here one at a time.
  std::vector<std::shared_ptr<Node>> orphans;
  auto adopt_children = [&orphans](std::vector<Edge>& edges) {
    for (Edge& edge : edges)
      if (edge.node && edge.node.use_count() == 1) orphans.push_back(std::move(edge.node));
  };
  adopt_children(edges);
  while (!orphans.empty()) {
    std::shared_ptr<Node> orphan = std::move(orphans.back());
    orphans.pop_back();
    adopt_children(orphan->edges);
  }
}

AutogradMeta* meta_of(const Tensor& tensor) {
  return tensor.defined() ? static_cast<AutogradMeta*>(tensor.impl().autograd.get()) : nullptr;
}

SavedTensor::SavedTensor(const Tensor& tensor) {
  if (!tensor.defined()) return;
  data_ = tensor.detach();
  version_ = tensor.storage()->version();
}

Tensor SavedTensor::get() const {
  if (data_.defined()) {
    const uint64_t now = data_.storage()->version();
    check(now == version_,
          "backward: a tensor needed for the gradient was modified by an in-place operation "
          "after it was saved (its version went from ",
          version_, " to ", now, "); modify a clone() instead");
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

void record(Tensor& result, std::string name, std::vector<InputGrad> inputs) {
  if (!is_floating_point(result.dtype())) return;  // integer and bool results have no gradient
  check(result.impl().autograd == nullptr, "autograd: internal error: ", name,
        " recorded on a tensor that already has a history");
  auto node = std::make_shared<Node>(std::move(name));
  for (InputGrad& input : inputs) {
    const AutogradMeta* input_meta = meta_of(input.input);
    if (input_meta == nullptr || !input_meta->requires_grad()) continue;
    Node::Edge edge{.node = input_meta->grad_fn,
                    .leaf = nullptr,
                    .formula = std::move(input.formula),
                    .input_shape = input.input.shape(),
                    .input_dtype = input.input.dtype()};
    if (!edge.node) edge.leaf = std::static_pointer_cast<AutogradMeta>(input.input.impl().autograd);
    node->edges.push_back(std::move(edge));
  }
  auto meta = std::make_shared<AutogradMeta>();
  meta->grad_fn = std::move(node);
  result.impl().autograd = std::move(meta);
}

namespace {

// A formula's gradient has the shape of the op's broadcast result; the input may have been
// broadcast into it, so sum it back to the input's shape and dtype (PyTorch's engine does too).
Tensor fit_to_input(const Tensor& grad, const Node::Edge& edge) {
  Tensor fitted = grad.shape() == edge.input_shape ? grad : kernels::sum_to(grad, edge.input_shape);
  return kernels::to(fitted, edge.input_dtype);
}

Tensor add_gradients(const Tensor& sum, const Tensor& grad) {
  return sum.defined() ? kernels::binary(kernels::BinaryOp::Add, sum, grad) : grad;
}

void accumulate_into_leaf(AutogradMeta& leaf, const Tensor& grad) {
  // A copy, so the leaf's gradient never aliases a tensor the user or the graph still holds.
  if (!leaf.grad.defined())
    leaf.grad = kernels::clone(grad);
  else
    kernels::binary_(kernels::BinaryOp::Add, leaf.grad, grad);
}

// For each node reachable from `root`, how many edges lead into it: the gradients it must
// receive before its own formulas can run.
std::unordered_map<Node*, int> count_dependencies(Node* root) {
  std::unordered_map<Node*, int> dependencies{{root, 0}};
  std::vector<Node*> to_visit{root};
  while (!to_visit.empty()) {
    Node* node = to_visit.back();
    to_visit.pop_back();
    for (const Node::Edge& edge : node->edges) {
      if (!edge.node) continue;
      auto [entry, first_visit] = dependencies.try_emplace(edge.node.get(), 0);
      ++entry->second;
      if (first_visit) to_visit.push_back(edge.node.get());
    }
  }
  return dependencies;
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph) {
  AutogradMeta* root_meta = meta_of(root);
  check(root_meta != nullptr && root_meta->requires_grad(),
        "backward: the tensor does not require grad and has no grad_fn; call requires_grad_() "
        "on the leaves you want gradients for before computing it");
  Tensor grad_root = gradient;
  if (!grad_root.defined()) {
    check(root.numel() == 1,
          "backward: a gradient can be implied only for a one-element output, "
          "but this one has shape ",
          root.shape(), "; pass backward(gradient) with a gradient of that shape");
    grad_root = ones_like(root);
  }
  check(grad_root.shape() == root.shape(), "backward: the gradient has shape ", grad_root.shape(),
        " but the output has shape ", root.shape());

  NoGradGuard no_grad;
  if (!root_meta->grad_fn)
    return accumulate_into_leaf(*root_meta, kernels::to(grad_root, root.dtype()));

  Node* root_node = root_meta->grad_fn.get();
  std::unordered_map<Node*, int> dependencies = count_dependencies(root_node);
  std::unordered_map<Node*, Tensor> grad_sums{{root_node, kernels::to(grad_root, root.dtype())}};
  std::vector<Node*> ready{root_node};
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    check(!node->released,
          "backward: trying to backward through the graph a second time: the "
          "saved tensors of ",
          node->name,
          " were freed by the first backward; pass retain_graph=true to the first call");
    const Tensor grad_out = std::move(grad_sums.at(node));
    grad_sums.erase(node);
    for (Node::Edge& edge : node->edges) {
      const Tensor grad_input = fit_to_input(edge.formula(grad_out), edge);
      if (edge.leaf) {
        accumulate_into_leaf(*edge.leaf, grad_input);
        continue;
      }
      Node* input_node = edge.node.get();
      grad_sums[input_node] = add_gradients(grad_sums[input_node], grad_input);
      if (--dependencies.at(input_node) == 0) ready.push_back(input_node);
    }
    if (!retain_graph) {
      for (Node::Edge& edge : node->edges) edge.formula = nullptr;
      node->released = true;
    }
  }
}

}  // namespace mg::autograd
