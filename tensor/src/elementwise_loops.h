#pragma once

// The loops of the elementwise kernels (elementwise.cpp, fill.cpp), and the helpers of in-place
// writes that both files use.

#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

#include "cpu_dispatch.h"
#include "minigrad/tensor/tensor.h"
#include "strided_loop.h"

namespace mg::kernels {

// src unless it shares dst's memory in another layout: then a copy, so that writing dst cannot
// change elements of src still to be read (x.add_(x.T), x.copy_(x[0])).
Tensor separate(const Tensor& dst, const Tensor& src);
// dst = src broadcast and converted; no checks, no version bump.
void copy_into(const Tensor& dst, const Tensor& src);
// The shape check every in-place op shares: other must broadcast to self's shape unchanged, and
// self must not be expanded (check_no_internal_overlap).
void check_broadcasts_to(const Tensor& self, const Tensor& other, const char* op);
// Whether a value of dtype `from` may be stored in a tensor of dtype `to`, as torch.can_cast
// says: not floating point into an integer, nor a number into bool.
bool can_cast(Dtype from, Dtype to);

namespace {  // each file's loops are its own, as its on_best_cpu kernels are (cpu_dispatch.h)

// input's strides when read in `shape`, which input's shape broadcasts to: 0 on the leading dims
// input lacks and on the dims where it has size 1, so every output element reads the one value.
inline Shape strides_in(const Tensor& input, const Shape& shape) {
  if (input.shape() == shape) return input.strides();  // a stride on a size-1 dim is never used
  Shape strides(shape.size(), 0);
  const size_t lead = shape.size() - input.shape().size();
  for (size_t d = 0; d < input.shape().size(); ++d)
    if (input.shape()[d] != 1) strides[lead + d] = input.strides()[d];
  return strides;
}

template <typename T>
T* storage_base(const Tensor& tensor) {
  return static_cast<T*>(tensor.storage()->data());
}

// Calls row(out_row, in_rows..., n, stride) for the rows of out's shape, in chunks on both cores:
// out_row[i * stride[0]] for i < n are elements of out (any view of out_t), and
// in_rows[k][i * stride[k + 1]] the elements of *inputs[k] (an in_t[k] view whose shape
// broadcasts to out's) at the same places.
template <typename out_t, typename... in_t, typename Row>
void for_each_output_row(const Tensor& out,
                         const std::array<const Tensor*, sizeof...(in_t)>& inputs, Row row) {
  constexpr size_t N = sizeof...(in_t) + 1;
  const Shape& shape = out.shape();
  out_t* out_base = storage_base<out_t>(out);
  const auto walk = [&]<size_t... k>(std::index_sequence<k...>) {
    const std::tuple<const in_t*...> in_bases{storage_base<const in_t>(*inputs[k])...};
    const std::array<int64_t, N> offsets{out.storage_offset(), inputs[k]->storage_offset()...};
    const auto rows = [&](const std::array<int64_t, N>& at, int64_t n,
                          const std::array<int64_t, N>& stride) {
      row(out_base + at[0], std::get<k>(in_bases) + at[k + 1]..., n, stride);
    };
    // The common case, every operand laid out as a contiguous out: one run, without the strides
    // arrays a view needs built, which cost a small op as much as its math.
    if (out.is_contiguous() &&
        ((inputs[k]->shape() == shape && inputs[k]->strides() == out.strides()) && ...))
      return detail::for_each_contiguous_chunk(out.numel(), offsets, kGrainSize, rows);
    detail::for_each_row_in_chunks<N>(shape, {out.strides(), strides_in(*inputs[k], shape)...},
                                      offsets, kGrainSize, rows);
  };
  walk(std::index_sequence_for<in_t...>{});
}

// out = fn(input) over out's shape. out: any view of out_t; input: an in_t view whose shape
// broadcasts to out's.
template <typename out_t, typename in_t, typename Fn>
void unary_loop(const Tensor& out, const Tensor& input, Fn fn) {
  for_each_output_row<out_t, in_t>(
      out, {&input},
      [&](out_t* out_row, const in_t* in_row, int64_t n, const std::array<int64_t, 2>& stride) {
        if (stride[0] == 1 && stride[1] == 1) {
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(in_row[i]);
        } else if (stride[0] == 1 && stride[1] == 0) {
          const out_t value = fn(*in_row);
          for (int64_t i = 0; i < n; ++i) out_row[i] = value;
        } else {
          for (int64_t i = 0; i < n; ++i) out_row[i * stride[0]] = fn(in_row[i * stride[1]]);
        }
      });
}

// out = fn(a, b) over out's shape. out: any view of out_t; a, b: in_t views whose shapes
// broadcast to out's. Rows whose strides are all 1, or 1 with one operand fixed (stride 0, a
// broadcast scalar or row), get loops the compiler vectorises.
template <typename out_t, typename in_t, typename Fn>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, Fn fn) {
  for_each_output_row<out_t, in_t, in_t>(
      out, {&a, &b},
      [&](out_t* out_row, const in_t* a_row, const in_t* b_row, int64_t n,
          const std::array<int64_t, 3>& stride) {
        if (stride[0] == 1 && stride[1] == 1 && stride[2] == 1) {
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_row[i], b_row[i]);
        } else if (stride[0] == 1 && stride[1] == 1 && stride[2] == 0) {
          const in_t b_value = *b_row;
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_row[i], b_value);
        } else if (stride[0] == 1 && stride[1] == 0 && stride[2] == 1) {
          const in_t a_value = *a_row;
          for (int64_t i = 0; i < n; ++i) out_row[i] = fn(a_value, b_row[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            out_row[i * stride[0]] = fn(a_row[i * stride[1]], b_row[i * stride[2]]);
        }
      });
}

// The longest run a run function is given: its scratch fits on the stack, and its passes over a
// run stay in L1.
constexpr int64_t kRun = 512;

// Calls run(first, n) for consecutive runs [first, first + n) of [0, size), n <= kRun.
template <typename Run>
void for_each_run(int64_t size, Run run) {
  for (int64_t first = 0; first < size; first += kRun) run(first, std::min(kRun, size - first));
}

// row[first], ..., row[first + size - 1] of a row with `stride`: in place when the row is
// contiguous, else gathered into `scratch`.
template <typename T>
const T* contiguous_run(const T* row, int64_t stride, int64_t first, int64_t size, T* scratch) {
  if (stride == 1) return row + first;
  for (int64_t i = 0; i < size; ++i) scratch[i] = row[(first + i) * stride];
  return scratch;
}

// out = run(input) over out's shape, run(x, y, n) evaluating n <= kRun contiguous elements on the
// best CPU (cpu_dispatch.h); T is the dtype of both. out: a new contiguous tensor; input: a view
// whose shape broadcasts to out's, whose rows that are not contiguous are gathered first.
template <typename T, typename Run>
void run_loop(const Tensor& out, const Tensor& input, Run run) {
  for_each_output_row<T, T>(
      out, {&input},
      [&](T* out_row, const T* in_row, int64_t n, const std::array<int64_t, 2>& stride) {
        for_each_run(n, [&](int64_t first, int64_t size) {
          T gathered[kRun];
          const T* x = contiguous_run(in_row, stride[1], first, size, gathered);
          on_best_cpu([&] { run(x, out_row + first, size); });
        });
      });
}

// grad_in = run(grad_out, input), run(dy, x, dinp, n) evaluating n <= kRun contiguous elements;
// grad_in is new and contiguous, grad_out and input of its shape, gathered where not contiguous.
template <typename T, typename Run>
void backward_run_loop(const Tensor& grad_in, const Tensor& grad_out, const Tensor& input,
                       Run run) {
  for_each_output_row<T, T, T>(
      grad_in, {&grad_out, &input},
      [&](T* dinp_row, const T* dout_row, const T* in_row, int64_t n,
          const std::array<int64_t, 3>& stride) {
        for_each_run(n, [&](int64_t first, int64_t size) {
          T gathered_dy[kRun], gathered_x[kRun];
          const T* dy = contiguous_run(dout_row, stride[1], first, size, gathered_dy);
          const T* x = contiguous_run(in_row, stride[2], first, size, gathered_x);
          on_best_cpu([&] { run(dy, x, dinp_row + first, size); });
        });
      });
}

}  // namespace
}  // namespace mg::kernels
