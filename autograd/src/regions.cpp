#include "regions.h"

#include <algorithm>

#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::autograd {

namespace {
Tensor in_storage(const Tensor& storage, const Region& region) {
  return kernels::as_strided(storage, region.shape, region.strides, region.offset);
}

// A scratch storage holding grad_base where the base sits in its own storage. Only the base's
// elements are ever read back, and every view lies within them, so the rest stays unset.
Tensor storage_holding(const Tensor& grad_base, const BaseLayout& base) {
  Tensor storage = empty({base.storage_numel}, base.dtype);
  kernels::copy_(in_storage(storage, base.region), grad_base);
  return storage;
}
}  // namespace

BaseLayout layout_of(const Tensor& base) {
  return {
      .region = region_of(base),
      .storage_numel = static_cast<int64_t>(base.storage()->nbytes() / element_size(base.dtype())),
      .dtype = base.dtype()};
}

Region region_of(const Tensor& tensor) {
  return {.shape = tensor.shape(), .strides = tensor.strides(), .offset = tensor.storage_offset()};
}

Tensor scatter_to_base(const Tensor& grad_view, const Region& view, const BaseLayout& base) {
  // An expanded view reads an element several times along its stride-0 dims: those reads'
  // gradients add up, into one element.
  Region distinct = view;
  for (size_t d = 0; d < view.shape.size(); ++d)
    if (view.strides[d] == 0) distinct.shape[d] = std::min<int64_t>(view.shape[d], 1);
  Tensor storage = zeros({base.storage_numel}, base.dtype);
  kernels::copy_(in_storage(storage, distinct), kernels::sum_to(grad_view, distinct.shape));
  return in_storage(storage, base.region);
}

Tensor region_of_grad(const Tensor& grad_base, const Region& view, const BaseLayout& base) {
  return in_storage(storage_holding(grad_base, base), view);
}

Tensor grad_outside_region(const Tensor& grad_base, const Region& view, const BaseLayout& base) {
  Tensor storage = storage_holding(grad_base, base);
  kernels::fill_(in_storage(storage, view), 0.0);
  return in_storage(storage, base.region);
}

}  // namespace mg::autograd
