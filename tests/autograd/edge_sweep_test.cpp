// The edge-shape sweep of tests/golden/gen_edges.py: every public op over 0-dim, empty, size-1,
// transposed and expanded inputs and every dim argument, replayed case by case. Where PyTorch
// raises, minigrad must throw mg::Error (in the forward, or in the backward where PyTorch refuses
// only there); where PyTorch returns, minigrad must return the same outputs, dtypes,
// requires_grad and gradients. Each op is one test, which lists its first disagreements.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "stream_scope.h"

namespace mg {
namespace {

using nlohmann::json;
using Op = std::function<std::vector<Tensor>(const std::vector<Tensor>&, const json&)>;

const test::Golden& golden() {
  static const test::Golden file("edges.txt");
  return file;
}

// gen_edges.pattern: small exact numbers, negative and positive.
Tensor pattern(const Shape& shape, Dtype dtype, int64_t salt) {
  int64_t count = 1;
  for (int64_t size : shape) count *= size;
  std::vector<double> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const int64_t code = (i * 5 + 3 * salt) % 13;
    values[static_cast<size_t>(i)] = dtype == kBool    ? static_cast<double>(code % 3 == 0)
                                     : dtype == kInt64 ? static_cast<double>(code - 6)
                                                       : static_cast<double>(code - 6) * 0.25;
  }
  return from_vector(values, shape, dtype);
}

Shape shape_of(const json& sizes) {
  Shape shape;
  for (const json& size : sizes) shape.push_back(size.get<int64_t>());
  return shape;
}

std::vector<int64_t> dims_of(const json& dims) {
  if (dims.is_number()) return {dims.get<int64_t>()};
  return dims.get<std::vector<int64_t>>();
}

Dtype dtype_named(const std::string& name) {
  for (Dtype dtype : {kFloat32, kFloat64, kInt64, kBool})
    if (dtype_name(dtype) == name) return dtype;
  throw Error("edge sweep: unknown dtype " + name);
}

// gen_edges.make_base: the leaf an input is made from.
Tensor make_base(const json& input, int64_t salt) {
  Shape shape = shape_of(input["shape"]);
  const std::string layout = input["layout"];
  if (layout == "transposed") std::swap(shape[shape.size() - 2], shape[shape.size() - 1]);
  if (layout == "expanded") shape[0] = 1;
  const Dtype dtype = dtype_named(input["dtype"]);
  Tensor base = pattern(shape, dtype, salt);
  if (input.contains("values")) {
    std::vector<double> values;
    for (const json& value : input["values"])
      values.push_back(value.is_boolean() ? static_cast<double>(value.get<bool>())
                                          : value.get<double>());
    base = from_vector(values, shape, dtype);
  }
  if (is_floating_point(dtype) && input.value("requires_grad", true)) base.requires_grad_();
  return base;
}

// gen_edges.through_layout: the operand the op sees.
Tensor through_layout(const json& input, const Tensor& base) {
  const std::string layout = input["layout"];
  if (layout == "transposed") return base.transpose(-2, -1);
  if (layout == "expanded") return base.expand(shape_of(input["shape"]));
  return base;
}

template <typename Fn>
Op unary(Fn fn) {
  return [fn](const std::vector<Tensor>& x, const json&) { return std::vector<Tensor>{fn(x[0])}; };
}

template <typename Fn>
Op binary(Fn fn) {
  return [fn](const std::vector<Tensor>& x, const json&) {
    return std::vector<Tensor>{fn(x[0], x[1])};
  };
}

// An op whose result is one tensor, from its operands and the case's arguments.
template <typename Fn>
Op with_args(Fn fn) {
  return [fn](const std::vector<Tensor>& x, const json& args) {
    return std::vector<Tensor>{fn(x, args)};
  };
}

// A reduction that takes no dim (over everything) or one dim with keepdim, as max and argmax.
template <typename All, typename AlongDim>
Op reduction(All all, AlongDim along_dim) {
  return [all, along_dim](const std::vector<Tensor>& x, const json& args) {
    if (!args.contains("dim")) return std::vector<Tensor>{all(x[0])};
    return std::vector<Tensor>{along_dim(x[0], args["dim"].get<int64_t>(), args["keepdim"])};
  };
}

template <typename Fn>
Op max_or_min(Fn fn) {
  return [fn](const std::vector<Tensor>& x, const json& args) {
    if (!args.contains("dim")) return std::vector<Tensor>{fn(x[0])};
    auto [values, indices] = fn(x[0], args["dim"].get<int64_t>(), args["keepdim"].get<bool>());
    return std::vector<Tensor>{values, indices};
  };
}

// An in-place op writes into its first operand and gives it back.
template <typename Fn>
Op in_place(Fn fn) {
  return [fn](const std::vector<Tensor>& x, const json& args) {
    Tensor target = x[0];
    fn(target, x, args);
    return std::vector<Tensor>{target};
  };
}

const std::map<std::string, Op>& ops() {
  static const std::map<std::string, Op> table = {
      {"neg", unary([](const Tensor& x) { return neg(x); })},
      {"exp", unary([](const Tensor& x) { return exp(x); })},
      {"log", unary([](const Tensor& x) { return log(x); })},
      {"sqrt", unary([](const Tensor& x) { return sqrt(x); })},
      {"abs", unary([](const Tensor& x) { return abs(x); })},
      {"tanh", unary([](const Tensor& x) { return tanh(x); })},
      {"sigmoid", unary([](const Tensor& x) { return sigmoid(x); })},
      {"relu", unary([](const Tensor& x) { return relu(x); })},
      {"clone", unary([](const Tensor& x) { return clone(x); })},
      {"contiguous", unary([](const Tensor& x) { return x.contiguous(); })},
      {"gelu", with_args([](const std::vector<Tensor>& x, const json& args) {
         return gelu(x[0], args["approximate"].get<std::string>());
       })},
      {"pow", with_args([](const std::vector<Tensor>& x, const json& args) {
         return pow(x[0], args["exponent"].get<double>());
       })},
      {"add_scalar", with_args([](const std::vector<Tensor>& x, const json& args) {
         return x[0] + args["other"].get<double>();
       })},
      {"mul_scalar", with_args([](const std::vector<Tensor>& x, const json& args) {
         return x[0] * args["other"].get<double>();
       })},
      {"rsub_scalar", with_args([](const std::vector<Tensor>& x, const json& args) {
         return args["other"].get<double>() - x[0];
       })},
      {"rdiv_scalar", with_args([](const std::vector<Tensor>& x, const json& args) {
         return args["other"].get<double>() / x[0];
       })},
      {"to", with_args([](const std::vector<Tensor>& x, const json& args) {
         return x[0].to(dtype_named(args["dtype"]));
       })},
      {"add", binary([](const Tensor& a, const Tensor& b) { return a + b; })},
      {"sub", binary([](const Tensor& a, const Tensor& b) { return a - b; })},
      {"mul", binary([](const Tensor& a, const Tensor& b) { return a * b; })},
      {"div", binary([](const Tensor& a, const Tensor& b) { return a / b; })},
      {"eq", binary([](const Tensor& a, const Tensor& b) { return eq(a, b); })},
      {"lt", binary([](const Tensor& a, const Tensor& b) { return lt(a, b); })},
      {"ge", binary([](const Tensor& a, const Tensor& b) { return ge(a, b); })},
      {"matmul", binary([](const Tensor& a, const Tensor& b) { return matmul(a, b); })},
      {"dot", binary([](const Tensor& a, const Tensor& b) { return dot(a, b); })},
      {"linear", with_args([](const std::vector<Tensor>& x, const json&) {
         return linear(x[0], x[1], x.size() > 2 ? x[2] : Tensor());
       })},
      {"sum", with_args([](const std::vector<Tensor>& x, const json& args) {
         if (!args.contains("dim")) return sum(x[0]);
         return sum(x[0], dims_of(args["dim"]), args.value("keepdim", false));
       })},
      {"mean", with_args([](const std::vector<Tensor>& x, const json& args) {
         if (!args.contains("dim")) return mean(x[0]);
         return mean(x[0], dims_of(args["dim"]), args.value("keepdim", false));
       })},
      {"var", with_args([](const std::vector<Tensor>& x, const json& args) {
         if (!args.contains("dim")) return var(x[0]);
         return var(x[0], dims_of(args["dim"]), args["unbiased"], args["keepdim"]);
       })},
      {"max",
       max_or_min([](const Tensor& x, auto... dim_keepdim) { return max(x, dim_keepdim...); })},
      {"min",
       max_or_min([](const Tensor& x, auto... dim_keepdim) { return min(x, dim_keepdim...); })},
      {"argmax", reduction([](const Tensor& x) { return argmax(x); },
                           [](const Tensor& x, int64_t dim, bool keepdim) {
                             return argmax(x, dim, keepdim);
                           })},
      {"argmin", reduction([](const Tensor& x) { return argmin(x); },
                           [](const Tensor& x, int64_t dim, bool keepdim) {
                             return argmin(x, dim, keepdim);
                           })},
      {"softmax", with_args([](const std::vector<Tensor>& x, const json& args) {
         return softmax(x[0], args["dim"].get<int64_t>());
       })},
      {"log_softmax", with_args([](const std::vector<Tensor>& x, const json& args) {
         return log_softmax(x[0], args["dim"].get<int64_t>());
       })},
      {"masked_softmax",
       binary([](const Tensor& x, const Tensor& mask) { return masked_softmax(x, mask); })},
      {"view", with_args([](const std::vector<Tensor>& x, const json& args) {
         return x[0].view(shape_of(args["shape"]));
       })},
      {"reshape", with_args([](const std::vector<Tensor>& x, const json& args) {
         return reshape(x[0], shape_of(args["shape"]));
       })},
      {"transpose", with_args([](const std::vector<Tensor>& x, const json& args) {
         return transpose(x[0], args["dim0"], args["dim1"]);
       })},
      {"permute", with_args([](const std::vector<Tensor>& x, const json& args) {
         return permute(x[0], args["dims"].get<std::vector<int64_t>>());
       })},
      {"unsqueeze", with_args([](const std::vector<Tensor>& x, const json& args) {
         return unsqueeze(x[0], args["dim"]);
       })},
      {"squeeze", with_args([](const std::vector<Tensor>& x, const json& args) {
         return args.contains("dim") ? squeeze(x[0], args["dim"].get<int64_t>()) : squeeze(x[0]);
       })},
      {"flatten", with_args([](const std::vector<Tensor>& x, const json& args) {
         return flatten(x[0], args["start_dim"], args["end_dim"]);
       })},
      {"expand", with_args([](const std::vector<Tensor>& x, const json& args) {
         return x[0].expand(shape_of(args["shape"]));
       })},
      {"select", with_args([](const std::vector<Tensor>& x, const json& args) {
         return select(x[0], args["dim"], args["index"]);
       })},
      {"slice", with_args([](const std::vector<Tensor>& x, const json& args) {
         return x[0].slice(args["dim"], args["start"], args["end"], args["step"]);
       })},
      {"narrow", with_args([](const std::vector<Tensor>& x, const json& args) {
         return narrow(x[0], args["dim"], args["start"], args["length"]);
       })},
      {"triu", with_args([](const std::vector<Tensor>& x, const json& args) {
         return triu(x[0], args["diagonal"].get<int64_t>());
       })},
      {"tril", with_args([](const std::vector<Tensor>& x, const json& args) {
         return tril(x[0], args["diagonal"].get<int64_t>());
       })},
      {"cat", with_args([](const std::vector<Tensor>& x, const json& args) {
         return cat(x, args["dim"].get<int64_t>());
       })},
      {"stack", with_args([](const std::vector<Tensor>& x, const json& args) {
         return stack(x, args["dim"].get<int64_t>());
       })},
      {"where", with_args([](const std::vector<Tensor>& x, const json&) {
         return where(x[0], x[1], x[2]);
       })},
      {"masked_fill", with_args([](const std::vector<Tensor>& x, const json& args) {
         return masked_fill(x[0], x[1], args["value"].get<double>());
       })},
      {"dropout", with_args([](const std::vector<Tensor>& x, const json& args) {
         manual_seed(7);
         return dropout(x[0], args["p"].get<double>());
       })},
      {"embedding", binary([](const Tensor& weight, const Tensor& indices) {
         return embedding(weight, indices);
       })},
      {"cross_entropy", binary([](const Tensor& logits, const Tensor& targets) {
         return cross_entropy(logits, targets);
       })},
      {"layer_norm", with_args([](const std::vector<Tensor>& x, const json& args) {
         return layer_norm(x[0], shape_of(args["normalized_shape"]), x.size() > 1 ? x[1] : Tensor(),
                           x.size() > 2 ? x[2] : Tensor());
       })},
      {"sdpa", with_args([](const std::vector<Tensor>& x, const json& args) {
         std::optional<double> scale;
         if (args.contains("scale")) scale = args["scale"].get<double>();
         return scaled_dot_product_attention(x[0], x[1], x[2], x.size() > 3 ? x[3] : Tensor(), 0.0,
                                             args.value("is_causal", false), scale);
       })},
      {"add_",
       in_place([](Tensor& target, const std::vector<Tensor>& x, const json&) { target += x[1]; })},
      {"sub_",
       in_place([](Tensor& target, const std::vector<Tensor>& x, const json&) { target -= x[1]; })},
      {"mul_",
       in_place([](Tensor& target, const std::vector<Tensor>& x, const json&) { target *= x[1]; })},
      {"div_",
       in_place([](Tensor& target, const std::vector<Tensor>& x, const json&) { target /= x[1]; })},
      {"copy_", in_place([](Tensor& target, const std::vector<Tensor>& x, const json&) {
         target.copy_(x[1]);
       })},
      {"fill_", in_place([](Tensor& target, const std::vector<Tensor>&, const json& args) {
         target.fill_(args["value"].get<double>());
       })},
      {"masked_fill_", in_place([](Tensor& target, const std::vector<Tensor>& x, const json& args) {
         target.masked_fill_(x[1], args["value"].get<double>());
       })},
  };
  return table;
}

bool writes_in_place(const std::string& op) {
  return op.ends_with('_');
}

std::string describe(const Tensor& tensor) {
  std::ostringstream text;
  text << dtype_name(tensor.dtype()) << " [";
  for (size_t d = 0; d < tensor.shape().size(); ++d) text << (d ? ", " : "") << tensor.shape()[d];
  text << "]";
  return text.str();
}

// Why `actual` is not PyTorch's `expected`, or nothing: the same dtype and shape, and values
// within float32 rounding of sums ordered otherwise (|diff| <= 1e-6 + 1e-5 |expected|), NaN
// where PyTorch has NaN and the same infinities.
std::optional<std::string> difference(const Tensor& actual, const test::GoldenTensor& expected) {
  if (actual.dtype() != expected.dtype || actual.shape() != expected.shape) {
    Tensor reference = zeros(expected.shape, expected.dtype);
    return describe(actual) + " where PyTorch has " + describe(reference);
  }
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    const double want = expected.values[i];
    const bool same = std::isnan(want) ? std::isnan(values[i])
                      : std::isinf(want)
                          ? values[i] == want
                          : std::abs(values[i] - want) <= 1e-6 + 1e-5 * std::abs(want);
    if (!same)
      return "element " + std::to_string(i) + " is " + std::to_string(values[i]) +
             " where PyTorch has " + std::to_string(want);
  }
  return std::nullopt;
}

