#pragma once

#include <cstdint>
#include <vector>

namespace mg {

// Sizes of a tensor's dims, outermost first. Strides use the same type, counted in elements.
using Shape = std::vector<int64_t>;

}  // namespace mg
