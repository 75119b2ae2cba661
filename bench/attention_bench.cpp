// The attention modules forward and backward: the tiny SelfAttentionV2 of the notebooks, where
// per-op overhead dominates, and causal MultiHeadAttention the width of GPT-2 small (768, 12
// heads), where the matmuls do. Rates use wall time, since OpenBLAS runs its own threads.
// bench/torch_workloads.py is the same work in PyTorch, libtorch_bench.cpp the tiny one in
// libtorch C++; bench/compare.py (`make bench-compare`) runs them all.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>

#include <minigrad/minigrad.h>

namespace {

// The multiply-adds of causal attention over T tokens of head_dim D, twice (one FLOP each for the
// multiply and the add) for each product that touches only the T (T + 1) / 2 pairs a query sees:
// two in the forward (scores, weights @ values), four in the backward (the gradients of the
// values, the weights, the queries and the keys). A fused backward also recomputes the scores,
// which is not counted: this is the floor of the work, not what a kernel does.
double causal_attention_flop(int64_t batch_heads, int64_t T, int64_t D, bool backward) {
  const double pairs = static_cast<double>(T) * static_cast<double>(T + 1) / 2;
  return static_cast<double>(batch_heads) * (backward ? 6 : 2) * 2 * pairs * static_cast<double>(D);
}

// MultiHeadAttention(d, d, T, 0.0, heads) on [B, T, d]: the four projections (q, k, v, out_proj;
// their backward twice as much) and the attention products.
double causal_mha_flop(int64_t batch, int64_t T, int64_t d, int64_t heads, bool backward) {
  const double projections = 4.0 * 2 * static_cast<double>(batch * T) * static_cast<double>(d * d);
  return projections * (backward ? 3 : 1) +
         causal_attention_flop(batch * heads, T, d / heads, backward);
}

// The process's peak resident memory so far, in MB (getrusage's ru_maxrss is in KiB on Linux):
// meaningful for one workload run alone in its process, as bench/compare.py runs the memory rows.
double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;
}

void set_flop_rate(benchmark::State& state, double flop_per_iteration) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flop_per_iteration * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
  state.counters["peak_rss_MB"] = peak_rss_mb();
}

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
  set_flop_rate(state, causal_mha_flop(batch, num_tokens, 768, 12, true));
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
  set_flop_rate(state, causal_mha_flop(batch, num_tokens, 768, 12, false));
}

// scaled_dot_product_attention alone, causal, forward and backward, on [B, H, T, D] inputs that
// require grad. At T = 4096 the unfused path's [B, H, T, T] weights alone would take 805 MB per
// tensor for H = 12; the fused op keeps O(T) per head.
void BM_SDPA(benchmark::State& state) {
  const int64_t batch = state.range(0), heads = state.range(1), num_tokens = state.range(2),
                head_dim = state.range(3);
  mg::manual_seed(0);
  const mg::Shape shape{batch, heads, num_tokens, head_dim};
  const mg::Tensor query = mg::randn(shape).requires_grad_();
  const mg::Tensor key = mg::randn(shape).requires_grad_();
  const mg::Tensor value = mg::randn(shape).requires_grad_();
  const auto step = [&] {
    mg::scaled_dot_product_attention(query, key, value, {}, 0.0, true).sum().backward();
  };
  step();  // warm-up
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * batch * num_tokens);
  set_flop_rate(state, causal_attention_flop(batch * heads, num_tokens, head_dim, true));
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
BENCHMARK(BM_SDPA)
    ->Args({1, 12, 1024, 64})
    ->Args({8, 12, 128, 64})
    ->Args({1, 12, 4096, 64})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