// Runs case `key` and returns how minigrad disagrees with PyTorch, or nothing.
std::optional<std::string> disagreement(const std::string& key) {
  const test::Golden& file = golden();
  const json spec = json::parse(file.string(key));
  const std::string op = spec["op"];
  const json& inputs = spec["inputs"];
  const bool pytorch_raises = file.has_string(key + "/error");
  std::vector<Tensor> bases, operands;
  for (size_t i = 0; i < inputs.size(); ++i) {
    bases.push_back(make_base(inputs[i], static_cast<int64_t>(i)));
    const Tensor& written = i == 0 && writes_in_place(op) ? bases[i].clone() : bases[i];
    operands.push_back(through_layout(inputs[i], written));
  }
  std::vector<Tensor> outputs;
  try {
    outputs = ops().at(op)(operands, spec["args"]);
    if (pytorch_raises) {
      if (outputs[0].requires_grad())
        outputs[0].backward(pattern(outputs[0].shape(), outputs[0].dtype(), 7));
      return "PyTorch raises (" + file.string(key + "/error") + ") but minigrad returns " +
             describe(outputs[0]);
    }
  } catch (const Error& error) {
    if (pytorch_raises) return std::nullopt;
    return std::string("minigrad throws (") + error.what() + ") where PyTorch returns";
  } catch (const std::exception& error) {
    return std::string("minigrad throws a non-mg::Error: ") + error.what();
  }

  for (size_t i = 0; i < outputs.size(); ++i)
    if (auto why = difference(outputs[i], file.tensor(key + "/out" + std::to_string(i))))
      return "out" + std::to_string(i) + ": " + *why;
  const bool requires_grad = file.string(key + "/requires_grad") == "true";
  if (outputs[0].requires_grad() != requires_grad)
    return std::string("requires_grad is ") + (requires_grad ? "false" : "true") +
           " where PyTorch has " + (requires_grad ? "true" : "false");
  if (!requires_grad || file.has_string(key + "/backward_skipped")) return std::nullopt;
  try {
    outputs[0].backward(pattern(outputs[0].shape(), outputs[0].dtype(), 7));
  } catch (const Error& error) {
    return std::string("backward throws (") + error.what() + ") where PyTorch's returns";
  }
  for (size_t i = 0; i < bases.size(); ++i) {
    const std::string grad_key = key + "/grad" + std::to_string(i);
    if (file.has_string(key + "/no_grad" + std::to_string(i))) {
      if (bases[i].grad().defined())
        return "input " + std::to_string(i) +
               " has a gradient "
               "where PyTorch's is None";
    } else if (file.tensors().contains(grad_key)) {
      if (!bases[i].grad().defined())
        return "input " + std::to_string(i) + " has no gradient where PyTorch has one";
      if (auto why = difference(bases[i].grad(), file.tensor(grad_key)))
        return "grad" + std::to_string(i) + ": " + *why;
    }
  }
  return std::nullopt;
}

