// dropout against PyTorch: both mask streams, both dtypes, the gradient, and the cases that must
// leave the generator untouched.
#include <gtest/gtest.h>

#include "expect_error.h"

#include <minigrad/minigrad.h>

#include <map>
#include <sstream>
#include <tuple>

#include "golden_reader.h"
#include "minigrad/autograd/node.h"
#include "stream_scope.h"

namespace mg {
namespace {

using test::expect_error;

const test::Golden& random_golden() {
  static const test::Golden file("random.txt");
  return file;
}

std::vector<double> golden_values(const std::string& key) {
  return random_golden().tensor(key).values;
}

using test::StreamScope;

TEST(Dropout, ReproducesSeed001WithTheDefaultMklStream) {
  ASSERT_EQ(dropout_stream(), DropoutStream::Mkl);
  manual_seed(314159);
  std::ostringstream printed;
  printed << dropout(ones({6, 6}), 0.5, true);
  const test::Golden prints("notebook_prints.txt");
  EXPECT_EQ(printed.str(), prints.string("seed001/dropout_ones"));
}

TEST(Dropout, NonMklStreamMatchesDebiansPyTorch) {
  StreamScope non_mkl(DropoutStream::NonMkl);
  for (uint64_t seed : {7, 0, 314159})
    for (const std::string p : {"0.25", "0.5", "0.1", "0.9"})
      for (const auto& [shape_name, shape] : {std::pair{"8", Shape{8}}, {"6x6", Shape{6, 6}}}) {
        const std::string key =
            "random/dropout/seed" + std::to_string(seed) + "/float32/" + shape_name + "/p" + p;
        manual_seed(seed);
        EXPECT_EQ(dropout(ones(shape), std::stod(p)).to_vector<double>(), golden_values(key))
            << key;
      }
}

TEST(Dropout, ValuesGradientAndNextDrawMatchPyTorch) {
  StreamScope non_mkl(DropoutStream::NonMkl);
  for (const auto& [name, dtype] : {std::pair{"float32", kFloat32}, {"float64", kFloat64}}) {
    const std::string prefix = std::string("random/dropout_op/") + name;
    manual_seed(11);
    Tensor x = randn({4, 5}, dtype).requires_grad_();
    ASSERT_EQ(x.to_vector<double>(), golden_values(prefix + "/input"));
    const Tensor out = dropout(x, 0.3);
    const Tensor rand_after = rand({3});
    out.backward(ones_like(out));
    EXPECT_EQ(out.to_vector<double>(), golden_values(prefix + "/out")) << name;
    EXPECT_EQ(x.grad().to_vector<double>(), golden_values(prefix + "/grad")) << name;
    EXPECT_EQ(rand_after.to_vector<double>(), golden_values(prefix + "/rand_after")) << name;
    EXPECT_EQ(autograd::meta_of(out)->grad_fn_name(), "MulBackward0");
  }
}

TEST(Dropout, DrawsNothingWhereTorchDrawsNothing) {
  for (DropoutStream stream : {DropoutStream::Mkl, DropoutStream::NonMkl}) {
    StreamScope scope(stream);
    const std::map<std::string, std::tuple<Shape, double, bool>> cases{
        {"p0", {{3, 4}, 0.0, true}},
        {"p1", {{3, 4}, 1.0, true}},
        {"eval", {{3, 4}, 0.5, false}},
        {"empty", {{0, 4}, 0.5, true}}};
    for (const auto& [name, params] : cases) {
      const auto& [shape, p, training] = params;
      const std::string prefix = "random/dropout_op/no_draw/" + name;
      manual_seed(5);
      const Tensor out = dropout(ones(shape), p, training);
      EXPECT_EQ(out.to_vector<double>(), golden_values(prefix + "/out")) << name;
      EXPECT_EQ(rand({3}).to_vector<double>(), golden_values(prefix + "/rand_after")) << name;
    }
  }
}

TEST(Dropout, EvalModeReturnsTheInputItself) {
  const Tensor x = ones({2, 3}).requires_grad_();
  EXPECT_EQ(dropout(x, 0.5, false).impl_ptr(), x.impl_ptr());
  EXPECT_EQ(dropout(x, 0.0, true).impl_ptr(), x.impl_ptr());
}

TEST(Dropout, RefusesAProbabilityOutsideZeroToOne) {
  expect_error([] { dropout(ones({2}), 1.5); },
               "dropout: probability has to be between 0 and 1, but got 1.5");
  expect_error([] { dropout(ones({2}), -0.1); },
               "dropout: probability has to be between 0 and 1, but got -0.1");
}

TEST(Dropout, GradcheckThroughAFixedMask) {
  StreamScope non_mkl(DropoutStream::NonMkl);
  manual_seed(2);
  const std::vector<Tensor> inputs{randn({3, 4}, kFloat64).requires_grad_()};
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& x) {
        manual_seed(9);  // the same mask at every evaluation
        return dropout(x[0].T(), 0.4).exp();
      },
      inputs));
}

}  // namespace
}  // namespace mg
