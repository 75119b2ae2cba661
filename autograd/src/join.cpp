// Joining tensors: stack along a new dim, cat along an existing one. Each input's gradient is the
// part of grad_out that the input filled.
#include <algorithm>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::InputGrad;
using autograd::needs_grad;
using autograd::OpKind;
using autograd::record;

namespace {
void check_same_dtype(const char* op, const std::vector<Tensor>& tensors) {
  for (size_t i = 1; i < tensors.size(); ++i)
    check(tensors[i].dtype() == tensors[0].dtype(), op,
          ": every tensor must have the same dtype, but tensor 0 is ",
          dtype_name(tensors[0].dtype()), " and tensor ", i, " is ",
          dtype_name(tensors[i].dtype()));
}

bool any_needs_grad(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors)
    if (needs_grad(t)) return true;
  return false;
}

// PyTorch's cat skips 1-D empty tensors, a legacy rule kept for lists begun with
// torch.tensor([]): their sizes are not checked, and they add nothing to the result.
bool skipped_by_cat(const Tensor& t) {
  return t.dim() == 1 && t.numel() == 0;
}
}  // namespace

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  check(!tensors.empty(), "stack: expected a non-empty list of tensors");
  const Tensor& first = tensors.front();
  dim = normalize_dim(dim, first.dim() + 1, "stack");
  for (size_t i = 1; i < tensors.size(); ++i)
    check(tensors[i].shape() == first.shape(),
          "stack: every tensor must have the same shape, but tensor 0 has shape ", first.shape(),
          " and tensor ", i, " has shape ", tensors[i].shape());
  check_same_dtype("stack", tensors);
  Shape shape = first.shape();
  shape.insert(shape.begin() + dim, static_cast<int64_t>(tensors.size()));
  Tensor out = empty(shape, first.dtype());
  for (size_t i = 0; i < tensors.size(); ++i)
    kernels::copy_(kernels::select(out, dim, static_cast<int64_t>(i)), tensors[i]);

  if (any_needs_grad(tensors)) {
    std::vector<InputGrad> inputs;
    for (size_t i = 0; i < tensors.size(); ++i)
      inputs.push_back({tensors[i], [dim, index = static_cast<int64_t>(i)](const Tensor& grad_out) {
                          return grad_out.select(dim, index);
                        }});
    record(out, OpKind::StackBackward0, inputs);
  }
  return out;
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  check(!tensors.empty(), "cat: expected a non-empty list of tensors");
  for (const Tensor& t : tensors)
    check(t.dim() > 0, "cat: zero-dimensional tensors cannot be concatenated");
  check_same_dtype("cat", tensors);
  const auto joined = std::find_if(tensors.begin(), tensors.end(),
                                   [](const Tensor& t) { return !skipped_by_cat(t); });
  if (joined == tensors.end()) dim = 0;  // all skipped: the result is empty whatever the dim
  const Tensor& reference = joined == tensors.end() ? tensors.front() : *joined;
  const size_t reference_index = static_cast<size_t>(joined - tensors.begin());
  dim = normalize_dim(dim, reference.dim(), "cat");
  Shape shape = reference.shape();
  shape[dim] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_by_cat(t)) continue;
    bool sizes_match = t.dim() == reference.dim();
    for (int64_t d = 0; d < reference.dim() && sizes_match; ++d)
      sizes_match = d == dim || t.size(d) == reference.size(d);
    check(sizes_match, "cat: sizes must match except in dim ", dim, ", but tensor ",
          reference_index, " has shape ", reference.shape(), " and tensor ", i, " has shape ",
          t.shape());
    shape[dim] += t.size(dim);
  }
  Tensor out = empty(shape, reference.dtype());
  // Input i fills out's elements [starts[i], starts[i] + its size) along dim.
  std::vector<int64_t> starts{0};
  for (const Tensor& t : tensors) {
    const int64_t length = skipped_by_cat(t) ? 0 : t.size(dim);
    if (length > 0) kernels::copy_(kernels::narrow(out, dim, starts.back(), length), t);
    starts.push_back(starts.back() + length);
  }

  if (any_needs_grad(tensors)) {
    std::vector<InputGrad> inputs;
    for (size_t i = 0; i < tensors.size(); ++i) {
      if (skipped_by_cat(tensors[i])) {
        inputs.push_back(
            {tensors[i], [](const Tensor& grad_out) { return zeros({0}, grad_out.dtype()); }});
        continue;
      }
      inputs.push_back({tensors[i], [dim, start = starts[i],
                                     length = tensors[i].size(dim)](const Tensor& grad_out) {
                          return grad_out.narrow(dim, start, length);
                        }});
    }
    record(out, OpKind::CatBackward0, inputs);
  }
  return out;
}

}  // namespace mg
