#pragma once

// Workloads that minigrad_bench and libtorch_bench both run, written once against `lib`, a
// namespace alias the including file declares first: `namespace lib = mg;` in ops_bench.cpp,
// `namespace lib = torch;` in libtorch_bench.cpp. The two libraries spell these calls alike, so
// the work and the names (BM_OpOverhead/NoGrad, BM_GELU/1048576, ...) are the same by
// construction; bench/torch_workloads.py is the same work in PyTorch's Python. Gradients
// accumulate into the leaves from one iteration to the next, as in a loop without zero_grad.
#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

enum class Recording { NoGrad, Forward, ForwardBackward };

// a * b + a on [6, 3] float32, where the time is per-op overhead: NoGrad with inputs that do not
// require grad, Forward with inputs that do (so the graph is recorded), ForwardBackward then
// backward with a ones gradient.
void BM_OpOverhead(benchmark::State& state, Recording recording) {
  lib::manual_seed(0);
  lib::Tensor a = lib::rand({6, 3}), b = lib::rand({6, 3});
  if (recording != Recording::NoGrad) {
    a.requires_grad_();
    b.requires_grad_();
  }
  const lib::Tensor grad_out = lib::ones({6, 3});
  for (auto _ : state) {
    const lib::Tensor out = a * b + a;
    if (recording == Recording::ForwardBackward) out.backward(grad_out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// gelu(x, approximate) forward and backward on range(0) float32 elements (standard normal), with
// a standard normal grad_out. bytes: x and out in the forward; grad_out, x and grad_in in the
// backward; then grad_in added into x.grad (two reads, one write).
void gelu_forward_backward(benchmark::State& state, const char* approximate) {
  const int64_t numel = state.range(0);
  lib::manual_seed(0);
  const lib::Tensor x = lib::randn({numel}).requires_grad_();
  const lib::Tensor grad_out = lib::randn({numel});
  lib::gelu(x, approximate).backward(grad_out);  // warm-up: makes x.grad
  for (auto _ : state) {
    lib::gelu(x, approximate).backward(grad_out);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * numel);
  state.SetBytesProcessed(state.iterations() * numel * 8 * static_cast<int64_t>(sizeof(float)));
}

// The tanh approximation, which GPTModel's FeedForward uses.
void BM_GELU(benchmark::State& state) {
  gelu_forward_backward(state, "tanh");
}

// The exact form, x * Phi(x), with erf.
void BM_GELUExact(benchmark::State& state) {
  gelu_forward_backward(state, "none");
}

}  // namespace

BENCHMARK_CAPTURE(BM_OpOverhead, NoGrad, Recording::NoGrad);
BENCHMARK_CAPTURE(BM_OpOverhead, Forward, Recording::Forward);
BENCHMARK_CAPTURE(BM_OpOverhead, ForwardBackward, Recording::ForwardBackward);
BENCHMARK(BM_GELU)->Arg(1 << 20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GELUExact)->Arg(1 << 20)->UseRealTime()->Unit(benchmark::kMillisecond);
