// embedding and embedding_backward: a gather of rows and its scatter-add, as PyTorch's CPU
// embedding (index_select) and embedding_dense_backward compute them.
#include "minigrad/tensor/embedding.h"

#include <algorithm>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {

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
    T* out_row = out.data_ptr<T>();
    for (int64_t n = 0; n < ids.numel(); ++n, out_row += embedding_dim) {
      check(id[n] >= 0 && id[n] < num_embeddings, "embedding: index ", id[n],
            " is out of range for num_embeddings ", num_embeddings);
      std::copy_n(table_data + id[n] * embedding_dim, embedding_dim, out_row);
    }
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
    const T* dout_row = dout.data_ptr<T>();
    T* dweight = grad_weight.data_ptr<T>();
    for (int64_t n = 0; n < ids.numel(); ++n, dout_row += embedding_dim) {
      check(id[n] >= 0 && id[n] < num_embeddings, "embedding_backward: index ", id[n],
            " is out of range for num_embeddings ", num_embeddings);
      // out_row = weight[id[n]], so every use of the id adds its row of gradient.
      T* dweight_row = dweight + id[n] * embedding_dim;
      for (int64_t i = 0; i < embedding_dim; ++i) dweight_row[i] += dout_row[i];
    }
  });
  return grad_weight;
}

}  // namespace mg::kernels
