#pragma once

#include <concepts>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "minigrad/tensor/dtype.h"
#include "minigrad/tensor/error.h"
#include "minigrad/tensor/shape.h"
#include "minigrad/tensor/storage.h"

namespace mg {

// Maps a possibly negative dim into [0, ndim); the message names `op`. Inline, as x.size(-1) is.
inline int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op) {
  // A 0-dim tensor accepts dims -1 and 0, as in PyTorch.
  const int64_t range = ndim > 0 ? ndim : 1;
  check(dim >= -range && dim < range, op, ": dim ", dim, " is out of range for a tensor with ",
        ndim, ndim == 1 ? " dim" : " dims", " (expected ", -range, " to ", range - 1, ")");
  return dim < 0 ? dim + range : dim;
}

// What the tensor layer may know of a tensor's autograd state: enough to print
// `grad_fn=<MmBackward0>` or `requires_grad=True`. The graph itself lives in autograd/, whose
// metadata type derives from this one.
struct AutogradMetaInterface {
  virtual ~AutogradMetaInterface() = default;
  virtual bool requires_grad() const = 0;
  virtual std::string grad_fn_name() const = 0;  // empty for a leaf
};

// A view of a storage: element (i0, i1, ...) lives at offset + i0 * strides[0] + i1 * strides[1]
// + ... elements from the start of the storage. Views share the storage; nothing is copied.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;
  int64_t offset = 0;
  Dtype dtype = kFloat32;
  std::shared_ptr<AutogradMetaInterface> autograd;  // null while no gradient is involved
};

// The tensor handle users hold. Copying a Tensor copies the handle, not the data, as Python
// variables do; `clone()` copies the data.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  ~Tensor() = default;

  // As in libtorch: assigning to a named tensor rebinds the handle, while assigning to a
  // temporary view writes into the data it views, so `scores[i] = mg::dot(query, x_i)` works.
  Tensor& operator=(const Tensor& other) & = default;
  Tensor& operator=(Tensor&& other) & noexcept = default;
  Tensor& operator=(const Tensor& src) &&;
  Tensor& operator=(double value) &&;

  bool defined() const { return impl_ != nullptr; }

  const Shape& shape() const { return impl().shape; }
  int64_t size(int64_t dim) const {  // negative dims count from the end
    return shape()[normalize_dim(dim, this->dim(), "size")];
  }
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  int64_t numel() const;
  Dtype dtype() const { return impl().dtype; }
  const Shape& strides() const { return impl().strides; }
  int64_t stride(int64_t dim) const { return strides()[normalize_dim(dim, this->dim(), "stride")]; }
  int64_t storage_offset() const { return impl().offset; }
  bool is_contiguous() const;

  // The first element; throws unless T is the tensor's element type.
  template <typename T>
  T* data_ptr() const {
    check(dtype() == dtype_of<T>(), "data_ptr: the tensor holds ", dtype_name(dtype()), ", not ",
          dtype_name(dtype_of<T>()));
    return static_cast<T*>(storage()->data()) + storage_offset();
  }
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }

  // The value of a one-element tensor, as a double or as T.
  double item() const;
  template <typename T>
  T item() const {
    return static_cast<T>(item());
  }
  // All elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;

  // --- Autograd and differentiable ops: declared here so that every tensor has them, defined in
  // autograd/ (minigrad::autograd), which records the graph.
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);  // floating-point leaves only
  bool is_leaf() const;
  Tensor grad() const;  // undefined until a backward pass reaches this leaf
  void zero_grad();     // drops the gradient, as PyTorch's set_to_none does
  // Accumulates gradients into the leaves; `gradient` may be omitted for a one-element tensor.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  Tensor detach() const;  // same data, no history

  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;  // a view when the layout allows, else a copy
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor T() const;  // reverses the dims, as PyTorch's .T
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze() const;             // without its dims of size 1
  Tensor squeeze(int64_t dim) const;  // without dim, if its size is 1
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor expand(const Shape& shape) const;  // -1 keeps a size; broadcast dims get stride 0
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  // Python's x[start:end:step] along dim (x[:, :T] is x.slice(1, 0, T)); bounds are clamped.
  Tensor slice(int64_t dim, int64_t start = 0, int64_t end = std::numeric_limits<int64_t>::max(),
               int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;  // all must exist
  Tensor triu(int64_t diagonal = 0) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor contiguous() const;
  Tensor clone() const;

  Tensor matmul(const Tensor& other) const;
  Tensor dot(const Tensor& other) const;
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  // x.sum(-1) as in PyTorch. A template, so that a braced list (x.sum({}, true)) still means dims.
  template <std::integral Dim>
  Tensor sum(Dim dim, bool keepdim = false) const {
    return sum(std::vector<int64_t>{static_cast<int64_t>(dim)}, keepdim);
  }
  template <std::integral Dim>
  Tensor mean(Dim dim, bool keepdim = false) const {
    return mean(std::vector<int64_t>{static_cast<int64_t>(dim)}, keepdim);
  }
  Tensor var(const std::vector<int64_t>& dims = {}, bool unbiased = true,
             bool keepdim = false) const;
  // x.var(1). Not for bool: PyTorch's x.var(False) means unbiased, so a bool would mislead.
  template <std::integral Dim>
  requires(!std::same_as<Dim, bool>) Tensor var(Dim dim, bool unbiased = true, bool keepdim = false)
  const { return var(std::vector<int64_t>{static_cast<int64_t>(dim)}, unbiased, keepdim); }
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;  // values, indices
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmin() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor argmin(int64_t dim, bool keepdim = false) const;
  Tensor exp() const;
  Tensor neg() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor pow(double exponent) const;
  Tensor abs() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  // A copy converted to dtype (this tensor itself when it already has it), differentiable
  // between float32 and float64. PyTorch's x.bool(), x.long(), x.float(), x.double() are
  // x.to(kBool), x.to(kInt64), x.to(kFloat32), x.to(kFloat64).
  Tensor to(Dtype dtype) const;
  // A copy with value where mask (any dtype, nonzero is true, broadcast to this shape) is true.
  Tensor masked_fill(const Tensor& mask, double value) const;

  // Comparisons (compare.h), bool masks; defined in the tensor library: no graph involved.
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(double other) const;
  Tensor ne(double other) const;
  Tensor lt(double other) const;
  Tensor le(double other) const;
  Tensor gt(double other) const;
  Tensor ge(double other) const;

  // In place, broadcasting `other` to this tensor's shape.
  Tensor& operator+=(const Tensor& other);
  Tensor& operator-=(const Tensor& other);
  Tensor& operator*=(const Tensor& other);
  Tensor& operator/=(const Tensor& other);
  Tensor& operator+=(double other);
  Tensor& operator-=(double other);
  Tensor& operator*=(double other);
  Tensor& operator/=(double other);
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(double value);
  Tensor& masked_fill_(const Tensor& mask, double value);  // mask broadcasts to this shape

  TensorImpl& impl() const {  // inline: every accessor above goes through it
    check(impl_ != nullptr, "tensor: this Tensor is undefined (default-constructed or moved from)");
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// Prints as PyTorch does: `tensor([[0.3884, 0.8840], ...])`.
std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// Shape arithmetic shared by every op.
int64_t numel(const Shape& shape);
Shape contiguous_strides(const Shape& shape);

}  // namespace mg
