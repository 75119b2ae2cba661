// minigrad_bench's overhead-bound workloads in libtorch C++ (Debian's libtorch-dev), under the
// same names, so that bench/compare.py reads both the same way: the book's SelfAttention_v2
// forward and backward (as BM_TinySelfAttentionV2FwdBwd in attention_bench.cpp), and
// twin_workloads.h's a * b + a on [6, 3] and GELU on 2^20 elements. Built only when CMake finds
// Torch and MINIGRAD_BENCH_LIBTORCH is on (`make bench-compare` turns it on); nothing else needs
// torch. --torch_threads=N sets libtorch's intra-op threads (at::set_num_threads).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace lib = torch;

#include "twin_workloads.h"

namespace {

// The book's SelfAttention_v2 (tests/golden/gen_nn.py), without qkv bias.
struct SelfAttentionV2Impl : torch::nn::Module {
  SelfAttentionV2Impl(int64_t d_in, int64_t d_out)
      : W_query(register_module("W_query", linear(d_in, d_out))),
        W_key(register_module("W_key", linear(d_in, d_out))),
        W_value(register_module("W_value", linear(d_in, d_out))) {}

  static torch::nn::Linear linear(int64_t d_in, int64_t d_out) {
    return torch::nn::Linear(torch::nn::LinearOptions(d_in, d_out).bias(false));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor keys = W_key(x), queries = W_query(x), values = W_value(x);
    const torch::Tensor attn_scores = queries.matmul(keys.t());
    const torch::Tensor attn_weights =
        torch::softmax(attn_scores / std::sqrt(static_cast<double>(keys.size(-1))), -1);
    return attn_weights.matmul(values);
  }

  torch::nn::Linear W_query, W_key, W_value;
};
TORCH_MODULE(SelfAttentionV2);

void BM_TinySelfAttentionV2FwdBwd(benchmark::State& state) {
  torch::manual_seed(314159);
  SelfAttentionV2 sa_v2(3, 2);
  const torch::Tensor inputs = torch::rand({6, 3});
  for (auto _ : state) {
    sa_v2(inputs).sum().backward();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_TinySelfAttentionV2FwdBwd);

// Google Benchmark's main, after taking out --torch_threads=N (default: libtorch's own choice).
int main(int argc, char** argv) {
  constexpr std::string_view kThreadsFlag = "--torch_threads=";
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(kThreadsFlag))
      at::set_num_threads(std::stoi(std::string(arg.substr(kThreadsFlag.size()))));
    else
      args.push_back(argv[i]);
  }
  int remaining = static_cast<int>(args.size());
  benchmark::Initialize(&remaining, args.data());
  if (benchmark::ReportUnrecognizedArguments(remaining, args.data())) return 1;
  benchmark::AddCustomContext("torch_version", TORCH_VERSION);
  benchmark::AddCustomContext("torch_threads", std::to_string(at::get_num_threads()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
