#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "minigrad/nn/module.h"

namespace mg::nn {

namespace detail {
// index into a container of `size` modules, negative counting from the end as in Python; throws
// naming `container` when it is out of range.
size_t checked_index(int64_t index, size_t size, const char* container);
}  // namespace detail

// Modules of any kinds run one after another, as torch.nn.Sequential: forward passes each one's
// output to the next (an empty Sequential returns its input). State-dict names are positions:
// "0.weight", "2.bias". The modules are held by shared_ptr, so a copy of a Sequential shares its
// modules (their parameters and their train/eval flags) as a second Python name for it would; a
// module passed by value is moved or copied in, and a copy shares its source's parameters.
class Sequential : public Module {
 public:
  Sequential() = default;
  // nn::Sequential ff{nn::Linear(4, 16), nn::GELU("tanh"), nn::Linear(16, 4)}. Write braces when
  // the weights must be PyTorch's for a seed: C++ makes braced arguments left to right, but
  // parenthesized ones in any order (GCC goes right to left). A lone Sequential argument is the
  // copy constructor; nest one with push_back.
  template <typename... Modules>
  requires((std::derived_from<std::remove_cvref_t<Modules>, Module> && ...) &&
           !(sizeof...(Modules) == 1 && (std::same_as<std::remove_cvref_t<Modules>, Sequential> &&
                                         ...))) explicit Sequential(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  template <typename M>
  requires std::derived_from<std::remove_cvref_t<M>, Module>
  void push_back(M&& module) {
    push_back(std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module)));
  }
  void push_back(std::shared_ptr<Module> module);  // shared, not copied; throws when null

  size_t size() const { return modules_.size(); }
  // The module at index (negative counts from the end); throws past either end.
  Module& operator[](int64_t index) const;

  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

// Modules of one type M addressed by index, as torch.nn.ModuleList: state-dict names "0.weight",
// "1.weight", ..., under the list's own name in the module that holds it. The modules are values,
// as MultiHeadAttentionWrapper holds its heads: a copy of the list copies each module, and module
// copies share their parameters. It has no forward (PyTorch's raises NotImplementedError): forward
// throws mg::Error; call its modules, e.g. `for (const auto& block : blocks) x = block(x);`.
template <typename M>
requires std::derived_from<M, Module>
class ModuleList : public Module {
 public:
  ModuleList() = default;
  explicit ModuleList(std::vector<M> modules) : modules_(std::move(modules)) {}

  void push_back(M module) { modules_.push_back(std::move(module)); }
  size_t size() const { return modules_.size(); }
  // The module at index (negative counts from the end); throws past either end.
  M& operator[](int64_t index) {
    return modules_[detail::checked_index(index, modules_.size(), "ModuleList")];
  }
  const M& operator[](int64_t index) const {
    return modules_[detail::checked_index(index, modules_.size(), "ModuleList")];
  }
  auto begin() { return modules_.begin(); }
  auto end() { return modules_.end(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

  Tensor forward(const Tensor& /*x*/) const override {
    throw Error("ModuleList has no forward; call its modules");
  }
  void visit(Visitor& visitor) override {
    for (size_t i = 0; i < modules_.size(); ++i) visitor.module(std::to_string(i), modules_[i]);
  }

 private:
  std::vector<M> modules_;
};

}  // namespace mg::nn
