// format_tensor and format_python_float against PyTorch's own text: the golden cases recorded by
// tests/golden/gen_print.py, and outputs copied from the seed notebooks.
#include "minigrad/tensor/print.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/tensor/error.h"

namespace mg {
namespace {

using test::Golden;
using test::GoldenTensor;

const Golden& print_golden() {
  static const Golden golden("print.txt");
  return golden;
}

// --- Golden cases ---------------------------------------------------------------------------

struct PrintCase {
  std::string name;
  GoldenTensor input;
  std::string expected;
  std::vector<std::string> suffixes;
  PrintOptions options;
};

// "precision=2 sci_mode=True" -> PrintOptions, the inverse of gen_print.py's options record.
PrintOptions parse_options(const std::string& text) {
  PrintOptions options;
  std::istringstream fields(text);
  for (std::string field; fields >> field;) {
    const size_t equals = field.find('=');
    const std::string name = field.substr(0, equals), value = field.substr(equals + 1);
    if (name == "precision") {
      options.precision = std::stoi(value);
    } else if (name == "threshold") {
      options.threshold = std::stoll(value);
    } else if (name == "edgeitems") {
      options.edgeitems = std::stoll(value);
    } else if (name == "linewidth") {
      options.linewidth = std::stoll(value);
    } else if (name == "sci_mode") {
      if (value != "None") options.sci_mode = value == "True";
    } else {
      throw Error(str("golden: unknown print option ", field));
    }
  }
  return options;
}

// Collects the cases under `group` ("print" or "python_float"), keyed "<group>.<name>.input".
std::vector<PrintCase> load_cases(const std::string& group) {
  std::vector<PrintCase> cases;
  const Golden& golden = print_golden();
  const std::string prefix = group + ".", input_suffix = ".input";
  for (const auto& [key, tensor] : golden.tensors()) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string base = key.substr(0, key.size() - input_suffix.size());
    PrintCase test_case{
        base.substr(prefix.size()), tensor, golden.string(base + ".expected"), {}, {}};
    if (auto suffix = golden.strings().find(base + ".suffix"); suffix != golden.strings().end()) {
      test_case.suffixes.push_back(suffix->second);
    }
    if (auto options = golden.strings().find(base + ".options");
        options != golden.strings().end()) {
      test_case.options = parse_options(options->second);
    }
    cases.push_back(test_case);
  }
  return cases;
}

std::vector<PrintCase> cases_or_empty(const std::string& group) {
  try {
    return load_cases(group);
  } catch (const std::exception&) {
    return {};  // GoldenFile.HasAllCases reports the error
  }
}

// Names the case in gtest's failure messages instead of dumping its bytes.
void PrintTo(const PrintCase& test_case, std::ostream* out) {
  *out << test_case.name;
}

std::string case_name(const testing::TestParamInfo<PrintCase>& info) {
  return info.param.name;
}

// Sets print options for one test and restores the defaults after it.
class ScopedPrintOptions {
 public:
  explicit ScopedPrintOptions(const PrintOptions& options) { set_printoptions(options); }
  ~ScopedPrintOptions() { set_printoptions(PrintOptions{}); }
};

TEST(GoldenFile, HasAllCases) {
  EXPECT_GE(load_cases("print").size(), 40u);
  EXPECT_GE(load_cases("python_float").size(), 15u);
}

class FormatTensorGolden : public testing::TestWithParam<PrintCase> {};

TEST_P(FormatTensorGolden, MatchesPyTorch) {
  const PrintCase& test_case = GetParam();
  ScopedPrintOptions options(test_case.options);
  EXPECT_EQ(format_tensor(test_case.input.values, test_case.input.shape, test_case.input.dtype,
                          test_case.suffixes),
            test_case.expected);
}

INSTANTIATE_TEST_SUITE_P(Print, FormatTensorGolden, testing::ValuesIn(cases_or_empty("print")),
                         case_name);

class FormatPythonFloatGolden : public testing::TestWithParam<PrintCase> {};

TEST_P(FormatPythonFloatGolden, MatchesPython) {
  const PrintCase& test_case = GetParam();
  ASSERT_EQ(test_case.input.values.size(), 1u);
  EXPECT_EQ(format_python_float(test_case.input.values[0]), test_case.expected);
}

INSTANTIATE_TEST_SUITE_P(PythonFloat, FormatPythonFloatGolden,
                         testing::ValuesIn(cases_or_empty("python_float")), case_name);

// --- Outputs copied from the seed notebooks ---------------------------------------------------

// The numbers a printed tensor shows, read back in order: "[[ 0.0287,    -inf], ...]" gives
// {0.0287, -inf}. Printing them again must reproduce the notebook's text exactly.
std::vector<double> printed_numbers(const std::string& text) {
  std::vector<double> numbers;
  const std::string data = text.substr(0, text.rfind(']'));
  const char* cursor = data.c_str();
  while (*cursor) {
    char* end;
    const double number = std::strtod(cursor, &end);
    if (end == cursor) {
      ++cursor;
      continue;
    }
    numbers.push_back(number);
    cursor = end;
  }
  return numbers;
}

void expect_reprinted(const std::string& notebook_text, const Shape& shape,
                      const std::vector<std::string>& suffixes = {}) {
  EXPECT_EQ(format_tensor(printed_numbers(notebook_text), shape, Dtype::Float32, suffixes),
            notebook_text);
}

TEST(FormatTensorSeed, AttentionScoreScalar) {  // seed 001 cell 16
  EXPECT_EQ(format_tensor({1.5010}, {}, Dtype::Float32), "tensor(1.5010)");
}

TEST(FormatTensorSeed, SumsOfWeights) {  // seed 000: print(f"Sum: {attn_weights.sum()}")
  EXPECT_EQ(format_tensor({1.0000001192092896}, {}, Dtype::Float32), "tensor(1.0000)");
  EXPECT_EQ(format_tensor({1.0}, {}, Dtype::Float32), "tensor(1.)");
}

TEST(FormatTensorSeed, SoftmaxWeightsWrapGradFn) {  // seed 001 cell 22
  expect_reprinted(
      "tensor([[0.1525, 0.1755, 0.1751, 0.1659, 0.1602, 0.1708],\n"
      "        [0.1658, 0.1673, 0.1671, 0.1671, 0.1640, 0.1687],\n"
      "        [0.1658, 0.1673, 0.1671, 0.1671, 0.1642, 0.1685],\n"
      "        [0.1685, 0.1656, 0.1656, 0.1672, 0.1655, 0.1676],\n"
      "        [0.1657, 0.1672, 0.1673, 0.1662, 0.1682, 0.1655],\n"
      "        [0.1685, 0.1657, 0.1655, 0.1676, 0.1636, 0.1691]],\n"
      "       grad_fn=<SoftmaxBackward0>)",
      {6, 6}, {"grad_fn=<SoftmaxBackward0>"});
}

TEST(FormatTensorSeed, TrilMaskInIntMode) {  // seed 001 cell 23
  expect_reprinted(
      "tensor([[1., 0., 0., 0., 0., 0.],\n"
      "        [1., 1., 0., 0., 0., 0.],\n"
      "        [1., 1., 1., 0., 0., 0.],\n"
      "        [1., 1., 1., 1., 0., 0.],\n"
      "        [1., 1., 1., 1., 1., 0.],\n"
      "        [1., 1., 1., 1., 1., 1.]])",
      {6, 6});
}

TEST(FormatTensorSeed, CausalMaskWithNegativeInfinity) {  // seed 001 cell 26
  expect_reprinted(
      "tensor([[ 0.0287,    -inf,    -inf,    -inf,    -inf,    -inf],\n"
      "        [ 0.0007,  0.0131,    -inf,    -inf,    -inf,    -inf],\n"
      "        [ 0.0008,  0.0134,  0.0122,    -inf,    -inf,    -inf],\n"
      "        [-0.0045, -0.0288, -0.0294, -0.0159,    -inf,    -inf],\n"
      "        [ 0.0028,  0.0154,  0.0161,  0.0072,  0.0243,    -inf],\n"
      "        [-0.0054, -0.0294, -0.0308, -0.0135, -0.0478, -0.0009]],\n"
      "       grad_fn=<MaskedFillBackward0>)",
      {6, 6}, {"grad_fn=<MaskedFillBackward0>"});
}

TEST(FormatTensorSeed, TwoHeadsIn3d) {  // seed 001 cell 32
  expect_reprinted(
      "tensor([[[-0.3760, -0.1756, -0.3800,  0.1722],\n"
      "         [-0.2934,  0.0484, -0.3221,  0.1930],\n"
      "         [-0.2686,  0.1255, -0.3025,  0.1965],\n"
      "         [-0.2149,  0.1355, -0.2565,  0.1813],\n"
      "         [-0.2300,  0.1815, -0.2340,  0.1389],\n"
      "         [-0.1895,  0.1652, -0.2215,  0.1593]],\n"
      "\n"
      "        [[-0.3760, -0.1756, -0.3800,  0.1722],\n"
      "         [-0.2934,  0.0484, -0.3221,  0.1930],\n"
      "         [-0.2686,  0.1255, -0.3025,  0.1965],\n"
      "         [-0.2149,  0.1355, -0.2565,  0.1813],\n"
      "         [-0.2300,  0.1815, -0.2340,  0.1389],\n"
      "         [-0.1895,  0.1652, -0.2215,  0.1593]]], grad_fn=<CatBackward0>)",
      {2, 6, 4}, {"grad_fn=<CatBackward0>"});
}

TEST(FormatPythonFloatSeed, SumsOfWeights) {  // seed 001 cells 3 and 4
  EXPECT_EQ(format_python_float(1.0000001192092896), "1.0000001192092896");
  EXPECT_EQ(format_python_float(1.0), "1.0");
}

// --- Behaviour beyond the golden file ---------------------------------------------------------

TEST(FormatTensor, RoundsFloat32ValuesBeforeFormatting) {
  // 0.00015 is just below the half as a double, just above it as a float.
  EXPECT_EQ(format_tensor({0.00015, 0.1}, {2}, Dtype::Float32), "tensor([0.0002, 0.1000])");
  EXPECT_EQ(format_tensor({0.00015, 0.1}, {2}, Dtype::Float64),
            "tensor([0.0001, 0.1000], dtype=torch.float64)");
}

TEST(FormatTensor, NegativeNanPrintsWithoutSign) {
  EXPECT_EQ(format_tensor({-std::nan(""), 0.5}, {2}, Dtype::Float32), "tensor([   nan, 0.5000])");
  EXPECT_EQ(format_python_float(-std::nan("")), "nan");
}

TEST(FormatTensor, RejectsValuesThatDoNotFitTheShape) {
  EXPECT_THROW(format_tensor({1.0, 2.0}, {3}, Dtype::Float32), Error);
  EXPECT_THROW(format_tensor({}, {-1}, Dtype::Float32), Error);
}

TEST(SetPrintOptions, RejectsNonsense) {
  PrintOptions options;
  options.precision = -1;
  EXPECT_THROW(set_printoptions(options), Error);
  options = PrintOptions{};
  options.edgeitems = 0;
  EXPECT_THROW(set_printoptions(options), Error);
  EXPECT_EQ(print_options().precision, 4);
}

}  // namespace
}  // namespace mg
