#include "minigrad/tensor/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "blas.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/views.h"
#include "reduce_lanes.h"
#include "strided_loop.h"
#include "vec_math.h"

namespace mg::kernels {
namespace {

// Queries and keys per block, as PyTorch's kernel takes them for long sequences (it cuts 256 x
// 512 from 768 tokens on). OpenBLAS packs each block of keys and values again for every block of
// queries, so larger query blocks pack less: 128 x 512 ran the T = 1024 MultiHeadAttention
// forward and backward in 0.9x the time of 64 x 256, and 256 x 512 no faster (medians of three,
// alternating, on this 2-core machine). A block of float scores is then 256 KiB, in L2.
constexpr int64_t kQueryBlock = 128;
constexpr int64_t kKeyBlock = 512;

// One operand's matrices (its last two dims) over the batch: where each batch entry's matrix
// starts, and its row and column strides.
template <typename T>
struct Matrices {
  const T* data = nullptr;
  std::vector<int64_t> offsets;
  int64_t row_stride = 0, col_stride = 0;

  const T* at(int64_t b, int64_t row) const { return data + offsets[b] + row * row_stride; }
};

template <typename T>
Matrices<T> matrices(const Tensor& tensor, const Shape& batch) {
  const Shape strides = batch_strides(tensor, batch);
  Matrices<T> m{first_element<T>(tensor), std::vector<int64_t>(numel(batch)), tensor.stride(-2),
                tensor.stride(-1)};
  for (int64_t b = 0; b < numel(batch); ++b) m.offsets[b] = detail::offset_of(b, batch, strides);
  // BLAS wants a leading dim of at least a row's length even where it never steps along it.
  if (tensor.size(-2) == 1) m.row_stride = tensor.size(-1);
  return m;
}

// The input itself when its rows are contiguous and apart, as BLAS reads them; else a copy.
Tensor with_blas_rows(const Tensor& matrix) {
  const bool rows_contiguous = matrix.stride(-1) == 1 || matrix.size(-1) == 1;
  const bool rows_apart = matrix.size(-2) == 1 || matrix.stride(-2) >= matrix.size(-1);
  return rows_contiguous && rows_apart ? matrix : contiguous(matrix);
}

template <typename T>
struct Problem {
  int64_t batch_count, Tq, Tk, E, Ev;
  Matrices<T> query, key, value, bias;
  bool has_bias, is_causal;
  T scale;
  const DropoutKeepBits* dropout;
  T keep_scale;  // 1 / (1 - p), or 0 when p = 1

  Problem(const AttentionArgs& args, const Tensor& query_rows, const Tensor& key_rows,
          const Tensor& value_rows)
      : Tq(query_rows.size(-2)),
        Tk(key_rows.size(-2)),
        E(query_rows.size(-1)),
        Ev(value_rows.size(-1)),
        has_bias(args.attn_bias.defined()),
        is_causal(args.is_causal),
        scale(static_cast<T>(args.scale)),
        dropout(args.dropout.get()),
        keep_scale(keep_scale_of(dropout)) {
    const Shape batch(query_rows.shape().begin(), query_rows.shape().end() - 2);
    batch_count = numel(batch);
    query = matrices<T>(query_rows, batch);
    key = matrices<T>(key_rows, batch);
    value = matrices<T>(value_rows, batch);
    if (has_bias)
      bias = matrices<T>(expand(args.attn_bias, batch_and_matrix(query_rows, Tq, Tk)), batch);
  }

  // dropout's factor for a kept weight, as dropout_noise rounds it; 0 when p = 1 keeps none.
  static T keep_scale_of(const DropoutKeepBits* dropout) {
    if (dropout == nullptr) return T(1);
    return dropout->p == 1 ? T(0) : T(1) / static_cast<T>(1 - dropout->p);
  }

  // The keys the queries of a block up to `last_query` see: all, or with is_causal 0..last_query.
  int64_t keys_seen(int64_t last_query) const {
    return is_causal ? std::min(Tk, last_query + 1) : Tk;
  }

