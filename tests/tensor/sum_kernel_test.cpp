// sum_inner and sum_outer against PyTorch's own sums, bit for bit: the golden cases recorded by
// tests/golden/gen_sum.py (see its docstring for the case names). Each case says how PyTorch
// viewed the contiguous input; compute() maps that view onto the kernels as a Tensor would.
#include "sum_kernel.h"  // internal header: tests add tensor/src to the include path
#include "golden_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace mg::kernels {
namespace {

using Record = test::GoldenTensor;

const std::map<std::string, Record>& golden() {
  static const test::Golden records("sum.txt");
  return records.tensors();
}

// --- The view each case names, computed with the kernels. ------------------------------------

template <typename T>
std::vector<T> compute(const std::string& kind, const std::vector<int64_t>& shape,
                       const std::vector<T>& input) {
  const T* x = input.data();
  const int64_t rows = shape[0], columns = shape.size() > 1 ? shape[1] : 1;
  std::vector<T> out;
  auto inner_per_row = [&](int64_t n, int64_t row_stride, int64_t count, int64_t stride = 1) {
    for (int64_t r = 0; r < count; ++r) out.push_back(sum_inner(x + r * row_stride, n, stride));
  };
  auto outer = [&](int64_t n, int64_t row_stride, int64_t width, int64_t column_stride = 1) {
    out.resize(width);
    sum_outer(x, n, row_stride, width, out.data(), column_stride);
  };

  if (kind == "all" || kind == "notebook" || kind == "transpose_all" || kind == "mean_all") {
    out = {sum_inner(x, static_cast<int64_t>(input.size()))};  // x.T.sum() is the memory order
  } else if (kind == "lastdim" || kind == "transpose_dim0" || kind == "mean_lastdim") {
    inner_per_row(columns, columns, rows);  // x.T.sum(0) reduces memory rows, like x.sum(1)
  } else if (kind == "dim0" || kind == "transpose_dim1" || kind == "mean_dim0") {
    outer(rows, columns, columns);
  } else if (kind == "middle") {  // [A, N, B] summed over N: one outer sum per A
    const int64_t n = shape[1], width = shape[2];
    out.resize(rows * width);
    for (int64_t a = 0; a < rows; ++a)
      sum_outer(x + a * n * width, n, width, width, out.data() + a * width);
  } else if (kind == "batch_time") {  // [B, T, C] to [C]: B and T merge into one dim
    outer(shape[0] * shape[1], shape[2], shape[2]);
  } else if (kind == "outer_dims") {  // [A, B, C] summed over A and C: rows of C added per A
    const int64_t depth = shape[1], length = shape[2];
    out.assign(depth, T(0));
    for (int64_t a = 0; a < rows; ++a)
      for (int64_t b = 0; b < depth; ++b) out[b] += sum_inner(x + (a * depth + b) * length, length);
  } else if (kind == "column") {  // x[:, 0]: a strided 1-D sum
    out = {sum_inner(x, rows, columns)};
  } else if (kind.starts_with("prefix_columns")) {  // x[:, :k].sum(): row sums added in order
    const int64_t k = std::stoll(kind.substr(std::string("prefix_columns").size()));
    T total = 0;
    for (int64_t r = 0; r < rows; ++r) total += sum_inner(x + r * columns, k);
    out = {total};
  } else if (kind == "even_dim0") {  // x[::2, ::2].sum(0)
    outer((rows + 1) / 2, 2 * columns, (columns + 1) / 2, 2);
  } else if (kind == "even_dim1") {  // x[::2, ::2].sum(1)
    inner_per_row((columns + 1) / 2, 2 * columns, (rows + 1) / 2, 2);
  } else {
    ADD_FAILURE() << "unknown case kind " << kind;
  }

  // PyTorch's mean is the sum divided by the count (a true division, not times 1/count).
  const int64_t count = kind == "mean_all"       ? static_cast<int64_t>(input.size())
                        : kind == "mean_dim0"    ? rows
                        : kind == "mean_lastdim" ? columns
                                                 : 1;
  if (count != 1)
    for (T& value : out) value /= static_cast<T>(count);
  return out;
}

template <typename T>
void expect_case(const std::string& name, const std::string& kind) {
  const Record& input = golden().at("sum." + name + ".input");
  const Record& expected = golden().at("sum." + name + ".expected");
  const std::vector<T> values(input.values.begin(), input.values.end());
  const std::vector<T> actual = compute<T>(kind, input.shape, values);
  ASSERT_EQ(actual.size(), expected.values.size()) << name;
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_EQ(actual[i], static_cast<T>(expected.values[i])) << name << " [" << i << "]";
}

// Checks every golden case "sum.<kind>.*" for each kind given; returns how many there were.
int expect_cases(const std::vector<std::string>& kinds) {
  int count = 0;
  for (const auto& [key, record] : golden()) {
    const std::string suffix = ".input";
    if (!key.ends_with(suffix)) continue;
    const std::string name = key.substr(4, key.size() - 4 - suffix.size());  // drop "sum."
    const std::string kind = name.substr(0, name.find('.'));
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) continue;
    ++count;
    if (record.dtype == kFloat64) {
      expect_case<double>(name, kind);
    } else {
      expect_case<float>(name, kind);
    }
  }
  return count;
}

TEST(SumKernel, SumOfAllElements) {
  EXPECT_GE(expect_cases({"all"}), 4 * 50 - 2);  // n = 1..40, 63, ..., 4097, 100003
}

TEST(SumKernel, NotebookAttentionWeightsSumPastOne) {
  EXPECT_EQ(expect_cases({"notebook"}), 2);
  const auto& weights = golden().at("sum.notebook.attn_weights_2_tmp.input").values;
  const std::vector<float> attn_weights_2_tmp(weights.begin(), weights.end());
  // The seed notebook prints 1.0000001192092896: one float ulp above 1.
  EXPECT_EQ(sum_inner(attn_weights_2_tmp.data(), 6), 1.0000001192092896f);
}

TEST(SumKernel, LastDimIsTheRowSum) {
  EXPECT_GT(expect_cases({"lastdim"}), 0);
}

TEST(SumKernel, OuterDims) {
  EXPECT_GT(expect_cases({"dim0", "middle", "batch_time", "outer_dims"}), 0);
}

TEST(SumKernel, ViewsFollowTheMemoryLayout) {
  EXPECT_GT(expect_cases({"transpose_all", "transpose_dim0", "transpose_dim1", "column",
                          "prefix_columns3", "prefix_columns20", "even_dim0", "even_dim1"}),
            0);
}

TEST(SumKernel, MeanIsSumDividedByCount) {
  EXPECT_GT(expect_cases({"mean_all", "mean_dim0", "mean_lastdim"}), 0);
}

TEST(SumKernel, EmptySumsAreZero) {
  const float none[1] = {};
  EXPECT_EQ(sum_inner(none, 0), 0.0f);
  const double nothing[3] = {};
  double out[3] = {1, 1, 1};
  sum_outer(nothing, 0, 3, 3, out);
  EXPECT_EQ(out[0], 0.0);
  EXPECT_EQ(out[2], 0.0);
}

}  // namespace
}  // namespace mg::kernels
