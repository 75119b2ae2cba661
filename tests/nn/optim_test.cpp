// optim::SGD, Adam and AdamW against torch.optim (tests/golden/gen_optim.py): five steps of each
// case on an nn::Linear(4, 3) and two free tensors, one of which has no gradient for the first two
// steps, every parameter compared after every step. nn::utils::clip_grad_norm_ against PyTorch's
// for norms 2, 3 and infinity. Then zero_grad, versions, schedules and the errors.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "expect_error.h"
#include "golden_reader.h"

namespace mg {
namespace {

using test::expect_error;

const test::Golden& optim_golden() {
  static const test::Golden file("optim.txt");
  return file;
}

Tensor from_golden(const std::string& key) {
  const test::GoldenTensor& g = optim_golden().tensor(key);
  return from_vector(g.values, g.shape, g.dtype);
}

// float32: |diff| <= 1e-6 + 1e-5 |ref|; float64: 1e-14 + 1e-13 |ref|. The largest differences
// seen are one ulp (1.2e-7 in float32, 2.2e-16 in float64), from the gradients (summed in another
// order) and from multiply-adds PyTorch's vectorised kernels fuse; default Adam and AdamW agree
// bit for bit.
void expect_close(const Tensor& actual, const std::string& key) {
  const test::GoldenTensor& expected = optim_golden().tensor(key);
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  ASSERT_EQ(actual.dtype(), expected.dtype) << key;
  const double scale = actual.dtype() == kFloat64 ? 1e-8 : 1.0;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(values[i], expected.values[i], scale * (1e-6 + 1e-5 * std::abs(expected.values[i])))
        << key << " element " << i;
}

// gen_optim.py's problem: a Linear(4, 3) made after manual_seed(seed), and free tensors `shift`
// and `late` of shape [3]; the loss at step k is sum((linear(x) + shift + late if k >= 2)^2).
struct Problem {
  nn::Linear linear{4, 3};
  Tensor shift, late, x;

