#pragma once

// Gradients between a base and a region of its storage: the backward of a view rebuilt after a
// write (AsStridedBackward0) and of a write through a view (CopySlices). The base's gradient is
// laid out in a scratch storage exactly as the base sits in its own, so that a region of it can
// be addressed with the view's strides and offset.
#include "minigrad/autograd/node.h"

namespace mg::autograd {

// A base as its gradient formulas see it. Formulas keep this copy rather than the base itself:
// the base's own history holds them, and holding the base back would make a cycle.
struct BaseLayout {
  Region region;
  int64_t storage_numel = 0;
  Dtype dtype = kFloat32;
};
BaseLayout layout_of(const Tensor& base);
Region region_of(const Tensor& tensor);

// grad_view in the region, zero elsewhere: d(view)/d(base) applied to the view's gradient.
Tensor scatter_to_base(const Tensor& grad_view, const Region& view, const BaseLayout& base);
// The part of the base's gradient that falls in the region.
Tensor region_of_grad(const Tensor& grad_base, const Region& view, const BaseLayout& base);
// The base's gradient with the region zeroed: what the old values get once the region is written.
Tensor grad_outside_region(const Tensor& grad_base, const Region& view, const BaseLayout& base);

}  // namespace mg::autograd
