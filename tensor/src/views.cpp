#include "minigrad/tensor/views.h"

#include <algorithm>
#include <optional>

#include "elementwise_loops.h"
#include "minigrad/tensor/factory.h"

namespace mg::kernels {

Tensor as_strided(const Tensor& input, const Shape& shape, const Shape& strides, int64_t offset) {
  check(shape.size() == strides.size(), "as_strided: ", shape.size(), " sizes but ", strides.size(),
        " strides");
  // The last element must lie inside the storage: no view may read out of bounds.
  int64_t last = offset;
  for (size_t d = 0; d < shape.size(); ++d) {
    check(shape[d] >= 0 && strides[d] >= 0, "as_strided: sizes and strides must be non-negative");
    if (shape[d] == 0) last = -1;
    if (last >= 0) last += (shape[d] - 1) * strides[d];
  }
  const auto capacity =
      static_cast<int64_t>(input.storage()->nbytes() / element_size(input.dtype()));
  check(offset >= 0 && last < capacity, "as_strided: shape ", shape, " with strides ", strides,
        " at offset ", offset, " reaches past the storage of ", capacity, " elements");
  auto impl = make_pooled<TensorImpl>();
  impl->storage = input.storage();
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = input.dtype();
  return Tensor(std::move(impl));
}

namespace {
// Resolves a -1 in `shape` from the element count.
Shape infer_size(const Shape& shape, int64_t count, const Shape& input_shape, const char* op) {
  Shape resolved = shape;
  int64_t known = 1, inferred = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      check(inferred < 0, op, ": only one dimension can be inferred, got shape ", shape);
      inferred = static_cast<int64_t>(d);
    } else {
      check(shape[d] >= 0, op, ": invalid size ", shape[d], " in shape ", shape);
      known *= shape[d];
    }
  }
  if (inferred >= 0) {
    check(known != 0 && count % known == 0, op, ": shape ", shape,
          " is invalid for input of shape ", input_shape, " (", count, " elements)");
    resolved[inferred] = count / known;
  }
  check(numel(resolved) == count, op, ": shape ", shape, " is invalid for input of shape ",
        input_shape, " (", count, " elements)");
  return resolved;
}