  // s[r, c] = scale * query[m0 + r] . key[n0 + c] + bias, and -inf where the causal mask hides
  // the key: a [rows, cols] block, row-major.
  void scores(int64_t b, int64_t m0, int64_t rows, int64_t n0, int64_t cols, T* s) const {
    gemm_overwrite(BlasMatrix{CblasNoTrans, query.row_stride},
                   BlasMatrix{CblasTrans, key.row_stride}, rows, cols, E, scale, query.at(b, m0),
                   key.at(b, n0), s, cols);
    for (int64_t r = 0; r < rows; ++r) {
      T* row = s + r * cols;
      if (has_bias) {
        const T* bias_row = bias.at(b, m0 + r) + n0 * bias.col_stride;
        for (int64_t c = 0; c < cols; ++c) row[c] += bias_row[c * bias.col_stride];
      }
      if (is_causal)
        std::fill(row + std::clamp<int64_t>(m0 + r - n0 + 1, 0, cols), row + cols,
                  -std::numeric_limits<T>::infinity());
    }
  }

  // p[r, c] times dropout's factor for weight (b, m0 + r, n0 + c): 0 or 1 / (1 - p).
  void drop(int64_t b, int64_t m0, int64_t rows, int64_t n0, int64_t cols, const T* p,
            T* dropped) const {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t first_bit = ((b * Tq) + m0 + r) * Tk + n0;
      for (int64_t c = 0; c < cols; ++c)
        dropped[r * cols + c] = dropout->kept(first_bit + c) ? p[r * cols + c] * keep_scale : T(0);
    }
  }
};

// Scratch that every use writes before it reads, sized to the blocks in use: a value-initialised
// vector would clear all of it for every task (it cleared 512 KiB per head of the backward when
// sized to whole blocks, where the tiny GPT's 64-token heads use 32 KiB).
template <typename T>
std::unique_ptr<T[]> uninitialized(int64_t size) {
  return std::unique_ptr<T[]>(new T[size]);
}

// One block of queries, [m0, m0 + rows), against every key it sees: out and logsumexp rows.
template <typename T>
void forward_block(const Problem<T>& problem, int64_t b, int64_t m0, T* out, T* logsumexp) {
  const int64_t rows = std::min(kQueryBlock, problem.Tq - m0), Ev = problem.Ev;
  const int64_t keys = problem.keys_seen(m0 + rows - 1);
  constexpr T kMinusInf = -std::numeric_limits<T>::infinity();
  const int64_t block_cols = std::min(kKeyBlock, keys);
  const auto scratch = uninitialized<T>(rows * block_cols + rows * Ev + 2 * rows);
  T* s = scratch.get();
  T* acc = s + rows * block_cols;  // sum of weights times values, not yet divided by the sum
  T* row_max = acc + rows * Ev;
  T* row_sum = row_max + rows;
  std::fill(acc, acc + rows * Ev, T(0));
  std::fill(row_max, row_max + rows, kMinusInf);
  std::fill(row_sum, row_sum + rows, T(0));

  for (int64_t n0 = 0; n0 < keys; n0 += kKeyBlock) {
    const int64_t cols = std::min(kKeyBlock, keys - n0);
    problem.scores(b, m0, rows, n0, cols, s);
    for (int64_t r = 0; r < rows; ++r) {
      T* row = s + r * cols;
      const T new_max = maximum(row_max[r], reduce_all<T>(
                                                cols, [row](int64_t c) { return row[c]; },
                                                [](T a, T b) { return maximum(a, b); }));
      if (new_max == kMinusInf) {  // no key seen yet: exp(-inf - -inf) would be NaN
        std::fill(row, row + cols, T(0));
        continue;
      }
      for (int64_t c = 0; c < cols; ++c) row[c] -= new_max;
      vec::exp(row, row, cols);
      const T block_sum = reduce_all<T>(
          cols, [row](int64_t c) { return row[c]; }, [](T a, T b) { return a + b; });
      // What the earlier blocks' terms become under the new max: 0 before the first key seen.
      const T correction = std::exp(row_max[r] - new_max);
      row_sum[r] = row_sum[r] * correction + block_sum;
      row_max[r] = new_max;
      for (int64_t e = 0; e < Ev; ++e) acc[r * Ev + e] *= correction;
    }
    if (problem.dropout) problem.drop(b, m0, rows, n0, cols, s, s);
    gemm_call(BlasMatrix{CblasNoTrans, cols}, BlasMatrix{CblasNoTrans, problem.value.row_stride},
              rows, Ev, cols, T(1), s, problem.value.at(b, n0), T(1), acc, Ev);
  }

  for (int64_t r = 0; r < rows; ++r) {
    const bool sees_a_key = row_sum[r] > 0;  // the max's own term is exp(0) = 1
    const T inverse_sum = sees_a_key ? T(1) / row_sum[r] : T(0);
    for (int64_t e = 0; e < Ev; ++e) out[(m0 + r) * Ev + e] = acc[r * Ev + e] * inverse_sum;
    logsumexp[m0 + r] = sees_a_key ? row_max[r] + std::log(row_sum[r]) : T(0);
  }
}

// Every gradient of batch entry b: query blocks in turn, each against the keys it sees.
template <typename T>
void backward_entry(const Problem<T>& problem, int64_t b, const T* out, const T* logsumexp,
                    const T* grad_out, T* grad_query, T* grad_key, T* grad_value) {
  const int64_t E = problem.E, Ev = problem.Ev;
  const bool dropout = problem.dropout != nullptr;
  const int64_t block_rows = std::min(kQueryBlock, problem.Tq);
  const int64_t block = block_rows * std::min(kKeyBlock, problem.Tk);
  const auto scratch = uninitialized<T>(block * (dropout ? 3 : 2) + block_rows);
  T* weights = scratch.get();  // the softmax, recomputed from the logsumexp
  T* grad_scores = weights + block;
  T* row_dot = grad_scores + block;  // sum_e grad_out * out per query
  T* dropped = dropout ? row_dot + block_rows : weights;

  for (int64_t m0 = 0; m0 < problem.Tq; m0 += kQueryBlock) {
    const int64_t rows = std::min(kQueryBlock, problem.Tq - m0);
    const int64_t keys = problem.keys_seen(m0 + rows - 1);
    const T* grad_out_rows = grad_out + m0 * Ev;
    for (int64_t r = 0; r < rows; ++r) {
      const T* grad_out_row = grad_out_rows + r * Ev;
      const T* out_row = out + (m0 + r) * Ev;
      row_dot[r] = reduce_all<T>(
          Ev, [&](int64_t e) { return grad_out_row[e] * out_row[e]; },
          [](T a, T b) { return a + b; });
    }
    for (int64_t n0 = 0; n0 < keys; n0 += kKeyBlock) {
      const int64_t cols = std::min(kKeyBlock, keys - n0);
      problem.scores(b, m0, rows, n0, cols, weights);
      for (int64_t r = 0; r < rows; ++r) {
        T* row = weights + r * cols;
        for (int64_t c = 0; c < cols; ++c) row[c] -= logsumexp[m0 + r];
        vec::exp(row, row, cols);
      }
      if (dropout) problem.drop(b, m0, rows, n0, cols, weights, dropped);
      // grad_value += dropped^T @ grad_out
      gemm_call(BlasMatrix{CblasTrans, cols}, BlasMatrix{CblasNoTrans, Ev}, cols, Ev, rows, T(1),
                dropped, grad_out_rows, T(1), grad_value + n0 * Ev, Ev);
      // grad_weights = grad_out @ value^T, through dropout's factor
      gemm_overwrite(BlasMatrix{CblasNoTrans, Ev}, BlasMatrix{CblasTrans, problem.value.row_stride},
                     rows, cols, Ev, T(1), grad_out_rows, problem.value.at(b, n0), grad_scores,
                     cols);
      if (dropout) problem.drop(b, m0, rows, n0, cols, grad_scores, grad_scores);
      // softmax's backward: grad_scores = weights * (grad_weights - sum(grad_weights * weights))
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          grad_scores[r * cols + c] =
              weights[r * cols + c] * (grad_scores[r * cols + c] - row_dot[r]);
      // grad_query += scale * grad_scores @ key; grad_key += scale * grad_scores^T @ query
      gemm_call(BlasMatrix{CblasNoTrans, cols}, BlasMatrix{CblasNoTrans, problem.key.row_stride},
                rows, E, cols, problem.scale, grad_scores, problem.key.at(b, n0), T(1),
                grad_query + m0 * E, E);
      gemm_call(BlasMatrix{CblasTrans, cols}, BlasMatrix{CblasNoTrans, problem.query.row_stride},
                cols, E, rows, problem.scale, grad_scores, problem.query.at(b, m0), T(1),
                grad_key + n0 * E, E);
    }
  }
}

}  // namespace

