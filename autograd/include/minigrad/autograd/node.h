#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "minigrad/autograd/grad_mode.h"
#include "minigrad/tensor/tensor.h"

namespace mg::autograd {

struct Node;

// A tensor's autograd state. A leaf that requires grad keeps its gradient here; a result of an
// op keeps the node that made it. Edges point from a node to its inputs' nodes or leaf metas,
// never back, so the graph holds no cycles.
struct AutogradMeta final : AutogradMetaInterface {
  bool leaf_requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;

  bool requires_grad() const override { return leaf_requires_grad || grad_fn != nullptr; }
  std::string grad_fn_name() const override;
};

// Gradient of one input from the gradient of the op's result.
using GradFormula = std::function<Tensor(const Tensor& grad_out)>;

// One op application in the graph: for each input that needs a gradient, where that gradient
// goes and the formula that computes it.
struct Node {
  struct Edge {
    std::shared_ptr<Node> node;          // the input's grad_fn when it was made by an op, or
    std::shared_ptr<AutogradMeta> leaf;  // the input itself when it is a leaf that requires grad
    GradFormula formula;                 // cleared once run, unless the graph is retained
    Shape input_shape;                   // the engine sums broadcast gradients back to this
    Dtype input_dtype;
  };

  explicit Node(std::string name) : name(std::move(name)) {}
  ~Node();  // iterative, so freeing a 100,000-op chain does not overflow the stack
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  std::string name;  // as PyTorch names it: "MmBackward0"
  std::vector<Edge> edges;
  bool released = false;  // its saved tensors were freed by a backward pass
};

// A tensor saved for backward: the data only (no graph, so saving an op's own result makes no
// cycle), and the storage version when saved, so backward can refuse data changed in place since.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& tensor);
  Tensor get() const;

 private:
  Tensor data_;
  uint64_t version_ = 0;
};

// True when grad mode is on and any of the tensors requires grad: only then does an op record.
bool needs_grad(std::initializer_list<const Tensor*> inputs);
template <typename... Tensors>
bool needs_grad(const Tensors&... inputs) {
  return needs_grad({&inputs...});
}

// One input of an op and the formula for its gradient.
struct InputGrad {
  const Tensor& input;
  GradFormula formula;
};

// Makes `result` the output of a node named `name` whose edges lead to the inputs that require
// grad; the formulas of the others are dropped with what they saved. Call under needs_grad().
// Records nothing when result is not floating point (x.to(kInt64)): it never requires grad.
void record(Tensor& result, std::string name, std::vector<InputGrad> inputs);

AutogradMeta* meta_of(const Tensor& tensor);  // null when the tensor has no autograd state

// Tensor::backward: accumulates d(root)/d(leaf) . gradient into every leaf that requires grad.
void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph);

}  // namespace mg::autograd
