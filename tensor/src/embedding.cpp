// embedding and embedding_backward: a gather of rows and its scatter-add, as PyTorch's CPU
// embedding (index_select) and embedding_dense_backward compute them.
#include "minigrad/tensor/embedding.h"

#include <algorithm>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {
namespace {

// Checked before the parallel loops, so that the error names the first bad index whichever
// chunk would have met it first.
void check_indices(const int64_t* id, int64_t n, int64_t num_embeddings, const char* op) {
  for (int64_t i = 0; i < n; ++i)
    check(id[i] >= 0 && id[i] < num_embeddings, op, ": index ", id[i],
          " is out of range for num_embeddings ", num_embeddings);
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices) {
  const int64_t num_embeddings = weight.size(0), embedding_dim = weight.size(1);
  Shape out_shape = indices.shape();
  out_shape.push_back(embedding_dim);
  Tensor out = empty(out_shape, weight.dtype());
  const Tensor ids = contiguous(indices);
  const Tensor table = contiguous(weight);
  dispatch(weight.dtype(), "embedding", [&]<typename T>() {
    // table is (num_embeddings, embedding_dim), out is (n, embedding_dim), ids is (n)
    const int64_t* id = ids.data_ptr<int64_t>();
    const T* table_data = table.data_ptr<T>();
    T* out_data = out.data_ptr<T>();
    check_indices(id, ids.numel(), num_embeddings, "embedding");
    // Every output row is a copy of its own.
    parallel_for(0, ids.numel(), grain_for(embedding_dim), [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        std::copy_n(table_data + id[n] * embedding_dim, embedding_dim,
                    out_data + n * embedding_dim);
    });
  });
  return out;
}

Tensor embedding_backward(const Tensor& grad_out, const Tensor& indices, int64_t num_embeddings) {
  const int64_t embedding_dim = grad_out.size(-1);
  Tensor grad_weight = zeros({num_embeddings, embedding_dim}, grad_out.dtype());
  const Tensor ids = contiguous(indices);
  const Tensor dout = contiguous(grad_out);
  dispatch(grad_out.dtype(), "embedding_backward", [&]<typename T>() {
    // dout is (n, embedding_dim), dweight is (num_embeddings, embedding_dim)
    const int64_t* id = ids.data_ptr<int64_t>();
    const T* dout_data = dout.data_ptr<T>();
    T* dweight = grad_weight.data_ptr<T>();
    const int64_t n_ids = ids.numel();
    check_indices(id, n_ids, num_embeddings, "embedding_backward");
    // An id used twice adds into the same row, so the chunks split the columns, not the ids:
    // each element still adds its gradients in the order of the ids.
    parallel_for(0, embedding_dim, grain_for(n_ids), [&](int64_t begin, int64_t end) {
      for (int64_t n = 0; n < n_ids; ++n) {
        // out_row = weight[id[n]], so every use of the id adds its row of gradient.
        const T* dout_row = dout_data + n * embedding_dim;
        T* dweight_row = dweight + id[n] * embedding_dim;
        for (int64_t i = begin; i < end; ++i) dweight_row[i] += dout_row[i];
      }
    });
  });
  return grad_weight;
}

}  // namespace mg::kernels
