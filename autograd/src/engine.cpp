// The backward engine: an iterative topological walk from the root, then one pass that runs each
// node's gradient formulas once every consumer of its result has contributed.
#include <atomic>

#include "minigrad/autograd/node.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"
#include "minigrad/tensor/views.h"

namespace mg::autograd {

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

// Runs the formula of the node's i-th edge. Errors say which node failed; under detect_anomaly, so
// does a gradient holding NaN or infinity.
Tensor input_gradient(const Node& node, size_t i, const Tensor& grad_out) {
  const Node::Edge& edge = node.edges[i];
  Tensor grad_input;
  try {
    grad_input = fit_to_input(edge.formula(grad_out), edge);
  } catch (const Error& error) {
    throw Error(str("backward: ", op_name(node.kind), ": ", error.what()));
  }
  if (AnomalyMode::is_enabled()) {
    const kernels::NonFiniteCount count = kernels::count_non_finite(grad_input);
    check(count.nan == 0 && count.inf == 0, "backward (detect_anomaly): ", op_name(node.kind),
          " returned a gradient with ", count.nan, " NaN and ", count.inf,
          " infinite values for an input of shape ", edge.input_shape,
          ", from a finite gradient of shape ", grad_out.shape());
  }
  return grad_input;
}

// A node reachable from the root in the backward pass under way, with its gradient so far.
struct PendingNode {
  Node* node;
  int dependencies = 0;  // edges into it whose gradients are still to come
  Tensor grad_sum;
};

// Every node reachable from `root`, the root first, each with the number of edges that lead into
// it: the gradients it must receive before its own formulas can run. The list is also the queue
// of the walk, and each node notes its place in it, so no map is needed.
PooledVector<PendingNode> pending_nodes(Node* root) {
  static std::atomic<uint64_t> passes = 0;
  const uint64_t pass = ++passes;
  PooledVector<PendingNode> pending;
  pending.reserve(16);  // a small graph's, in one recycled block
  auto discover = [&](Node* node) {
    node->backward_pass = pass;
    node->backward_slot = pending.size();
    pending.push_back({.node = node, .dependencies = 0, .grad_sum = Tensor()});
  };
  discover(root);
  for (size_t next = 0; next < pending.size(); ++next) {
    for (const Node::Edge& edge : pending[next].node->edges) {
      if (!edge.node) continue;
      if (edge.node->backward_pass != pass) discover(edge.node.get());
      ++pending[edge.node->backward_slot].dependencies;
    }
  }
  return pending;
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph) {
  AutogradMeta* root_meta = meta_of(root);
  check(root_meta != nullptr && root_meta->requires_grad(),
        "backward: the tensor does not require grad and has no grad_fn; call requires_grad_() "
        "on the leaves you want gradients for before computing it");
  Tensor grad_root = gradient;
  if (!grad_root.defined()) {
    check(root.numel() == 1, "backward: a gradient can be implied only for a one-element output, ",
          "but this one has shape ", root.shape(),
          "; pass backward(gradient) with a gradient of that shape");
    grad_root = ones_like(root);
  }
  check(grad_root.shape() == root.shape(), "backward: the gradient has shape ", grad_root.shape(),
        " but the output has shape ", root.shape());

  if (AnomalyMode::is_enabled()) {
    const kernels::NonFiniteCount count = kernels::count_non_finite(grad_root);
    check(count.nan == 0 && count.inf == 0,
          "backward (detect_anomaly): the gradient passed to backward holds ", count.nan,
          " NaN and ", count.inf, " infinite values");
  }

  NoGradGuard no_grad;
  Node* root_node = root_meta->refresh_view_history().get();
  if (root_node == nullptr)
    return accumulate_into_leaf(*root_meta, kernels::to(grad_root, root.dtype()));

  PooledVector<PendingNode> pending = pending_nodes(root_node);
  pending.front().grad_sum = kernels::to(grad_root, root.dtype());
  PooledVector<size_t> ready{0};  // places in `pending` of the nodes with all their gradients
  while (!ready.empty()) {
    PendingNode& entry = pending[ready.back()];
    ready.pop_back();
    Node* node = entry.node;
    check(!node->released, "backward: trying to backward through the graph a second time: the ",
          "saved tensors of ", op_name(node->kind),
          " were freed by the first backward; pass retain_graph=true to the first call");
    const Tensor grad_out = std::move(entry.grad_sum);
    for (size_t i = 0; i < node->edges.size(); ++i) {
      Node::Edge& edge = node->edges[i];
      const Tensor grad_input = input_gradient(*node, i, grad_out);
      if (edge.leaf) {
        accumulate_into_leaf(*edge.leaf, grad_input);
        continue;
      }
      PendingNode& input = pending[edge.node->backward_slot];
      input.grad_sum = add_gradients(input.grad_sum, grad_input);
      if (--input.dependencies == 0) ready.push_back(edge.node->backward_slot);
    }
    if (!retain_graph) {
      for (Node::Edge& edge : node->edges) edge.formula.reset();
      node->released = true;
    }
  }
  if (retain_graph) return;
  // The edges go too, once no node is left to run (one still waiting may live only through
  // them): of the graph, only the root's node stays, with its name, for as long as the root.
  PooledVector<Node::Edges> released;  // whole lists move: no edge is copied
  released.reserve(pending.size());
  for (PendingNode& entry : pending) {
    released.push_back(std::move(entry.node->edges));
    entry.node->edges.clear();
  }
}

}  // namespace mg::autograd
