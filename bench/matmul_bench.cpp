// kernels::matmul against cblas_sgemm called directly on the same [N, N] float32 buffers: the
// overhead of checks, layout detection and the output allocation. 2 * N^3 flops per product;
// rates use wall time, since OpenBLAS runs its own threads.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/matmul.h"
#include "minigrad/tensor/random.h"

namespace {

void set_flops(benchmark::State& state, int64_t n) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(n * n * n) / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  mg::manual_seed(0);
  const mg::Tensor a = mg::rand({n, n}), b = mg::rand({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(mg::kernels::matmul(a, b));
  set_flops(state, n);
}

void BM_RawSgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  mg::manual_seed(0);
  const mg::Tensor a = mg::rand({n, n}), b = mg::rand({n, n});
  mg::Tensor out = mg::empty({n, n});
  const int size = static_cast<int>(n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f,
                a.data_ptr<float>(), size, b.data_ptr<float>(), size, 0.0f, out.data_ptr<float>(),
                size);
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

BENCHMARK(BM_Matmul)->Arg(64)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawSgemm)->Arg(64)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
