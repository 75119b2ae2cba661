// The attention modules forward and backward: the tiny SelfAttentionV2 of the notebooks, where
// per-op overhead dominates, and causal MultiHeadAttention the width of GPT-2 small (768, 12
// heads), where the matmuls do. Rates use wall time, since OpenBLAS runs its own threads.
// bench/torch_workloads.py is the same work in PyTorch, libtorch_bench.cpp the tiny one in
// libtorch C++; bench/compare.py (`make bench-compare`) runs them all.
#include <benchmark/benchmark.h>

#include <minigrad/minigrad.h>

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

// MultiHeadAttention(768, 768, T, 0.0, 12) on [B, T, 768]. items are tokens.
void BM_CausalMHAFwdBwd(benchmark::State& state) {
  const int64_t batch = state.range(0), num_tokens = state.range(1);
  mg::manual_seed(0);
  const mg::nn::MultiHeadAttention mha(768, 768, num_tokens, 0.0, 12);
  const mg::Tensor x = mg::randn({batch, num_tokens, 768}).requires_grad_();
  mha(x).sum().backward();  // warm-up: the first call also fills the block cache
  for (auto _ : state) {
    mha(x).sum().backward();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * batch * num_tokens);
}

void BM_CausalMHAFwd(benchmark::State& state) {
  const int64_t batch = state.range(0), num_tokens = state.range(1);
  mg::manual_seed(0);
  const mg::nn::MultiHeadAttention mha(768, 768, num_tokens, 0.0, 12);
  const mg::Tensor x = mg::randn({batch, num_tokens, 768});
  mg::NoGradGuard no_grad;
  mha(x);  // warm-up
  for (auto _ : state) benchmark::DoNotOptimize(mha(x));
  state.SetItemsProcessed(state.iterations() * batch * num_tokens);
}

}  // namespace

BENCHMARK(BM_TinySelfAttentionV2FwdBwd);
BENCHMARK(BM_CausalMHAFwdBwd)
    ->Args({8, 128})
    ->Args({1, 1024})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CausalMHAFwd)
    ->Args({8, 128})
    ->Args({1, 1024})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
