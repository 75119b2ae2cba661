#include "minigrad/tensor/tensor.h"

#include <ostream>

#include "minigrad/tensor/print.h"
#include "strided_loop.h"

namespace mg {

int64_t numel(const Shape& shape) {
  int64_t count = 1;
  for (int64_t size : shape) count *= size;
  return count;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d] > 0 ? shape[d] : 1;
  }
  return strides;
}

int64_t Tensor::numel() const {
  return mg::numel(shape());
}

bool Tensor::is_contiguous() const {
  // Dims of size 1 may have any stride, and an empty tensor is always contiguous, as in PyTorch.
  if (numel() == 0) return true;
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (shape()[d] == 1) continue;
    if (strides()[d] != expected) return false;
    expected *= shape()[d];
  }
  return true;
}

double Tensor::item() const {
  check(numel() == 1, "item: a tensor with ", numel(), " elements (shape ", shape(),
        ") cannot be converted to a number");
  return to_vector<double>()[0];
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> values;
  values.reserve(numel());
  dispatch_all(dtype(), [&]<typename scalar_t>() {
    const auto* base = static_cast<const scalar_t*>(storage()->data());
    detail::for_each_row(shape(), strides(), storage_offset(),
                         [&](int64_t offset, int64_t n, int64_t stride) {
                           for (int64_t i = 0; i < n; ++i)
                             values.push_back(static_cast<T>(base[offset + i * stride]));
                         });
  });
  return values;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<bool> Tensor::to_vector<bool>() const;

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) {
  if (!tensor.defined()) return out << "None";
  std::vector<std::string> suffixes;
  if (const auto& autograd = tensor.impl().autograd) {
    if (const std::string name = autograd->grad_fn_name(); !name.empty())
      suffixes.push_back("grad_fn=<" + name + ">");
    else if (autograd->requires_grad())
      suffixes.push_back("requires_grad=True");
  }
  return out << format_tensor(tensor.to_vector<double>(), tensor.shape(), tensor.dtype(), suffixes);
}

}  // namespace mg
