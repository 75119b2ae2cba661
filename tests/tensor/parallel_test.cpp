// parallel_for and the thread count. Every kernel that runs in parallel, the matrix products too,
// gives the same bits at every thread count: each case below runs at 1, 2 and 3 threads on the
// same inputs (drawn from the same seed) and its results, forward and backward, are compared byte
// for byte. A new parallel kernel is one more row of kCases.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>
#include <minigrad/tensor/elementwise.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "expect_error.h"

namespace mg {
namespace {

// Sets the thread count for a scope and puts back the one before.
class ThreadCount {
 public:
  explicit ThreadCount(int threads) : previous_(get_num_threads()) { set_num_threads(threads); }
  ~ThreadCount() { set_num_threads(previous_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int previous_;
};

// Sizes above the grain, and odd ones, so that the last chunk is a short one.
constexpr int64_t kRows = 300, kCols = 1111;

// A leaf that requires grad, drawn from the current seed.
Tensor leaf(const Shape& shape) {
  return randn(shape).requires_grad_();
}

// Runs backward from `out` with a gradient drawn from the current seed and returns `out`
// followed by the gradients of `inputs`.
std::vector<Tensor> with_grads(const Tensor& out, const std::vector<Tensor>& inputs) {
  out.backward(randn(out.shape()));
  std::vector<Tensor> results{out};
  for (const Tensor& input : inputs) results.push_back(input.grad());
  return results;
}

// The parameter after three steps of `optimizer` on fixed gradients.
template <typename Optimizer, typename Options>
std::vector<Tensor> three_steps(const Options& options) {
  const Tensor param = leaf({kRows, kCols});
  const Tensor grad_out = randn({kRows, kCols});
  Optimizer optimizer({param}, options);
  for (int step = 0; step < 3; ++step) {
    optimizer.zero_grad();
    (param * grad_out * static_cast<double>(step + 1)).sum().backward();
    optimizer.step();
  }
  return {param};
}

// The norm and the clipped gradients of two parameters.
std::vector<Tensor> clipped(double norm_type) {
  const Tensor a = leaf({kRows, kCols}), b = leaf({7, 5});
  (a * randn(a.shape())).sum().backward();
  (b * randn(b.shape())).sum().backward();
  const double norm = nn::utils::clip_grad_norm_({a, b}, 1.0, norm_type);
  return {full({}, norm, kFloat64), a.grad(), b.grad()};
}

struct Case {
  const char* name;
  std::function<std::vector<Tensor>()> run;
};

// One op on a [kRows, kCols] leaf: its output and the leaf's gradient.
template <typename Op>
std::function<std::vector<Tensor>()> on_leaf(Op op) {
  return [op] {
    const Tensor x = leaf({kRows, kCols});
    return with_grads(op(x), {x});
  };
}

const Case kCases[] = {
    {"sum_all", on_leaf([](const Tensor& x) { return sum(x); })},
    {"sum_dim0", on_leaf([](const Tensor& x) { return sum(x, {0}); })},
    {"sum_dim1", on_leaf([](const Tensor& x) { return sum(x, {1}); })},
    {"sum_middle_dim",
     [] {
       return std::vector{sum(randn({30, 101, 257}), {1})};
     }},
    {"sum_outer_dims",
     [] {
       return std::vector{sum(randn({30, 101, 257}), {0, 1})};
     }},
    {"sum_transposed",
     [] {
       return std::vector{sum(randn({kCols, kRows}).T(), {1})};
     }},
    {"sum_float64",
     [] {
       return std::vector{sum(randn({kRows, kCols}, kFloat64))};
     }},
    {"mean_all", on_leaf([](const Tensor& x) { return mean(x); })},
    {"mean_dim1", on_leaf([](const Tensor& x) { return mean(x, {1}); })},
    {"var_all", on_leaf([](const Tensor& x) { return var(x); })},
    {"var_dim0", on_leaf([](const Tensor& x) { return var(x, {0}); })},
    {"var_dim1", on_leaf([](const Tensor& x) { return var(x, {1}); })},
    {"max_all", on_leaf([](const Tensor& x) { return max(x); })},
    {"max_dim0", on_leaf([](const Tensor& x) { return std::get<0>(max(x, 0)); })},
    // Whole numbers tie in many chunks: the first of them must win.
    {"argmax_argmin_all_ties",
     [] {
       const Tensor x = (randn({kRows, kCols}) * 2).to(kInt64).to(kFloat32);
       return std::vector{argmax(x), argmin(x), max(x), min(x)};
     }},
    {"argmax_dim1",
     [] {
       return std::vector{argmax(randn({kRows, kCols}), 1)};
     }},
    {"layer_norm",
     [] {
       const Tensor x = leaf({kRows, kCols}), weight = leaf({kCols}), bias = leaf({kCols});
       return with_grads(layer_norm(x, {kCols}, weight, bias), {x, weight, bias});
     }},
    {"embedding",
     [] {
       const Tensor weight = leaf({97, 300});
       // Ids repeat, so the backward adds several rows into the same one.
       const Tensor ids = (rand({16, 64}) * 97).to(kInt64);
       return with_grads(embedding(weight, ids), {weight});
     }},
    {"dropout", on_leaf([](const Tensor& x) { return dropout(x, 0.25); })},
    {"add_broadcast_row",
     [] {
       const Tensor x = leaf({kRows, kCols}), row = leaf({kCols});
       return with_grads(x + row, {x, row});
     }},
    {"mul_transposed",
     [] {
       const Tensor x = leaf({kRows, kCols}), y = leaf({kCols, kRows});
       return with_grads(x * y.T(), {x, y});
     }},
    {"div_scalar_float64",
     [] {
       const Tensor x = randn({kRows, kCols}, kFloat64).requires_grad_();
       return with_grads(x / 3.0, {x});
     }},
    {"exp", on_leaf([](const Tensor& x) { return exp(x); })},
    {"log_transposed",
     [] {
       const Tensor x = rand({kCols, kRows}).requires_grad_();
       return with_grads(log(x.T()), {x});
     }},
    {"tanh", on_leaf([](const Tensor& x) { return tanh(x); })},
    {"sigmoid", on_leaf([](const Tensor& x) { return sigmoid(x); })},
    {"relu", on_leaf([](const Tensor& x) { return relu(x); })},
    {"gelu_tanh", on_leaf([](const Tensor& x) { return gelu(x, "tanh"); })},
    {"gelu_none_transposed",
     [] {
       const Tensor x = leaf({kCols, kRows});
       return with_grads(gelu(x.T(), "none"), {x});
     }},
    {"where",
     [] {
       const Tensor x = leaf({kRows, kCols}), y = leaf({kRows, kCols});
       return with_grads(where(x > y, x, y), {x, y});
     }},
    {"masked_fill_and_copy", on_leaf([](const Tensor& x) {
       return masked_fill(x, rand({kCols}) > 0.5, -1.0).T().contiguous();
     })},
    {"to_float64", on_leaf([](const Tensor& x) { return x.to(kFloat64); })},
    {"softmax_last_dim", on_leaf([](const Tensor& x) { return softmax(x, -1); })},
    {"softmax_dim0", on_leaf([](const Tensor& x) { return softmax(x, 0); })},
    {"log_softmax_last_dim", on_leaf([](const Tensor& x) { return log_softmax(x, -1); })},
    {"log_softmax_middle_dim",
     [] {
       const Tensor x = leaf({30, 101, 37});
       return with_grads(log_softmax(x, 1), {x});
     }},
    {"masked_softmax_causal",
     [] {
       const Tensor scores = leaf({4, 3, 128, 128});
       const Tensor mask = ones({128, 128}).triu(1).to(kBool);
       return with_grads(masked_softmax(scores, mask, 8.0), {scores});
     }},
    {"cross_entropy",
     [] {
       const Tensor logits = leaf({16, 64, 97});
       const Tensor targets = (rand({16, 64}) * 97).to(kInt64);
       return with_grads(cross_entropy(logits, targets), {logits});
     }},
    // Products of 2^26 multiply-adds run as parts on the pool, cut by rows of the result, by
    // columns when it is wider than tall, or as many matrices of a batch to a part.
    {"matmul_by_rows",
     [] {
       const Tensor a = leaf({1024, 128}), b = leaf({128, 512});
       return with_grads(matmul(a, b), {a, b});
     }},
    {"matmul_by_columns_transposed",
     [] {
       const Tensor a = leaf({128, 512}), b = leaf({1024, 512});
       return with_grads(matmul(a, b.T()), {a, b});
     }},
    {"matmul_batched_heads",
     [] {
       const Tensor queries = leaf({16, 4, 64, 32}), keys = leaf({16, 4, 64, 32});
       return with_grads(matmul(queries, keys.transpose(2, 3)), {queries, keys});
     }},
    // Fused attention: forward tasks are (batch entry, block of 128 queries), backward tasks
    // batch entries; each task's arithmetic is the same on any thread.
    {"scaled_dot_product_attention_causal_dropout",
     [] {
       const Tensor query = leaf({2, 3, 300, 32}), key = leaf({2, 3, 300, 32}),
                    value = leaf({2, 3, 300, 16});
       return with_grads(scaled_dot_product_attention(query, key, value, {}, 0.1, true),
                         {query, key, value});
     }},
    {"sgd_nesterov",
     [] {
       return three_steps<optim::SGD>(
           optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
     }},
    {"adam", [] { return three_steps<optim::Adam>(optim::AdamOptions{.weight_decay = 0.1}); }},
    {"adamw_amsgrad",
     [] { return three_steps<optim::AdamW>(optim::AdamWOptions{.amsgrad = true}); }},
    {"clip_grad_norm_2", [] { return clipped(2.0); }},
    {"clip_grad_norm_inf", [] { return clipped(INFINITY); }},
    {"clip_grad_norm_3", [] { return clipped(3.0); }},
};

std::vector<Tensor> run_at(const Case& test_case, int threads) {
  const ThreadCount thread_count(threads);
  manual_seed(2718);
  std::vector<Tensor> results = test_case.run();
  for (Tensor& result : results) result = result.detach().contiguous();
  return results;
}

class ThreadCountBits : public testing::TestWithParam<Case> {};

TEST_P(ThreadCountBits, SameAtOneTwoAndThreeThreads) {
  const std::vector<Tensor> serial = run_at(GetParam(), 1);
  for (int threads : {2, 3}) {
    const std::vector<Tensor> parallel = run_at(GetParam(), threads);
    ASSERT_EQ(parallel.size(), serial.size());
    for (size_t i = 0; i < serial.size(); ++i) {
      ASSERT_TRUE(serial[i].defined()) << "result " << i;
      ASSERT_EQ(parallel[i].shape(), serial[i].shape()) << "result " << i;
      ASSERT_EQ(parallel[i].dtype(), serial[i].dtype()) << "result " << i;
      const size_t bytes = static_cast<size_t>(serial[i].numel()) * element_size(serial[i].dtype());
      EXPECT_EQ(std::memcmp(parallel[i].storage()->data(), serial[i].storage()->data(), bytes), 0)
          << "result " << i << " differs at " << threads << " threads";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, ThreadCountBits, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ParallelPick, ChunkedArgmaxIsTheOnePassArgmax) {
  const ThreadCount thread_count(2);
  constexpr int64_t n = 4 * kGrainSize + 3;
  manual_seed(1);
  // Whole numbers, so that every chunk holds ties of the extremes.
  std::vector<float> values = (randn({n}) * 2).to(kInt64).to(kFloat32).to_vector<float>();
  const auto first = [&](auto position) { return position - values.begin(); };
  EXPECT_EQ(argmax(from_vector(values, {n})).item<int64_t>(),
            first(std::max_element(values.begin(), values.end())));
  EXPECT_EQ(argmin(from_vector(values, {n})).item<int64_t>(),
            first(std::min_element(values.begin(), values.end())));
  values[3 * kGrainSize + 1] = NAN;  // the first NaN wins, in whichever chunk
  values[3 * kGrainSize + 9] = NAN;
  values[4 * kGrainSize] = NAN;
  EXPECT_EQ(argmax(from_vector(values, {n})).item<int64_t>(), 3 * kGrainSize + 1);
}

// Chunks cut rows anywhere: each element must still meet its own operands. Results through a
// transposed and a broadcast layout, whose rows the chunks cut differently, equal those of the
// same math on contiguous copies, and those of a plain loop.
TEST(ParallelForEachRow, ChunksCutRowsAtTheRightElements) {
  const ThreadCount thread_count(2);
  manual_seed(7);
  const Tensor x = randn({37, kCols}), row = randn({37});
  const Tensor sum_t = x.T() + row;  // [kCols, 37], rows of 37 cut by chunks of 32768
  const std::vector<float> x_values = x.to_vector<float>(), row_values = row.to_vector<float>();
  const std::vector<float> sums = sum_t.to_vector<float>();
  for (int64_t i = 0; i < kCols; ++i)
    for (int64_t j = 0; j < 37; ++j)
      ASSERT_EQ(sums[i * 37 + j], x_values[j * kCols + i] + row_values[j]) << i << ", " << j;
  const std::vector<float> exp_t = exp(x.T()).contiguous().to_vector<float>();
  const std::vector<float> exp_contiguous = exp(x.T().contiguous()).to_vector<float>();
  EXPECT_EQ(exp_t, exp_contiguous);
  const Tensor grad_out = randn({kCols, 37});
  EXPECT_EQ(
      kernels::gelu_backward(grad_out.T(), x, kernels::GeluApproximate::Tanh).to_vector<float>(),
      kernels::gelu_backward(grad_out.T().contiguous(), x, kernels::GeluApproximate::Tanh)
          .to_vector<float>());
}

// The chunks of [begin, end), sorted, as parallel_for handed them out.
std::vector<std::pair<int64_t, int64_t>> chunks_of(int64_t begin, int64_t end, int64_t grain) {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  parallel_for(begin, end, grain, [&](int64_t chunk_begin, int64_t chunk_end) {
    const std::lock_guard lock(mutex);
    chunks.emplace_back(chunk_begin, chunk_end);
  });
  std::sort(chunks.begin(), chunks.end());
  return chunks;
}

TEST(ParallelFor, ChunksDependOnlyOnTheRangeAndTheGrain) {
  const std::vector<std::pair<int64_t, int64_t>> expected = {{5, 15}, {15, 25}, {25, 28}};
  for (int threads : {1, 2, 3}) {
    const ThreadCount thread_count(threads);
    EXPECT_EQ(chunks_of(5, 28, 10), expected) << threads << " threads";
    EXPECT_EQ(chunks_of(5, 15, 10), (std::vector<std::pair<int64_t, int64_t>>{{5, 15}}));
    EXPECT_EQ(chunks_of(5, 5, 10), (std::vector<std::pair<int64_t, int64_t>>{{5, 5}}));
  }
}

TEST(ParallelForEach, CutsEveryRangeAsParallelForDoes) {
  const std::vector<int64_t> sizes = {0, 5, kGrainSize, kGrainSize + 1, 3 * kGrainSize - 7};
  for (int threads : {1, 2}) {
    const ThreadCount thread_count(threads);
    std::mutex mutex;
    std::vector<std::vector<std::pair<int64_t, int64_t>>> chunks(sizes.size());
    parallel_for_each(sizes, [&](size_t i, int64_t begin, int64_t end) {
      const std::lock_guard lock(mutex);
      chunks[i].emplace_back(begin, end);
    });
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::sort(chunks[i].begin(), chunks[i].end());
      if (sizes[i] == 0)
        EXPECT_TRUE(chunks[i].empty());
      else
        EXPECT_EQ(chunks[i], chunks_of(0, sizes[i], kGrainSize)) << "range " << i;
    }
  }
}

// A combine that keeps the order it was called in shows that chunks are added range by range,
// each range's chunks in order, as one parallel_reduce per range in turn would add them.
TEST(ParallelReduceEach, CombinesRangeByRangeInChunkOrder) {
  const std::vector<int64_t> sizes = {2 * kGrainSize + 1, 0, 7, kGrainSize};
  const std::string expected = str("|0:0|0:", kGrainSize, "|0:", 2 * kGrainSize, "|2:0|3:0");
  for (int threads : {1, 2}) {
    const ThreadCount thread_count(threads);
    const std::string order = parallel_reduce_each(
        sizes, std::string(),
        [](size_t i, int64_t begin, int64_t) { return str("|", i, ":", begin); },
        [](const std::string& total, const std::string& part) { return total + part; });
    EXPECT_EQ(order, expected) << threads << " threads";
  }
}

TEST(ParallelFor, UsesTheOtherThreads) {
  const ThreadCount thread_count(2);
  std::mutex mutex;
  std::vector<std::thread::id> ids;
  // Each chunk waits a little, so that the worker wakes before the caller has done them all.
  parallel_for(0, 64, 1, [&](int64_t, int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const std::lock_guard lock(mutex);
    ids.push_back(std::this_thread::get_id());
  });
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()) - ids.begin(), 2);
}

TEST(ParallelFor, ANestedParallelForRunsOnTheThreadOfItsChunk) {
  const ThreadCount thread_count(2);
  std::atomic<int> inner_chunks = 0, on_other_threads = 0;
  parallel_for(0, 8, 1, [&](int64_t, int64_t) {
    const std::thread::id outer = std::this_thread::get_id();
    parallel_for(0, 4, 1, [&](int64_t, int64_t) {
      ++inner_chunks;
      if (std::this_thread::get_id() != outer) ++on_other_threads;
    });
  });
  EXPECT_EQ(inner_chunks, 32);
  EXPECT_EQ(on_other_threads, 0);
}

TEST(ParallelFor, AnErrorInAChunkReachesTheCaller) {
  const ThreadCount thread_count(2);
  test::expect_error(
      [] {
        parallel_for(0, 100, 1, [](int64_t begin, int64_t) {
          check(begin != 37, "chunk ", begin, " failed");
        });
      },
      "chunk 37 failed");
  // The pool is still whole afterwards.
  std::atomic<int64_t> total = 0;
  parallel_for(0, 100, 1, [&](int64_t begin, int64_t end) { total += end - begin; });
  EXPECT_EQ(total, 100);
}

TEST(ParallelFor, ABigEmbeddingNamesItsFirstBadIndex) {
  const ThreadCount thread_count(2);
  std::vector<int64_t> ids(4 * kGrainSize, 1);
  ids[2 * kGrainSize + 5] = 8;
  ids[3 * kGrainSize + 1] = 9;
  test::expect_error(
      [&] {
        embedding(randn({4, 3}), from_vector(ids, {4, kGrainSize}));
      },
      "embedding: index 8 is out of range for num_embeddings 4");
}

TEST(NumThreads, SetAndGet) {
  const ThreadCount thread_count(3);
  EXPECT_EQ(get_num_threads(), 3);
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
}

TEST(NumThreads, MustBeAtLeastOne) {
  test::expect_error([] { set_num_threads(0); },
                     "set_num_threads: the number of threads must be >= 1, got 0");
  test::expect_error([] { set_num_threads(-2); }, "must be >= 1, got -2");
}

TEST(NumThreads, CannotChangeInsideParallelFor) {
  const ThreadCount thread_count(2);
  test::expect_error([] { parallel_for(0, 2, 1, [](int64_t, int64_t) { set_num_threads(1); }); },
                     "set_num_threads: cannot change the number of threads inside parallel_for");
}

// What the probe (num_threads_probe.cpp) prints when started with `environment`.
std::string probe(const std::string& environment) {
  const std::string command = "env -u MG_NUM_THREADS " + environment + " " MG_NUM_THREADS_PROBE;
  const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe.get())) output += buffer;
  return output;
}

// OpenBLAS stays at one thread whatever the count: minigrad's pool runs the parts of a product.
TEST(NumThreads, MgNumThreadsSetsTheDefaultAndOpenBlasStaysAtOneThread) {
  EXPECT_EQ(probe("MG_NUM_THREADS=3"), "minigrad 3, OpenBLAS 1\n");
  EXPECT_EQ(probe("MG_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2"), "minigrad 1, OpenBLAS 1\n");
  const std::string hardware = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(probe("OPENBLAS_NUM_THREADS=2"), "minigrad " + hardware + ", OpenBLAS 1\n");
}

TEST(NumThreads, MgNumThreadsMustBeAWholeNumberAboveZero) {
  for (const char* value : {"0", "-1", "two", "2x", "''"})
    EXPECT_EQ(probe(std::string("MG_NUM_THREADS=") + value),
              std::string("MG_NUM_THREADS must be a whole number >= 1, got '") +
                  (value == std::string("''") ? "" : value) + "'\n")
        << value;
}

}  // namespace
}  // namespace mg
