// minigrad_bench's workloads in libtorch C++ (Debian's libtorch-dev), under the same names, so
// that bench/compare.py reads both the same way: the book's SelfAttention_v2 forward and
// backward (as BM_TinySelfAttentionV2FwdBwd in attention_bench.cpp), twin_workloads.h's
// a * b + a on [6, 3] and GELU on 2^20 elements, and attention_workloads.h's causal
// MultiHeadAttention and attention alone (by the explicit ops: 1.13 has no fused one). Built only
// when CMake finds Torch and MINIGRAD_BENCH_LIBTORCH is on (`make bench-compare` turns it on);
// nothing else needs torch. --torch_threads=N sets libtorch's intra-op threads
// (at::set_num_threads).
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

// The book's MultiHeadAttention (tests/golden/gen_nn.py), its dropout of 0 left out (the
// identity), as attention_workloads.h's CausalMHA.
struct CausalMHAImpl : torch::nn::Module {
  CausalMHAImpl(int64_t d_in, int64_t d_out, int64_t context_length, double /*dropout*/,
                int64_t num_heads)
      : d_out(d_out),
        num_heads(num_heads),
        head_dim(d_out / num_heads),
        W_query(register_module("W_query", SelfAttentionV2Impl::linear(d_in, d_out))),
        W_key(register_module("W_key", SelfAttentionV2Impl::linear(d_in, d_out))),
        W_value(register_module("W_value", SelfAttentionV2Impl::linear(d_in, d_out))),
        out_proj(register_module("out_proj", torch::nn::Linear(d_out, d_out))),
        mask(register_buffer("mask",
                             torch::triu(torch::ones({context_length, context_length}), 1))) {}

  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t b = x.size(0), num_tokens = x.size(1);
    const auto split_heads = [&](const torch::Tensor& t) {
      return t.view({b, num_tokens, num_heads, head_dim}).transpose(1, 2);
    };
    const torch::Tensor keys = split_heads(W_key(x)), queries = split_heads(W_query(x)),
                        values = split_heads(W_value(x));
    const torch::Tensor mask_bool =
        mask.slice(0, 0, num_tokens).slice(1, 0, num_tokens).to(torch::kBool);
    const torch::Tensor attn_scores =
        queries.matmul(keys.transpose(2, 3)).masked_fill(mask_bool, -INFINITY);
    const torch::Tensor attn_weights =
        torch::softmax(attn_scores / std::sqrt(static_cast<double>(head_dim)), -1);
    const torch::Tensor context_vec =
        attn_weights.matmul(values).transpose(1, 2).contiguous().view({b, num_tokens, d_out});
    return out_proj(context_vec);
  }

  int64_t d_out, num_heads, head_dim;
  torch::nn::Linear W_query, W_key, W_value, out_proj;
  torch::Tensor mask;
};
TORCH_MODULE(CausalMHA);

// softmax(q k^T / sqrt(D) with the future masked) @ v by the explicit ops, as the book's modules.
torch::Tensor causal_attention(const torch::Tensor& query, const torch::Tensor& key,
                               const torch::Tensor& value) {
  const int64_t num_tokens = query.size(-2);
  const torch::Tensor hidden = torch::triu(torch::ones({num_tokens, num_tokens}, torch::kBool), 1);
  const torch::Tensor attn_scores =
      query.matmul(key.transpose(-2, -1)) / std::sqrt(static_cast<double>(query.size(-1)));
  return torch::softmax(attn_scores.masked_fill(hidden, -INFINITY), -1).matmul(value);
}

}  // namespace

BENCHMARK(BM_TinySelfAttentionV2FwdBwd);

#include "attention_workloads.h"

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