// The keys of every case, "edges/00000" onwards, with their ops.
std::vector<std::pair<std::string, std::string>> all_cases() {
  std::vector<std::pair<std::string, std::string>> cases;
  for (const auto& [key, text] : golden().strings())
    if (std::count(key.begin(), key.end(), '/') == 1)
      cases.emplace_back(key, json::parse(text)["op"].get<std::string>());
  return cases;
}

TEST(EdgeSweep, CoversEveryOpWithThousandsOfCases) {
  const auto cases = all_cases();
  std::map<std::string, int> per_op;
  for (const auto& [key, op] : cases) ++per_op[op];
  for (const auto& [op, fn] : ops()) EXPECT_TRUE(per_op.contains(op)) << op << " has no case";
  for (const auto& [op, count] : per_op) EXPECT_TRUE(ops().contains(op)) << op << " is unknown";
  std::cout << "edge sweep: " << cases.size() << " generated cases over " << per_op.size()
            << " ops\n";
  EXPECT_GE(cases.size(), 3000u);
}

class EdgeSweepOp : public testing::TestWithParam<std::string> {};

TEST_P(EdgeSweepOp, AgreesWithPyTorch) {
  test::StreamScope debian_masks(DropoutStream::NonMkl);
  int cases = 0, raising = 0, disagreements = 0;
  for (const auto& [key, op] : all_cases()) {
    if (op != GetParam()) continue;
    ++cases;
    raising += golden().has_string(key + "/error");
    if (auto why = disagreement(key)) {
      if (++disagreements <= 20)
        ADD_FAILURE() << key << " " << golden().string(key) << ": " << *why;
    }
  }
  std::cout << GetParam() << ": " << cases << " cases (" << raising << " raise in PyTorch), "
            << disagreements << " disagreements\n";
  EXPECT_EQ(disagreements, 0);
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& [op, fn] : ops()) names.push_back(op);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Ops, EdgeSweepOp, testing::ValuesIn(op_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           const std::string& op = info.param;
                           return writes_in_place(op) ? op + "inplace" : op;
                         });

}  // namespace
}  // namespace mg
