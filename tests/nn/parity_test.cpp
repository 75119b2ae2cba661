// Each attention module against the book's class in PyTorch (tests/golden/gen_nn.py), case by
// case: the same seed gives the same weights bit for bit, then the output and the gradients of
// the input and of every parameter agree to float32 rounding. The same cases, with dropout 0,
// pass a float64 gradcheck.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>

#include "expect_ulps.h"
#include "golden_reader.h"
#include "load_parameters.h"
#include "stream_scope.h"

namespace mg {
namespace {

const test::Golden& nn_golden() {
  static const test::Golden file("nn.txt");
  return file;
}

// A case's config string: kind seed forward_seed d_in d_out context_length dropout num_heads
// qkv_bias input_shape.
struct Config {
  std::string kind;
  uint64_t seed = 0, forward_seed = 0;
  int64_t d_in = 0, d_out = 0, context_length = 0, num_heads = 0;
  double dropout = 0.0;
  bool qkv_bias = false;
  Shape input_shape;
};

Config config_of(const std::string& name) {
  std::istringstream fields(nn_golden().string("nn/" + name + "/config"));
  Config c;
  std::string shape;
  fields >> c.kind >> c.seed >> c.forward_seed >> c.d_in >> c.d_out >> c.context_length >>
      c.dropout >> c.num_heads >> c.qkv_bias >> shape;
  std::istringstream sizes(shape);
  for (std::string size; std::getline(sizes, size, ',');) c.input_shape.push_back(std::stoll(size));
  return c;
}

// The module gen_nn.py builds for the case, after manual_seed(c.seed).
std::shared_ptr<nn::Module> build(const Config& c) {
  manual_seed(c.seed);
  if (c.kind == "SelfAttentionV1") return std::make_shared<nn::SelfAttentionV1>(c.d_in, c.d_out);
  if (c.kind == "SelfAttentionV2")
    return std::make_shared<nn::SelfAttentionV2>(c.d_in, c.d_out, c.qkv_bias);
  if (c.kind == "CausalAttention")
    return std::make_shared<nn::CausalAttention>(c.d_in, c.d_out, c.context_length, c.dropout,
                                                 c.qkv_bias);
  if (c.kind == "MultiHeadAttentionWrapper")
    return std::make_shared<nn::MultiHeadAttentionWrapper>(c.d_in, c.d_out, c.context_length,
                                                           c.dropout, c.num_heads, c.qkv_bias);
  if (c.kind == "MultiHeadAttention")
    return std::make_shared<nn::MultiHeadAttention>(c.d_in, c.d_out, c.context_length, c.dropout,
                                                    c.num_heads, c.qkv_bias);
  throw Error("no module kind " + c.kind);
}

Tensor from_golden(const std::string& key) {
  return nn_golden().load(key);
}

void expect_close(const Tensor& actual, const std::string& key) {
  test::expect_float32_close(actual, nn_golden(), key);
}

std::vector<std::string> case_names() {
  return nn_golden().case_names("nn/", "/config");
}

class Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(Parity, WeightsOutputAndGradientsMatchTheBooksClass) {
  const std::string prefix = "nn/" + GetParam();
  const Config c = config_of(GetParam());
  test::StreamScope non_mkl(DropoutStream::NonMkl);  // Debian's PyTorch made the golden masks
  const std::shared_ptr<nn::Module> module = build(c);
  for (const auto& [name, parameter] : module->named_parameters())
    EXPECT_EQ(parameter.to_vector<double>(), nn_golden().tensor(prefix + "/param/" + name).values)
        << name;
  Tensor x = from_golden(prefix + "/input").requires_grad_();
  manual_seed(c.forward_seed);
  const Tensor out = (*module)(x);
  expect_close(out, prefix + "/out");
  out.backward(from_golden(prefix + "/grad_out"));
  expect_close(x.grad(), prefix + "/grad/input");
  for (const auto& [name, parameter] : module->named_parameters())
    expect_close(parameter.grad(), prefix + "/grad/" + name);
}

INSTANTIATE_TEST_SUITE_P(Nn, Parity, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

class Gradcheck : public ::testing::TestWithParam<std::string> {};

TEST_P(Gradcheck, Float64GradientsMatchFiniteDifferences) {
  const Config c = config_of(GetParam());
  const std::shared_ptr<nn::Module> module = build(c);
  module->eval();  // dropout off
  std::vector<Tensor> inputs{
      from_golden("nn/" + GetParam() + "/input").to(kFloat64).requires_grad_()};
  for (const Tensor& parameter : module->parameters())
    inputs.push_back(parameter.detach().to(kFloat64).requires_grad_());
  EXPECT_TRUE(gradcheck(
      [&module](const std::vector<Tensor>& in) {
        test::LoadParameters load(in.begin() + 1);
        module->visit(load);
        return (*module)(in[0]);
      },
      inputs));
}

INSTANTIATE_TEST_SUITE_P(Nn, Gradcheck, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// The notebook passes one sequence [T, d_in] to the causal modules too: the same as a batch of one.
TEST(Unbatched, SequenceIsABatchOfOne) {
  const Tensor x = rand({5, 3});
  for (const std::shared_ptr<nn::Module>& module : std::vector<std::shared_ptr<nn::Module>>{
           std::make_shared<nn::CausalAttention>(3, 4, 6, 0.0),
           std::make_shared<nn::MultiHeadAttentionWrapper>(3, 4, 6, 0.0, 2),
           std::make_shared<nn::MultiHeadAttention>(3, 4, 6, 0.0, 2)}) {
    const Tensor out = (*module)(x);
    EXPECT_EQ(out.shape(), (Shape{5, (*module)(x.unsqueeze(0)).size(-1)}));
    const std::vector<float> batched = (*module)(x.unsqueeze(0)).squeeze(0).to_vector<float>();
    const std::vector<float> single = out.to_vector<float>();
    for (size_t i = 0; i < single.size(); ++i) EXPECT_NEAR(single[i], batched[i], 1e-6);
  }
}

}  // namespace
}  // namespace mg
