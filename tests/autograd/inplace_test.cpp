// In-place ops and writes into views with autograd on: the notebooks' loops, PyTorch's
// CopySlices, views that rebuild their history after a write, and the writes PyTorch refuses.
// tests/autograd/ops_golden_test.cpp compares the same machinery with PyTorch's numbers.
#include <gtest/gtest.h>

#include "expect_error.h"

#include <minigrad/minigrad.h>

#include <sstream>

#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using test::expect_error;

std::string printed(const Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

TEST(InPlace, AccumulatingLoopIsDifferentiable) {
  // The notebooks' context-vector loop: context_vec += attn_weights[i] * x_i.
  manual_seed(3);
  const std::vector<Tensor> inputs{randn({3}, kFloat64).requires_grad_(),
                                   randn({3, 2}, kFloat64).requires_grad_()};
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& x) {
        Tensor context_vec = zeros({2}, kFloat64);
        for (int64_t i = 0; i < 3; ++i) context_vec += x[0][i] * x[1][i];
        context_vec *= x[1][0];  // mul_ must keep the value before the write for its backward
        context_vec -= 1.0;
        context_vec /= x[0].exp().sum();
        return context_vec;
      },
      inputs));
}

TEST(InPlace, AssignmentIntoViewsIsDifferentiable) {
  // attn_scores[i] = dot(x_i, query), then rows written through a transposed view and a row read
  // before its elements were overwritten through another view.
  manual_seed(4);
  const std::vector<Tensor> inputs{randn({3}, kFloat64).requires_grad_(),
                                   randn({4, 3}, kFloat64).requires_grad_()};
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& x) {
        const Tensor& query = x[0];
        Tensor attn_scores = empty({4}, kFloat64);
        for (int64_t i = 0; i < 4; ++i) attn_scores[i] = dot(x[1][i], query);
        Tensor grid = x[1].clone();
        const Tensor first_row = grid[0];
        grid.T()[2] *= attn_scores.softmax(0);
        grid[0] = query * 2.0;
        grid[1][1] += first_row.sum();  // first_row now reads what grid[0] = ... wrote
        grid.T()[0].masked_fill_(tensor({0.0, 1.0, 0.0, 1.0}), 0.5);
        return grid.T().matmul(attn_scores.unsqueeze(1)).sum({1}) + first_row;
      },
      inputs));
}

TEST(InPlace, ABaseAndItsViewsPrintWhatPyTorchPrints) {
  Tensor w = ones({3}).requires_grad_();
  Tensor buffer = zeros({3});
  const Tensor first = buffer[0];
  EXPECT_FALSE(first.requires_grad());
  buffer[1] = w[0] * 2.0;
  EXPECT_EQ(printed(buffer), "tensor([0., 2., 0.], grad_fn=<CopySlices>)");
  // first was taken before the write; it now shares the base's history, as in PyTorch.
  EXPECT_TRUE(first.requires_grad());
  EXPECT_EQ(printed(first), "tensor(0., grad_fn=<AsStridedBackward0>)");
  buffer.sum().backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{2.0f, 0.0f, 0.0f}));
}

TEST(InPlace, WritesFreeTheirGraph) {
  std::weak_ptr<autograd::Node> buffer_node, row_node;
  {
    Tensor w = ones({3}).requires_grad_();
    Tensor buffer = zeros({2, 3});
    const Tensor row = buffer[1];
    buffer[0] = w * 2.0;
    buffer[1] = buffer[0] * 3.0;  // reads one view of the base while writing another
    buffer_node = autograd::meta_of(buffer)->refresh_view_history();
    row_node = autograd::meta_of(row)->refresh_view_history();
    // A leaf taken as a view of a tensor that it is then written into.
    Tensor scratch = zeros({2});
    Tensor leaf_view = scratch[0];
    leaf_view.requires_grad_();
    scratch[1] = leaf_view * 2.0;
    EXPECT_FALSE(buffer_node.expired());
    EXPECT_FALSE(row_node.expired());
  }
  EXPECT_TRUE(buffer_node.expired());
  EXPECT_TRUE(row_node.expired());
}

TEST(InPlace, RefusesWritesItCannotDifferentiate) {
  Tensor w = ones({2, 2}).requires_grad_();
  expect_error([&] { w += 1.0; },
               "add_: a leaf tensor that requires grad cannot be modified in place");
  expect_error([&] { w[0] = ones({2}); },
               "copy_: this tensor is a view of a leaf tensor that requires grad");
  expect_error([&] { w.T()[1] *= 2.0; },
               "mul_: this tensor is a view of a leaf tensor that requires grad");
  EXPECT_EQ(w.to_vector<float>(), std::vector<float>(4, 1.0f));
  {
    NoGradGuard no_grad;  // how optimizers update their parameters
    w[0] = zeros({2});
  }
  EXPECT_EQ(w.to_vector<float>(), (std::vector<float>{0.0f, 0.0f, 1.0f, 1.0f}));
}

TEST(InPlace, BackwardRefusesAValueOverwrittenAfterItWasSaved) {
  Tensor x = ones({2, 3}).requires_grad_();
  Tensor y = x.exp();  // exp saves its result for backward
  y[0].fill_(2.0);
  expect_error([&] { y.sum().backward(); },
               "backward: ExpBackward0: a tensor of shape [2, 3] that it saved for its gradient "
               "was modified by an in-place operation");
}

}  // namespace
}  // namespace mg
