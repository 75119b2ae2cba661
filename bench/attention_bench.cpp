// The attention modules forward and backward: the tiny SelfAttentionV2 of the notebooks, where
// per-op overhead dominates, and (attention_workloads.h, which libtorch_bench runs too) causal
// MultiHeadAttention the width of GPT-2 small (768, 12 heads) and the fused
// scaled_dot_product_attention alone, where the matmuls do. Rates use wall time.
// bench/torch_workloads.py is the same work in PyTorch's Python; bench/compare.py
// (`make bench-compare`) runs them all.
#include <minigrad/minigrad.h>

namespace lib = mg;

namespace {

using CausalMHA = mg::nn::MultiHeadAttention;

mg::Tensor causal_attention(const mg::Tensor& query, const mg::Tensor& key,
                            const mg::Tensor& value) {
  return mg::scaled_dot_product_attention(query, key, value, {}, 0.0, true);
}

}  // namespace

#include "attention_workloads.h"

namespace {

void BM_TinySelfAttentionV2FwdBwd(benchmark::State& state) {
  mg::manual_seed(314159);
  const mg::nn::SelfAttentionV2 sa_v2(3, 2);
  const mg::Tensor inputs = mg::rand({6, 3});
  for (auto _ : state) {
    sa_v2(inputs).sum().backward();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_TinySelfAttentionV2FwdBwd);