// Strides that make `shape` walk the same elements as the input's layout, or none when the
// input's memory cannot be walked that way without a copy. Dims are grouped into chunks that are
// contiguous among themselves; each chunk may be re-split freely (PyTorch's computeStride).
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides,
                                  const Shape& new_shape) {
  Shape new_strides(new_shape.size());
  if (old_shape.empty() || numel(old_shape) == 0) return contiguous_strides(new_shape);
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.empty() ? 1 : old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_shape.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_shape[tensor_d];
    const bool chunk_ends =
        tensor_d == 0 || (old_shape[tensor_d - 1] != 1 &&
                          old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
      new_strides[view_d] = view_numel * chunk_base_stride;
      view_numel *= new_shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (tensor_d > 0) {
      chunk_base_stride = old_strides[tensor_d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}
}  // namespace

bool is_viewable(const Tensor& input, const Shape& shape) {
  const Shape resolved = infer_size(shape, input.numel(), input.shape(), "reshape");
  return view_strides(input.shape(), input.strides(), resolved).has_value();
}

Tensor view(const Tensor& input, const Shape& shape) {
  const Shape resolved = infer_size(shape, input.numel(), input.shape(), "view");
  const auto strides = view_strides(input.shape(), input.strides(), resolved);
  check(strides.has_value(), "view: cannot view shape ", input.shape(), " with strides ",
        input.strides(), " as ", resolved,
        " without copying; call .contiguous() first or use .reshape()");
  return as_strided(input, resolved, *strides, input.storage_offset());
}

Tensor transpose(const Tensor& input, int64_t dim0, int64_t dim1) {
  const int64_t ndim = input.dim();
  dim0 = normalize_dim(dim0, ndim, "transpose");
  dim1 = normalize_dim(dim1, ndim, "transpose");
  Shape shape = input.shape(), strides = input.strides();
  if (ndim > 0) {
    std::swap(shape[dim0], shape[dim1]);
    std::swap(strides[dim0], strides[dim1]);
  }
  return as_strided(input, shape, strides, input.storage_offset());
}

Tensor select(const Tensor& input, int64_t dim, int64_t index) {
  check(input.dim() > 0, "select: cannot index a 0-dim tensor");
  dim = normalize_dim(dim, input.dim(), "select");
  const int64_t size = input.shape()[dim];
  check(index >= -size && index < size, "select: index ", index, " is out of range for dim ", dim,
        " of size ", size);
  if (index < 0) index += size;
  Shape shape = input.shape(), strides = input.strides();
  const int64_t offset = input.storage_offset() + index * strides[dim];
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  return as_strided(input, shape, strides, offset);
}

Tensor unsqueeze(const Tensor& input, int64_t dim) {
  dim = normalize_dim(dim, input.dim() + 1, "unsqueeze");
  Shape shape = input.shape(), strides = input.strides();
  const int64_t stride = dim < input.dim() ? shape[dim] * strides[dim] : 1;
  shape.insert(shape.begin() + dim, 1);
  strides.insert(strides.begin() + dim, stride);
  return as_strided(input, shape, strides, input.storage_offset());
}

Tensor permute(const Tensor& input, const std::vector<int64_t>& dims) {
  const int64_t ndim = input.dim();
  check(static_cast<int64_t>(dims.size()) == ndim, "permute: got ", dims.size(),
        " dims for a tensor of shape ", input.shape(), "; name each of its ", ndim, " dims once");
  Shape shape(ndim), strides(ndim);
  std::vector<bool> seen(ndim, false);
  for (int64_t d = 0; d < ndim; ++d) {
    const int64_t from = normalize_dim(dims[d], ndim, "permute");
    check(!seen[from], "permute: dim ", from, " appears twice in ", dims);
    seen[from] = true;
    shape[d] = input.shape()[from];
    strides[d] = input.strides()[from];
  }
  return as_strided(input, shape, strides, input.storage_offset());
}

Tensor slice(const Tensor& input, int64_t dim, int64_t start, int64_t end, int64_t step) {
  check(input.dim() > 0, "slice: cannot slice a 0-dim tensor");
  dim = normalize_dim(dim, input.dim(), "slice");
  check(step > 0, "slice: step must be positive, got ", step);
  const int64_t size = input.shape()[dim];
  auto clamp_bound = [size](int64_t bound) {
    return std::clamp(bound < 0 ? bound + size : bound, int64_t{0}, size);
  };
  start = clamp_bound(start);
  end = std::max(clamp_bound(end), start);
  Shape shape = input.shape(), strides = input.strides();
  shape[dim] = (end - start + step - 1) / step;
  strides[dim] *= step;
  return as_strided(input, shape, strides, input.storage_offset() + start * input.strides()[dim]);
}

Tensor narrow(const Tensor& input, int64_t dim, int64_t start, int64_t length) {
  check(input.dim() > 0, "narrow: cannot narrow a 0-dim tensor");
  dim = normalize_dim(dim, input.dim(), "narrow");
  const int64_t size = input.shape()[dim];
  check(start >= -size && start <= size, "narrow: start ", start, " is out of range for dim ", dim,
        " of size ", size);
  if (start < 0) start += size;
  check(length >= 0 && start + length <= size, "narrow: start (", start, ") + length (", length,
        ") exceeds the size (", size, ") of dim ", dim);
  return slice(input, dim, start, start + length);
}

Tensor squeeze(const Tensor& input) {
  Shape shape, strides;
  for (int64_t d = 0; d < input.dim(); ++d) {
    if (input.shape()[d] == 1) continue;
    shape.push_back(input.shape()[d]);
    strides.push_back(input.strides()[d]);
  }
  return as_strided(input, shape, strides, input.storage_offset());
}

Tensor squeeze(const Tensor& input, int64_t dim) {
  if (input.dim() == 0) {
    normalize_dim(dim, 1, "squeeze");  // a 0-dim tensor takes dim 0 or -1, as in PyTorch
    return as_strided(input, {}, {}, input.storage_offset());
  }
  dim = normalize_dim(dim, input.dim(), "squeeze");
  Shape shape = input.shape(), strides = input.strides();
  if (shape[dim] == 1) {
    shape.erase(shape.begin() + dim);
    strides.erase(strides.begin() + dim);
  }
  return as_strided(input, shape, strides, input.storage_offset());
}

Tensor expand(const Tensor& input, const Shape& shape) {
  const int64_t ndim = static_cast<int64_t>(shape.size());
  const int64_t new_dims = ndim - input.dim();
  check(new_dims >= 0, "expand: the number of sizes in ", shape, " (", ndim,
        ") must be at least the number of dims of the tensor of shape ", input.shape(), " (",
        input.dim(), ")");
  Shape sizes(ndim), strides(ndim, 0);
  for (int64_t d = 0; d < ndim; ++d) {
    if (d < new_dims) {
      check(shape[d] >= 0, "expand: size -1 is not allowed for a new leading dim in ", shape);
      sizes[d] = shape[d];
      continue;
    }
    const int64_t size = input.shape()[d - new_dims];
    const int64_t target = shape[d] == -1 ? size : shape[d];
    check(target == size || size == 1, "expand: the expanded size ", target,
          " must match the existing size ", size, " at non-singleton dim ", d - new_dims,
          " (target sizes ", shape, ", tensor sizes ", input.shape(), ")");
    sizes[d] = target;
    strides[d] = target == size ? input.strides()[d - new_dims] : 0;
  }
  return as_strided(input, sizes, strides, input.storage_offset());
}

Tensor clone(const Tensor& input) {
  Tensor out = empty(input.shape(), input.dtype());
  copy_into(out, input);
  return out;
}

Tensor contiguous(const Tensor& input) {
  return input.is_contiguous() ? input : clone(input);
}

}  // namespace mg::kernels