Shape batch_and_matrix(const Tensor& query, int64_t rows, int64_t cols) {
  Shape shape(query.shape().begin(), query.shape().end() - 2);
  shape.push_back(rows);
  shape.push_back(cols);
  return shape;
}

AttentionForward flash_attention(const AttentionArgs& args) {
  const Tensor query = with_blas_rows(args.query), key = with_blas_rows(args.key),
               value = with_blas_rows(args.value);
  // forward_block writes every row; with no key there is none to run, and out is zeros.
  const auto allocate = [&](const Shape& shape) {
    return key.size(-2) == 0 ? zeros(shape, query.dtype()) : empty(shape, query.dtype());
  };
  const Shape out_shape = batch_and_matrix(query, query.size(-2), value.size(-1));
  AttentionForward result{allocate(out_shape),
                          allocate(Shape(out_shape.begin(), out_shape.end() - 1))};
  dispatch(query.dtype(), "scaled_dot_product_attention", [&]<typename scalar_t>() {
    const Problem<scalar_t> problem(args, query, key, value);
    const int64_t q_blocks = (problem.Tq + kQueryBlock - 1) / kQueryBlock;
    if (problem.Tk == 0 || problem.batch_count * q_blocks == 0) return;
    scalar_t* out = result.out.data_ptr<scalar_t>();
    scalar_t* logsumexp = result.logsumexp.data_ptr<scalar_t>();
    parallel_for(0, problem.batch_count * q_blocks, 1, [&](int64_t first, int64_t last) {
      for (int64_t task = first; task < last; ++task) {
        const int64_t b = task / q_blocks, m0 = task % q_blocks * kQueryBlock;
        forward_block(problem, b, m0, out + b * problem.Tq * problem.Ev,
                      logsumexp + b * problem.Tq);
      }
    });
  });
  return result;
}