  std::vector<Tensor> params() const { return {linear.weight, linear.bias, shift, late}; }
  Tensor loss_at(int step) const {
    Tensor out = linear(x) + shift;
    if (step >= 2) out = out + late;
    return (out * out).sum();
  }
};

const char* const kNames[] = {"weight", "bias", "shift", "late"};

// The case's initial parameters: nn::Linear's own for the seed, checked against PyTorch's (in
// float64 as PyTorch's model.double() makes them), and the free tensors from the golden file.
std::unique_ptr<Problem> make_problem(const std::string& prefix, Dtype dtype) {
  manual_seed(std::stoull(optim_golden().string("optim/seed")));
  auto problem = std::make_unique<Problem>();
  EXPECT_EQ(problem->linear.weight.to_vector<double>(),
            optim_golden().tensor(prefix + "/init/weight").values);
  EXPECT_EQ(problem->linear.bias.to_vector<double>(),
            optim_golden().tensor(prefix + "/init/bias").values);
  if (dtype == kFloat64) {
    problem->linear.weight = problem->linear.weight.detach().to(kFloat64).requires_grad_();
    problem->linear.bias = problem->linear.bias.detach().to(kFloat64).requires_grad_();
  }
  problem->shift = from_golden(prefix + "/init/shift").requires_grad_();
  problem->late = from_golden(prefix + "/init/late").requires_grad_();
  problem->x = from_golden("optim/input").to(dtype);
  return problem;
}

// A case's config: optimizer dtype lr momentum dampening weight_decay nesterov beta1 beta2 eps
// amsgrad.
struct Config {
  std::string kind;
  Dtype dtype = kFloat32;
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0, beta1 = 0, beta2 = 0, eps = 0;
  bool nesterov = false, amsgrad = false;
};

Config config_of(const std::string& prefix) {
  std::istringstream fields(optim_golden().string(prefix + "/config"));
  Config c;
  std::string dtype;
  fields >> c.kind >> dtype >> c.lr >> c.momentum >> c.dampening >> c.weight_decay >> c.nesterov >>
      c.beta1 >> c.beta2 >> c.eps >> c.amsgrad;
  c.dtype = dtype == "float64" ? kFloat64 : kFloat32;
  return c;
}

std::unique_ptr<optim::Optimizer> make_optimizer(const Config& c, std::vector<Tensor> params) {
  if (c.kind == "SGD")
    return std::make_unique<optim::SGD>(std::move(params),
                                        optim::SGDOptions{.lr = c.lr,
                                                          .momentum = c.momentum,
                                                          .dampening = c.dampening,
                                                          .weight_decay = c.weight_decay,
                                                          .nesterov = c.nesterov});
  if (c.kind == "Adam")
    return std::make_unique<optim::Adam>(std::move(params),
                                         optim::AdamOptions{.lr = c.lr,
                                                            .betas = {c.beta1, c.beta2},
                                                            .eps = c.eps,
                                                            .weight_decay = c.weight_decay,
                                                            .amsgrad = c.amsgrad});
  if (c.kind == "AdamW")
    return std::make_unique<optim::AdamW>(std::move(params),
                                          optim::AdamWOptions{.lr = c.lr,
                                                              .betas = {c.beta1, c.beta2},
                                                              .eps = c.eps,
                                                              .weight_decay = c.weight_decay,
                                                              .amsgrad = c.amsgrad});
  throw Error("no optimizer kind " + c.kind);
}

std::vector<std::string> case_names(const std::string& group) {
  std::vector<std::string> names;
  for (const auto& [key, text] : optim_golden().strings()) {
    const std::string prefix = group + "/", suffix = "/config";
    if (key.starts_with(prefix) && key.ends_with(suffix))
      names.push_back(key.substr(prefix.size(), key.size() - prefix.size() - suffix.size()));
  }
  return names;
}

class OptimizerParity : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimizerParity, ParametersMatchPyTorchAfterEveryStep) {
  const std::string prefix = "optim/" + GetParam();
  const Config c = config_of(prefix);
  const std::unique_ptr<Problem> problem = make_problem(prefix, c.dtype);
  const std::unique_ptr<optim::Optimizer> optimizer = make_optimizer(c, problem->params());
  for (int step = 0; step < 5; ++step) {
    if (GetParam() == "adam_lr_schedule" && step == 3) optimizer->lr *= 0.5;
    optimizer->zero_grad();
    problem->loss_at(step).backward();
    optimizer->step();
    const std::vector<Tensor> params = problem->params();
    for (size_t i = 0; i < params.size(); ++i)
      expect_close(params[i], prefix + "/step" + std::to_string(step) + "/" + kNames[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Optim, OptimizerParity, ::testing::ValuesIn(case_names("optim")),
                         [](const auto& info) { return info.param; });

class ClipGradNormParity : public ::testing::TestWithParam<std::string> {};

TEST_P(ClipGradNormParity, TotalNormAndClippedGradientsMatchPyTorch) {
  const std::string prefix = "clip/" + GetParam();
  std::istringstream fields(optim_golden().string(prefix + "/config"));
  std::string max_norm, norm_type;
  fields >> max_norm >> norm_type;
  const std::unique_ptr<Problem> problem = make_problem("optim/sgd", kFloat32);
  problem->loss_at(0).backward();
  // strtod, unlike operator>>, reads "inf".
  const double total_norm =
      nn::utils::clip_grad_norm_(problem->params(), std::strtod(max_norm.c_str(), nullptr),
                                 std::strtod(norm_type.c_str(), nullptr));
  const double expected = optim_golden().tensor(prefix + "/total_norm").values[0];
  EXPECT_NEAR(total_norm, expected, 1e-6 * expected);
  const std::vector<Tensor> params = problem->params();
  for (size_t i = 0; i < 3; ++i) expect_close(params[i].grad(), prefix + "/grad/" + kNames[i]);
  EXPECT_FALSE(problem->late.grad().defined());
}

INSTANTIATE_TEST_SUITE_P(Optim, ClipGradNormParity, ::testing::ValuesIn(case_names("clip")),
                         [](const auto& info) { return info.param; });

TEST(ClipGradNorm, WithoutGradientsIsZeroAndFloat64Works) {
  Tensor w = tensor({3.0, 4.0}, kFloat64).requires_grad_();
  EXPECT_EQ(nn::utils::clip_grad_norm_({w}, 1.0), 0.0);
  (w * w).sum().backward();  // grad (6, 8), norm 10
  EXPECT_DOUBLE_EQ(nn::utils::clip_grad_norm_({w}, 5.0), 10.0);
  const double coef = 5.0 / (10.0 + 1e-6);
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{6.0 * coef, 8.0 * coef}));
}

TEST(Optimizer, ZeroGradDropsGradientsAsModuleZeroGradDoes) {
  nn::Linear linear(2, 2);
  optim::SGD optimizer(linear.parameters(), {.lr = 0.1});
  linear(ones({1, 2})).sum().backward();
  ASSERT_TRUE(linear.weight.grad().defined());
  optimizer.zero_grad();
  EXPECT_FALSE(linear.weight.grad().defined());
  EXPECT_FALSE(linear.bias.grad().defined());
  const std::vector<double> before = linear.weight.to_vector<double>();
  optimizer.step();  // nothing has a gradient: nothing moves
  EXPECT_EQ(linear.weight.to_vector<double>(), before);
}

TEST(Optimizer, StepUpdatesTheModulesTensorsInPlaceAndBumpsTheirVersion) {
  Tensor w = tensor({1.0, 2.0}).requires_grad_();
  const Tensor handle = w;
  optim::Adam optimizer({w}, {.lr = 0.5});
  const Tensor saved_w = w * w;  // saves w for its gradient
  saved_w.sum().backward(Tensor(), true);
  optimizer.step();
  EXPECT_NE(handle.to_vector<double>(), (std::vector<double>{1.0, 2.0}));
  expect_error([&] { saved_w.sum().backward(); }, "modified by an in-place operation");
}

TEST(Optimizer, LearningRateIsReadAndSetBetweenSteps) {
  Tensor w = tensor({1.0}).requires_grad_();
  optim::SGD optimizer({w}, {.lr = 0.5});
  EXPECT_EQ(optimizer.lr, 0.5);
  optimizer.lr = 0.25;
  (w * 2.0).sum().backward();  // grad 2
  optimizer.step();
  EXPECT_EQ(w.item(), 0.5);
  optimizer.lr = -1.0;
  expect_error([&] { optimizer.step(); }, "SGD: lr must be >= 0, got -1");
}

// Trains `steps` steps of a fixed regression on linear: (linear(x) - 1)^2 summed.
void train(nn::Linear& linear, optim::Optimizer& optimizer, int steps) {
  const Tensor x = tensor({{0.5, -1.0, 2.0}, {1.5, 0.25, -0.5}});
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    pow(linear(x) - 1.0, 2.0).sum().backward();
    optimizer.step();
  }
}

// A run stopped after 3 steps and resumed from the two state_dicts takes the same 4 next steps,
// bit for bit, as the run that never stopped.
template <typename MakeOptimizer>
void expect_exact_resume(MakeOptimizer make_optimizer) {
  manual_seed(3);
  nn::Linear uninterrupted(3, 2);
  auto optimizer = make_optimizer(uninterrupted.parameters());
  train(uninterrupted, *optimizer, 3);
  nn::Linear resumed(3, 2);
  auto resumed_optimizer = make_optimizer(resumed.parameters());
  {
    NoGradGuard no_grad;
    resumed.weight.copy_(uninterrupted.weight);
    resumed.bias.copy_(uninterrupted.bias);
  }
  resumed_optimizer->load_state_dict(optimizer->state_dict());
  train(uninterrupted, *optimizer, 4);
  train(resumed, *resumed_optimizer, 4);
  EXPECT_EQ(resumed.weight.to_vector<double>(), uninterrupted.weight.to_vector<double>());
  EXPECT_EQ(resumed.bias.to_vector<double>(), uninterrupted.bias.to_vector<double>());
}

TEST(OptimizerState, ResumingFromStateDictContinuesExactly) {
  expect_exact_resume([](std::vector<Tensor> params) {
    return std::make_unique<optim::AdamW>(std::move(params), optim::AdamWOptions{.amsgrad = true});
  });
  expect_exact_resume([](std::vector<Tensor> params) {
    return std::make_unique<optim::SGD>(std::move(params),
                                        optim::SGDOptions{.lr = 0.05, .momentum = 0.9});
  });
}

TEST(OptimizerState, NamesAreTorchsAndStepIsCounted) {
  nn::Linear linear(3, 2);
  optim::Adam optimizer(linear.parameters());
  EXPECT_TRUE(optimizer.state_dict().empty());  // no step yet
  train(linear, optimizer, 2);
  std::vector<std::string> names;
  for (const auto& [name, value] : optimizer.state_dict()) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step",
                                      "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.step"}));
  EXPECT_EQ(optimizer.state_dict()[2].second.item(), 2.0);
}

