// float64 gradcheck of every differentiable op, on broadcast and non-contiguous inputs.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <functional>
#include <string>

namespace mg {
namespace {

using Inputs = std::vector<Tensor>;

Tensor leaf(const Shape& shape) {
  return randn(shape, kFloat64).requires_grad_();
}
// A [rows, cols] leaf seen through a transpose: non-contiguous.
Tensor transposed_leaf(int64_t rows, int64_t cols) {
  return leaf({cols, rows}).T();
}

struct GradcheckCase {
  std::string name;
  std::function<Inputs()> inputs;
  std::function<Tensor(const Inputs&)> fn;
};

std::vector<GradcheckCase> cases() {
  return {
      {"add_broadcast",
       [] {
         return Inputs{leaf({2, 3}), leaf({3})};
       },
       [](const Inputs& x) { return x[0] + x[1]; }},
      {"sub_column_broadcast",
       [] {
         return Inputs{leaf({2, 1}), transposed_leaf(2, 3)};
       },
       [](const Inputs& x) { return x[0] - x[1]; }},
      {"mul_transposed",
       [] {
         return Inputs{transposed_leaf(3, 2), leaf({3, 2})};
       },
       [](const Inputs& x) { return x[0] * x[1]; }},
      {"div_broadcast_3d",
       [] {
         return Inputs{leaf({2, 1, 3}), leaf({4, 1}).exp()};
       },
       [](const Inputs& x) { return x[0] / x[1]; }},
      {"scalar_forms", [] { return Inputs{leaf({3})}; },
       [](const Inputs& x) {
         return (2.0 - x[0]) * 3.0 / (x[0].exp() + 1.0) - 1.0 / (x[0] * x[0] + 2.0);
       }},
      {"neg_exp_selected",
       [] {
         return Inputs{leaf({3, 4})};
       },
       [](const Inputs& x) { return (-x[0].select(1, 2)).exp(); }},
      {"sum_all_and_dims", [] { return Inputs{transposed_leaf(3, 4)}; },
       [](const Inputs& x) {
         return x[0].sum() + x[0].sum({1}).sum() + x[0].sum({0}, true).sum();
       }},
      {"sum_keepdim_3d",
       [] {
         return Inputs{leaf({2, 3, 4})};
       },
       [](const Inputs& x) {
         return x[0].sum({0, -1}, true) * x[0].sum({1}).unsqueeze(1);
       }},
      {"mean",
       [] {
         return Inputs{leaf({2, 3, 4})};
       },
       [](const Inputs& x) { return x[0].mean({-1}) + x[0].mean(); }},
      {"dot_selected",
       [] {
         return Inputs{leaf({3, 4}), leaf({4})};
       },
       [](const Inputs& x) { return x[0][1].dot(x[1]); }},
      {"mm_transposed",
       [] {
         return Inputs{leaf({3, 4}), transposed_leaf(4, 2)};
       },
       [](const Inputs& x) { return x[0].matmul(x[1]); }},
      {"mm_both_transposed",
       [] {
         return Inputs{transposed_leaf(3, 4), transposed_leaf(4, 2)};
       },
       [](const Inputs& x) { return matmul(x[0], x[1]); }},
      {"mv",
       [] {
         return Inputs{leaf({3, 4}), leaf({4})};
       },
       [](const Inputs& x) { return x[0].matmul(x[1]); }},
      {"vm",
       [] {
         return Inputs{leaf({3}), leaf({3, 2})};
       },
       [](const Inputs& x) { return x[0].matmul(x[1]); }},
      {"batched_broadcast",
       [] {
         return Inputs{leaf({2, 1, 3, 4}), leaf({5, 4, 2})};
       },
       [](const Inputs& x) { return x[0].matmul(x[1]); }},
      {"batched_vector",
       [] {
         return Inputs{leaf({4}), leaf({2, 4, 3})};
       },
       [](const Inputs& x) {
         return x[0].matmul(x[1]) + x[1].transpose(-2, -1).matmul(x[0]).sum();
       }},
      {"softmax_dims",
       [] {
         return Inputs{leaf({3, 4})};
       },
       [](const Inputs& x) { return x[0].softmax(-1) * x[0].softmax(0); }},
      {"softmax_transposed_3d",
       [] {
         return Inputs{leaf({2, 4, 3})};
       },
       [](const Inputs& x) { return softmax(x[0].transpose(0, 2), 1); }},
      {"stack",
       [] {
         return Inputs{leaf({2, 3}), transposed_leaf(2, 3)};
       },
       [](const Inputs& x) {
         return stack({x[0], x[1], x[0]}, 1);
       }},
      {"views",
       [] {
         return Inputs{leaf({2, 6})};
       },
       [](const Inputs& x) {
         return x[0].view({3, 4}).T().reshape({-1}).unsqueeze(0).contiguous();
       }},
      {"reshape_copies_transposed", [] { return Inputs{transposed_leaf(3, 4)}; },
       [](const Inputs& x) {
         return x[0].reshape({12}) * x[0].clone().view({3, 4}).reshape({12});
       }},
      {"permute_and_squeeze",
       [] {
         return Inputs{leaf({2, 1, 3, 4})};
       },
       [](const Inputs& x) {
         return x[0].permute({3, 0, 2, 1}).squeeze(-1).squeeze() * 2.0;
       }},
      {"slice_and_narrow_transposed", [] { return Inputs{transposed_leaf(5, 4)}; },
       [](const Inputs& x) {
         return x[0].slice(0, 1, 100, 2).narrow(-1, 1, 2) + x[0].slice(1, -1).sum();
       }},
      {"expand_broadcast_then_flatten",
       [] {
         return Inputs{leaf({3, 1}), leaf({4})};
       },
       [](const Inputs& x) {
         return (x[0].expand({2, 3, 4}) * x[1]).flatten(1);
       }},
      {"cat_transposed",
       [] {
         return Inputs{leaf({2, 3}), transposed_leaf(2, 4)};
       },
       [](const Inputs& x) {
         return cat({x[0], x[1], x[0].exp()}, -1);
       }},
      {"triu_tril_batched",
       [] {
         return Inputs{leaf({2, 3, 4})};
       },
       [](const Inputs& x) {
         return triu(x[0], 1) + x[0].transpose(1, 2).tril(-1).transpose(1, 2).sum(-1, true);
       }},
      {"causal_mask_by_multiply",
       [] {
         return Inputs{leaf({4, 3})};
       },
       [](const Inputs& x) {
         // The notebooks' simple mask: zero above the diagonal, then renormalise each row.
         const Tensor attn_weights = softmax(x[0].matmul(x[0].T()), -1);
         const Tensor masked_simple = attn_weights * tril(ones({4, 4}, kFloat64));
         return masked_simple / masked_simple.sum(-1, true);
       }},
      {"simplified_attention",
       [] {
         return Inputs{leaf({6, 3})};
       },
       [](const Inputs& x) {
         const Tensor attn_scores = x[0].matmul(x[0].T());
         return softmax(attn_scores, -1).matmul(x[0]);
       }},
  };
}

// Names the case in test listings, rather than its bytes.
void PrintTo(const GradcheckCase& gradcheck_case, std::ostream* out) {
  *out << gradcheck_case.name;
}

class Gradcheck : public ::testing::TestWithParam<GradcheckCase> {};

TEST_P(Gradcheck, MatchesCentralDifferences) {
  manual_seed(2024);
  const Inputs inputs = GetParam().inputs();
  EXPECT_TRUE(gradcheck(GetParam().fn, inputs));
}

INSTANTIATE_TEST_SUITE_P(Ops, Gradcheck, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(GradcheckItself, ReportsTheElementThatIsWrong) {
  // exp's gradient through a detached copy is zero: gradcheck must notice.
  manual_seed(1);
  const Tensor x = leaf({2});
  try {
    gradcheck([](const Inputs& in) { return in[0] * in[0].detach().exp(); }, {x});
    ADD_FAILURE() << "gradcheck accepted a wrong gradient";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("gradient mismatch for input 0, element 0"),
              std::string::npos)
        << error.what();
  }
}

TEST(GradcheckItself, WantsFloat64) {
  EXPECT_THROW(gradcheck([](const Inputs& in) { return in[0]; }, {ones({2}).requires_grad_()}),
               Error);
}

}  // namespace
}  // namespace mg