AttentionGrads flash_attention_backward(const AttentionArgs& args, const AttentionForward& forward,
                                        const Tensor& grad_out) {
  const Tensor query = with_blas_rows(args.query), key = with_blas_rows(args.key),
               value = with_blas_rows(args.value);
  const Tensor grad_out_rows = contiguous(grad_out);
  AttentionGrads grads{zeros(query.shape(), query.dtype()), zeros(key.shape(), key.dtype()),
                       zeros(value.shape(), value.dtype())};
  dispatch(query.dtype(), "scaled_dot_product_attention_backward", [&]<typename scalar_t>() {
    const Problem<scalar_t> problem(args, query, key, value);
    if (problem.Tk == 0 || problem.Tq == 0) return;
    const scalar_t* out = forward.out.data_ptr<scalar_t>();
    const scalar_t* logsumexp = forward.logsumexp.data_ptr<scalar_t>();
    const scalar_t* grad_out_data = grad_out_rows.data_ptr<scalar_t>();
    scalar_t* grad_query = grads.query.data_ptr<scalar_t>();
    scalar_t* grad_key = grads.key.data_ptr<scalar_t>();
    scalar_t* grad_value = grads.value.data_ptr<scalar_t>();
    const int64_t Tq = problem.Tq, Tk = problem.Tk;
    parallel_for(0, problem.batch_count, 1, [&](int64_t first, int64_t last) {
      for (int64_t b = first; b < last; ++b)
        backward_entry(problem, b, out + b * Tq * problem.Ev, logsumexp + b * Tq,
                       grad_out_data + b * Tq * problem.Ev, grad_query + b * Tq * problem.E,
                       grad_key + b * Tk * problem.E, grad_value + b * Tk * problem.Ev);
    });
  });
  return grads;
}

}  // namespace mg::kernels