TEST(OptimizerState, LoadRefusesStateThatDoesNotFitAndChangesNothing) {
  nn::Linear linear(3, 2);
  optim::Adam optimizer(linear.parameters());
  train(linear, optimizer, 1);
  const auto before = optimizer.state_dict();
  expect_error(
      [&] {
        optimizer.load_state_dict({{"state.0.exp_avg", zeros({3, 2})}});
      },
      "Adam: state 'state.0.exp_avg' is float32 [3, 2] but parameter 0 needs float32 "
      "[2, 3]");
  expect_error(
      [&] {
        optimizer.load_state_dict({{"state.2.exp_avg", zeros({2})}});
      },
      "Adam: no state named 'state.2.exp_avg' for 2 parameters");
  expect_error(
      [&] {
        optimizer.load_state_dict({{"state.0.step", zeros({})}});
      },
      "Adam: state 'state.0.step' is float32 [] but parameter 0 needs int64 []");
  auto without_max_exp_avg_sq = before;  // the state of a plain Adam, loaded into an amsgrad one
  optim::AdamW amsgrad(linear.parameters(), {.amsgrad = true});
  expect_error([&] { amsgrad.load_state_dict(without_max_exp_avg_sq); },
               "AdamW: the state of parameter 0 has 'exp_avg' but not 'max_exp_avg_sq'");
  expect_error([&] { optimizer.load_state_dict({before[0]}); },
               "Adam: the state of parameter 0 has 'exp_avg' but not 'exp_avg_sq'");
  ASSERT_EQ(optimizer.state_dict().size(), before.size());
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(optimizer.state_dict()[i].second.storage(), before[i].second.storage());
}

