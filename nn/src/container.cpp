#include "minigrad/nn/container.h"

namespace mg::nn {

size_t detail::checked_index(int64_t index, size_t size, const char* container) {
  const auto count = static_cast<int64_t>(size);
  check(index >= -count && index < count, container, ": index ", index, " is out of range for ",
        count, " modules");
  return static_cast<size_t>(index < 0 ? index + count : index);
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  check(module != nullptr, "Sequential: cannot hold a null module");
  modules_.push_back(std::move(module));
}

Module& Sequential::operator[](int64_t index) const {
  return *modules_[detail::checked_index(index, modules_.size(), "Sequential")];
}

Tensor Sequential::forward(const Tensor& x) const {
  Tensor out = x;
  for (const std::shared_ptr<Module>& module : modules_) out = (*module)(out);
  return out;
}

void Sequential::visit(Visitor& visitor) {
  for (size_t i = 0; i < modules_.size(); ++i) visitor.module(std::to_string(i), *modules_[i]);
}

}  // namespace mg::nn
