#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include "minigrad/tensor/shape.h"

namespace mg {

// The one exception minigrad throws. Its message is a sentence naming the op and the rule that
// failed, e.g. "matmul: cannot multiply [6, 3] by [2, 3] (3 != 2)".
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
// Lists of dims, as sum() and permute() take them, print as shapes do.
inline void append(std::ostream& out, const std::vector<int64_t>& dims) {
  out << Shape(dims.begin(), dims.end());
}
template <typename T>
void append(std::ostream& out, const T& value) {
  out << value;
}
}  // namespace detail

// Concatenates its arguments into a string; shapes print as "[6, 3]".
template <typename... Args>
std::string str(const Args&... args) {
  std::ostringstream out;
  (detail::append(out, args), ...);
  return out.str();
}

namespace detail {
// The failing side of check(), kept out of line so that a check is a compare and a branch where
// it is written: ops make dozens of them.
template <typename... Args>
[[noreturn, gnu::cold, gnu::noinline]] void fail(const Args&... message) {
  throw Error(str(message...));
}
}  // namespace detail

// Throws mg::Error with the concatenated message when `condition` is false.
template <typename... Args>
inline void check(bool condition, const Args&... message) {
  if (!condition) [[unlikely]]
    detail::fail(message...);
}

}  // namespace mg
