#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "minigrad/tensor/dtype.h"
#include "minigrad/tensor/shape.h"

namespace mg {

// The knobs of torch.set_printoptions, with PyTorch's defaults.
struct PrintOptions {
  int precision = 4;             // digits after the point (fixed) or in the mantissa (scientific)
  int64_t threshold = 1000;      // more elements than this are summarised with "..."
  int64_t edgeitems = 3;         // elements kept at each end of a summarised dim
  int64_t linewidth = 80;        // characters per line before a row of numbers wraps
  std::optional<bool> sci_mode;  // nullopt: chosen from the values, as PyTorch does
};

// The options every format_tensor call uses; set_printoptions replaces all of them at once
// (pass PrintOptions{} to restore the defaults). Not thread-safe, like PyTorch's global.
const PrintOptions& print_options();
void set_printoptions(const PrintOptions& options);

// PyTorch's repr of a tensor, character for character: `tensor([[0.3884, 0.8840], ...])`,
// `tensor([ True, False])`. `values` holds the numel elements in row-major order; float32 values
// are rounded to float first, as the tensor would hold them. An empty `shape` is a 0-dim tensor.
// The suffixes follow the data: `size=(0, 3)` for an empty tensor that is not 1-D,
// `dtype=torch.float64` (int64 and bool print none, as PyTorch's defaults, unless the tensor is
// empty), then the caller's `suffixes` (e.g. "grad_fn=<MmBackward0>" or "requires_grad=True"), each
// moved onto its own line when it would overflow the last one.
std::string format_tensor(const std::vector<double>& values, const Shape& shape, Dtype dtype,
                          const std::vector<std::string>& suffixes = {});

// Python's repr of a float, which is also what `print(f"{t.item()}")` shows: the shortest
// digits that read back to the same double, e.g. "1.0", "1.0000001192092896", "1e-05", "inf".
std::string format_python_float(double value);

}  // namespace mg
