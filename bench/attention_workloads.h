#pragma once

// The causal attention workloads that minigrad_bench and libtorch_bench both run, written once
// against `lib`, as in twin_workloads.h, with two names the including file declares first:
// `CausalMHA`, the book's MultiHeadAttention (d_in, d_out, context_length, dropout, num_heads),
// and `causal_attention(query, key, value)`, softmax(q k^T / sqrt(D) masked causally) @ v.
// minigrad's are nn::MultiHeadAttention and the fused scaled_dot_product_attention; libtorch's
// (1.13 has no scaled_dot_product_attention) the book's module and its explicit ops.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <string>

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

// The process's peak resident memory so far, in MB: VmHWM of /proc/self/status, which is
// getrusage's max RSS for this program alone (ru_maxrss also keeps the peak of the process that
// forked it, a Python parent with torch loaded, say). Meaningful for one workload run alone in
// its process, as bench/compare.py runs the memory rows.
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024;  // "...  1234 kB"
  return 0;
}

void set_flop_rate(benchmark::State& state, double flop_per_iteration) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flop_per_iteration * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
  state.counters["peak_rss_MB"] = peak_rss_mb();
}

// MultiHeadAttention(768, 768, T, 0.0, 12) on [B, T, 768], the input requiring grad. items are
// tokens.
void BM_CausalMHAFwdBwd(benchmark::State& state) {
  const int64_t batch = state.range(0), num_tokens = state.range(1);
  lib::manual_seed(0);
  CausalMHA mha(768, 768, num_tokens, 0.0, 12);
  const lib::Tensor x = lib::randn({batch, num_tokens, 768}).requires_grad_();
  mha(x).sum().backward();  // warm-up: the first call also fills minigrad's block cache
  for (auto _ : state) {
    mha(x).sum().backward();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * batch * num_tokens);
  set_flop_rate(state, causal_mha_flop(batch, num_tokens, 768, 12, true));
}

void BM_CausalMHAFwd(benchmark::State& state) {
  const int64_t batch = state.range(0), num_tokens = state.range(1);
  lib::manual_seed(0);
  CausalMHA mha(768, 768, num_tokens, 0.0, 12);
  const lib::Tensor x = lib::randn({batch, num_tokens, 768});
  lib::NoGradGuard no_grad;
  mha(x);  // warm-up
  for (auto _ : state) benchmark::DoNotOptimize(mha(x));
  state.SetItemsProcessed(state.iterations() * batch * num_tokens);
  set_flop_rate(state, causal_mha_flop(batch, num_tokens, 768, 12, false));
}

// Causal attention alone, forward, sum and backward, on [B, H, T, D] inputs that require grad.
// At T = 4096 the explicit ops' [B, H, T, T] weights take 805 MB per tensor for H = 12; the
// fused op keeps O(T) per head.
void BM_SDPA(benchmark::State& state) {
  const int64_t batch = state.range(0), heads = state.range(1), num_tokens = state.range(2),
                head_dim = state.range(3);
  lib::manual_seed(0);
  const lib::Tensor query = lib::randn({batch, heads, num_tokens, head_dim}).requires_grad_();
  const lib::Tensor key = lib::randn({batch, heads, num_tokens, head_dim}).requires_grad_();
  const lib::Tensor value = lib::randn({batch, heads, num_tokens, head_dim}).requires_grad_();
  causal_attention(query, key, value).sum().backward();  // warm-up
  for (auto _ : state) {
    causal_attention(query, key, value).sum().backward();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * batch * num_tokens);
  set_flop_rate(state, causal_attention_flop(batch * heads, num_tokens, head_dim, true));
}

}  // namespace

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
    ->Args({1, 12, 2048, 64})
    ->Args({1, 12, 4096, 64})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