TEST(Optimizer, ConstructorsCheckTheirArgumentsAsPyTorchDoes) {
  const std::vector<Tensor> params = {zeros({2, 3}).requires_grad_()};
  expect_error([&] { optim::SGD(params, {}); }, "SGD: lr is required");
  expect_error([&] { optim::SGD(params, {.lr = -0.1}); }, "SGD: lr must be >= 0, got -0.1");
  expect_error([&] { optim::SGD(params, {.lr = 0.1, .momentum = -0.5}); },
               "SGD: momentum must be >= 0, got -0.5");
  expect_error([&] { optim::SGD(params, {.lr = 0.1, .weight_decay = -1}); },
               "SGD: weight_decay must be >= 0, got -1");
  expect_error([&] { optim::SGD(params, {.lr = 0.1, .nesterov = true}); },
               "SGD: nesterov momentum requires a momentum > 0 and a dampening of 0, got "
               "momentum 0 and dampening 0");
  expect_error(
      [&] { optim::SGD(params, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}); },
      "got momentum 0.9 and dampening 0.1");
  expect_error([&] { optim::Adam(params, {.lr = -1}); }, "Adam: lr must be >= 0, got -1");
  expect_error([&] { optim::Adam(params, {.eps = -1e-8}); }, "Adam: eps must be >= 0, got -1e-08");
  expect_error(
      [&] {
        optim::Adam(params, {.betas = {1.0, 0.999}});
      },
      "Adam: betas.first must be in [0, 1), got 1");
  expect_error(
      [&] {
        optim::Adam(params, {.betas = {0.9, -0.1}});
      },
      "Adam: betas.second must be in [0, 1), got -0.1");
  expect_error([&] { optim::Adam(params, {.weight_decay = -0.1}); },
               "Adam: weight_decay must be >= 0, got -0.1");
  expect_error(
      [&] {
        optim::AdamW(params, {.betas = {0.9, 1.0}});
      },
      "AdamW: betas.second must be in [0, 1), got 1");
  expect_error([&] { optim::AdamW(params, {.weight_decay = -1}); },
               "AdamW: weight_decay must be >= 0, got -1");
}

TEST(Optimizer, ParametersMustBeContiguousFloatingPointLeaves) {
  expect_error([] { optim::Adam({}); }, "Adam: got an empty parameter list");
  expect_error([] { optim::Adam({Tensor()}); }, "Adam: parameter 0 is undefined");
  expect_error(
      [] {
        optim::SGD({zeros({2}), arange(3)}, {.lr = 0.1});
      },
      "SGD: parameter 1 is int64; only float32 and float64 parameters can be optimized");
  const Tensor leaf = zeros({2, 3}).requires_grad_();
  expect_error([&] { optim::AdamW({leaf * 2.0}); },
               "AdamW: parameter 0 of shape [2, 3] is not a leaf");
  expect_error(
      [] {
        optim::SGD({zeros({2, 3}).T()}, {.lr = 0.1});
      },
      "SGD: parameter 0 of shape [3, 2] is not contiguous");
}

// A step updates all parameters at once, so one listed twice would race with itself.
TEST(Optimizer, ParametersMustNotShareElements) {
  const Tensor w = zeros({2, 3}).requires_grad_(), b = zeros({3}).requires_grad_();
  expect_error(
      [&] {
        optim::Adam({w, b, w});
      },
      "Adam: parameters 0 and 2 share elements; pass each parameter once");
  const Tensor flat = zeros({6});
  const Tensor first = flat.narrow(0, 0, 3).requires_grad_();
  const Tensor overlapping = flat.narrow(0, 2, 3).requires_grad_();
  const Tensor last = flat.narrow(0, 3, 3).requires_grad_();
  expect_error(
      [&] {
        optim::SGD({overlapping, first}, {.lr = 0.1});
      },
      "SGD: parameters 0 and 1 share elements");
  EXPECT_NO_THROW(optim::SGD({last, first}, {.lr = 0.1}));
}

TEST(ClipGradNorm, NormTypeMustBePositive) {
  const std::vector<Tensor> params = {zeros({2}).requires_grad_()};
  expect_error([&] { nn::utils::clip_grad_norm_(params, 1.0, 0.0); },
               "clip_grad_norm_: norm_type must be positive or INFINITY, got 0");
  expect_error([&] { nn::utils::clip_grad_norm_(params, 1.0, -INFINITY); },
               "clip_grad_norm_: norm_type must be positive or INFINITY, got -inf");
}

}  // namespace
}  // namespace mg
