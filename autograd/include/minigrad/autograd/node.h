#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include "minigrad/autograd/grad_mode.h"
#include "minigrad/autograd/op_kind.h"
#include "minigrad/tensor/tensor.h"

namespace mg::autograd {

struct Node;

// Elements of a storage picked by shape, strides and offset: where a view, or its base, sits.
struct Region {
  Shape shape;
  Shape strides;
  int64_t offset = 0;
};

// A view shares the storage of its base, the tensor it was taken from (never itself a view). A
// write through any view changes the base, so once the storage has been written, the base's
// history is where the view's gradient must go.
struct ViewOf {
  std::shared_ptr<TensorImpl> base;
  Region region;
  uint64_t version = 0;  // the storage's version when the view's history was last refreshed
};

// A tensor's autograd state. A leaf that requires grad keeps its gradient here; a result of an
// op keeps the node that made it. Edges point from a node to its inputs' nodes or leaf metas,
// never back, so the graph holds no cycles.
struct AutogradMeta final : AutogradMetaInterface {
  bool leaf_requires_grad = false;
  Tensor grad;

  // The node that made this tensor, as last recorded: a view's may be stale until refreshed.
  const std::shared_ptr<Node>& grad_fn() const { return grad_fn_; }
  void set_grad_fn(std::shared_ptr<Node> node) { grad_fn_ = std::move(node); }
  // The step an op takes before it uses this tensor's history (make_node, the engine's root): a
  // view whose storage was written since its node was made, or whose base has required grad only
  // since, gets a fresh node, AsStridedBackward0 into its base's current history, as in PyTorch.
  // Returns grad_fn(), now up to date. The questions below are answered without it.
  const std::shared_ptr<Node>& refresh_view_history();

  const ViewOf* view_of() const { return view_ ? &*view_ : nullptr; }  // null unless a view
  void set_view_of(std::optional<ViewOf> view) { view_ = std::move(view); }

  // Whether grad_fn() is, or refresh_view_history() will make, a node: the tensor is no leaf.
  bool has_history() const;
  bool requires_grad() const override { return leaf_requires_grad || has_history(); }
  // The name of the node refresh_view_history() gives, which it may have yet to make.
  std::string grad_fn_name() const override;

 private:
  bool needs_fresh_history() const;  // whether refresh_view_history() makes a node

  std::shared_ptr<Node> grad_fn_;
  std::optional<ViewOf> view_;  // its version moves on when the view's history is refreshed
};

// Gradient of one input from the gradient of the op's result: the lambda an op writes beside its
// forward. It is held inside the edge, where std::function would put every lambda that captures a
// saved tensor on the heap; a lambda larger than kInlineBytes (one capturing a view's regions)
// is shared from the heap instead.
class GradFormula {
 public:
  static constexpr size_t kInlineBytes = 64;

  GradFormula() = default;
  template <typename Formula>
  requires(!std::is_same_v<Formula, GradFormula> &&
           std::is_invocable_r_v<Tensor, const Formula&, const Tensor&>)
      GradFormula(Formula formula) {
    if constexpr (sizeof(Formula) <= kInlineBytes &&
                  alignof(Formula) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<Formula>) {
      ::new (buffer_) Formula(std::move(formula));
      ops_ = &kOps<Formula>;
    } else {
      *this = GradFormula([shared = std::make_shared<const Formula>(std::move(formula))](
                              const Tensor& grad_out) { return (*shared)(grad_out); });
    }
  }
  GradFormula(const GradFormula& other) : ops_(other.ops_) {
    if (ops_) ops_->copy(buffer_, other.buffer_);
  }
  GradFormula(GradFormula&& other) noexcept : ops_(other.ops_) {
    if (ops_) ops_->move(buffer_, other.buffer_);
  }
  // Copy and move assignment in one: `other` is already a copy, or the moved source's contents.
  GradFormula& operator=(GradFormula other) noexcept {
    reset();
    if (other.ops_) other.ops_->move(buffer_, other.buffer_);
    ops_ = other.ops_;
    return *this;
  }
  ~GradFormula() { reset(); }

  Tensor operator()(const Tensor& grad_out) const { return ops_->call(buffer_, grad_out); }
  void reset() {  // frees what the lambda captured
    if (ops_) ops_->destroy(buffer_);
    ops_ = nullptr;
  }

 private:
  // What the type-erased lambda can do, one table per lambda type.
  struct Ops {
    Tensor (*call)(const void* formula, const Tensor& grad_out);
    void (*copy)(void* to, const void* from);
    void (*move)(void* to, void* from) noexcept;  // leaves `from` to be destroyed as usual
    void (*destroy)(void* formula);
  };
  template <typename Formula>
  static constexpr Ops kOps{
      [](const void* formula, const Tensor& grad_out) -> Tensor {
        return (*static_cast<const Formula*>(formula))(grad_out);
      },
      [](void* to, const void* from) { ::new (to) Formula(*static_cast<const Formula*>(from)); },
      [](void* to, void* from) noexcept {
        ::new (to) Formula(std::move(*static_cast<Formula*>(from)));
      },
      [](void* formula) { static_cast<Formula*>(formula)->~Formula(); }};

  alignas(std::max_align_t) unsigned char buffer_[kInlineBytes];
  const Ops* ops_ = nullptr;
};

// One op application in the graph: for each input that needs a gradient, where that gradient
// goes and the formula that computes it.
struct Node {
  struct Edge {
    // Made in place by make_node, since moving a GradFormula is an indirect call.
    Edge(std::shared_ptr<Node> node, std::shared_ptr<AutogradMeta> leaf, GradFormula&& formula,
         const Shape& input_shape, Dtype input_dtype)
        : node(std::move(node)),
          leaf(std::move(leaf)),
          formula(std::move(formula)),
          input_shape(input_shape),
          input_dtype(input_dtype) {}

    std::shared_ptr<Node> node;          // the input's grad_fn when it was made by an op, or
    std::shared_ptr<AutogradMeta> leaf;  // the input itself when it is a leaf that requires grad
    GradFormula formula;                 // reset once run, unless the graph is retained
    Shape input_shape;                   // the engine sums broadcast gradients back to this
    Dtype input_dtype;
  };
  using Edges = PooledVector<Edge>;

  explicit Node(OpKind kind) : kind(kind) {}
  ~Node();  // iterative, so freeing a 100,000-op chain does not overflow the stack
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  OpKind kind;  // op_name(kind) is what PyTorch prints: "MmBackward0"
  Edges edges;
  bool released = false;  // its saved tensors were freed by a backward pass

  // The engine's bookkeeping, which spares it a hash map: the number of the backward pass that
  // last reached this node, and the node's place in that pass's list of nodes.
  uint64_t backward_pass = 0;
  size_t backward_slot = 0;
};

// A tensor saved for backward: the data without its graph (so saving an op's own result makes no
// cycle), a leaf that requires grad as it is, and the storage version when saved, so backward can
// refuse data changed in place since.
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

// A node of the given kind whose edges lead to the inputs that require grad, as they are now. The
// formulas move into the edges (a braced list of inputs is a temporary array: a copy would copy
// every saved tensor's handle once more); the other inputs' formulas go, with what they saved.
std::shared_ptr<Node> make_node(OpKind kind, std::span<InputGrad> inputs);
template <size_t N>
std::shared_ptr<Node> make_node(OpKind kind, InputGrad (&&inputs)[N]) {
  return make_node(kind, std::span<InputGrad>(inputs));
}
// Makes `result`, which has no history yet, the output of make_node(kind, inputs). Call under
// needs_grad(). A result not floating point (x.to(kInt64)) never requires grad: it is not recorded.
void record(Tensor& result, OpKind kind, std::span<InputGrad> inputs);
template <size_t N>
void record(Tensor& result, OpKind kind, InputGrad (&&inputs)[N]) {
  record(result, kind, std::span<InputGrad>(inputs));
}

// Which tensor record_unary saves for a gradient formula: some derivatives are cheaper from the
// op's result (exp, tanh, softmax) than from its input.
enum class Reads { Input, Result };
// out, the result of an op on `input` alone, recorded as `kind` when input needs grad, with the
// gradient formula(grad_out, saved) of the saved input or result.
template <typename Formula>
Tensor record_unary(Tensor out, OpKind kind, const Tensor& input, Reads reads, Formula formula) {
  if (needs_grad(input))
    record(out, kind,
           {{input, [saved = SavedTensor(reads == Reads::Result ? out : input),
                     formula](const Tensor& grad_out) { return formula(grad_out, saved.get()); }}});
  return out;
}

AutogradMeta* meta_of(const Tensor& tensor);  // null when the tensor has no autograd state

// Marks `view`, just taken from `input` by a view op, as sharing the storage of input's base.
void track_view(Tensor& view, const Tensor& input);

// Tensor::backward: accumulates d(root)/d(leaf) . gradient into every leaf that requires grad.
void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph);

}  // namespace mg::autograd
