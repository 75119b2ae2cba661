// Checkpoints in the safetensors format: state_dict() in torch's order, a file written by
// PyTorch (tests/golden/gen_checkpoint.py) loading into a module built from another seed and
// giving PyTorch's output, round trips bit for bit, and an mg::Error naming the file and the
// problem for every kind of corrupt, truncated or mismatched file.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "described.h"
#include "expect_error.h"
#include "golden_reader.h"

namespace mg {
namespace {

using test::described;

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

const test::Golden& checkpoint_golden() {
  static const test::Golden file("checkpoint.txt");
  return file;
}

// A file name of its own for each test, so that tests may run in parallel.
std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      (std::string("minigrad_safetensors_") + info->test_suite_name() + "_" + info->name());
  std::filesystem::create_directories(directory);
  return (directory / name).string();
}

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A file of the given header text and buffer, its length field saying `header_length`.
std::string file_bytes(const std::string& header, const std::string& buffer,
                       uint64_t header_length) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header_length >> (8 * i)) & 0xff);
  return bytes + header + buffer;
}

std::string file_bytes(const std::string& header, const std::string& buffer = "") {
  return file_bytes(header, buffer, header.size());
}

// The elements' bytes in row-major order.
std::string bytes_of(const Tensor& tensor) {
  const Tensor contiguous = tensor.contiguous();
  return dispatch_all(contiguous.dtype(), [&]<typename T>() {
    return std::string(reinterpret_cast<const char*>(contiguous.data_ptr<T>()),
                       contiguous.numel() * sizeof(T));
  });
}

void expect_identical(const NamedTensors& actual, const NamedTensors& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].first, expected[i].first);
    EXPECT_EQ(actual[i].second.dtype(), expected[i].second.dtype()) << expected[i].first;
    EXPECT_EQ(actual[i].second.shape(), expected[i].second.shape()) << expected[i].first;
    EXPECT_EQ(bytes_of(actual[i].second), bytes_of(expected[i].second)) << expected[i].first;
  }
}

TEST(StateDict, NamesAndOrderAreTorchs) {
  manual_seed(0);
  nn::MultiHeadAttention mha(3, 4, 6, 0.0, 2, true);
  nn::MultiHeadAttentionWrapper wrapper(3, 4, 6, 0.0, 2, true);
  EXPECT_EQ(described(mha.state_dict()),
            checkpoint_golden().string("checkpoint/state_dict/MultiHeadAttention"));
  EXPECT_EQ(described(wrapper.state_dict()),
            checkpoint_golden().string("checkpoint/state_dict/MultiHeadAttentionWrapper"));
}

TEST(Safetensors, PyTorchsCheckpointGivesPyTorchsOutput) {
  std::istringstream config(checkpoint_golden().string("checkpoint/config"));
  int64_t d_in = 0, d_out = 0, context_length = 0, num_heads = 0;
  bool qkv_bias = false;
  config >> d_in >> d_out >> context_length >> num_heads >> qkv_bias;
  manual_seed(7);  // gen_checkpoint.py's module came from another seed
  nn::MultiHeadAttention mha(d_in, d_out, context_length, 0.0, num_heads, qkv_bias);
  nn::load_safetensors(mha, std::string(MG_GOLDEN_DIR) + "/mha.safetensors");

  for (const auto& [name, tensor] : mha.state_dict())
    EXPECT_EQ(tensor.to_vector<double>(),
              checkpoint_golden().tensor("checkpoint/state_dict/" + name).values)
        << name;
  const test::GoldenTensor& input = checkpoint_golden().tensor("checkpoint/input");
  const test::GoldenTensor& expected = checkpoint_golden().tensor("checkpoint/out");
  const Tensor out = mha(from_vector(input.values, input.shape, input.dtype));
  ASSERT_EQ(out.shape(), expected.shape);
  const std::vector<double> values = out.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(values[i], expected.values[i], 1e-5 + 1e-4 * std::abs(expected.values[i])) << i;
}

TEST(Safetensors, EveryDtypeRoundTripsBitForBit) {
  const NamedTensors tensors{
      {"float32", tensor({{1.5, -0.0}, {NAN, INFINITY}})},
      {"float64 transposed", rand({3, 4}, kFloat64).T()},
      {"int64", tensor({-9007199254740993.0, 0.0, 42.0}, kInt64)},
      {"bool", tensor({1.0, 0.0, 1.0}, kBool)},
      {"scalar", tensor(3.25)},
      {"empty", zeros({0, 3}, kInt64)},
  };
  const std::string path = temp_path("tensors.safetensors");
  nn::save_safetensors(tensors, path, {{"format", "pt"}, {"step", "12"}});
  std::map<std::string, std::string> metadata;
  expect_identical(nn::load_safetensors(path, &metadata), tensors);
  EXPECT_EQ(metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"step", "12"}}));
}

TEST(Safetensors, FileHasTheFormatsExactBytes) {
  const std::string path = temp_path("a.safetensors");
  nn::save_safetensors({{"a", tensor({1.0, 2.0})}}, path);
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string padding((8 - header.size() % 8) % 8, ' ');
  EXPECT_EQ(read_bytes(path), file_bytes(header + padding, bytes_of(tensor({1.0, 2.0}))));
}

TEST(Safetensors, ModuleRoundTripCopiesIntoTheSameTensors) {
  manual_seed(1);
  nn::MultiHeadAttention saved(4, 6, 5, 0.0, 2, true);
  const std::string path = temp_path("mha.safetensors");
  nn::save_safetensors(saved, path);

  manual_seed(2);
  nn::MultiHeadAttention loaded(4, 6, 5, 0.0, 2, true);
  const std::vector<Tensor> handles = loaded.parameters();
  nn::load_safetensors(loaded, path);
  expect_identical(loaded.state_dict(), saved.state_dict());
  // The same tensors as before, as an optimizer holds them, still leaves requiring grad.
  const std::vector<Tensor> after = loaded.parameters();
  for (size_t i = 0; i < handles.size(); ++i) {
    EXPECT_EQ(after[i].impl_ptr(), handles[i].impl_ptr());
    EXPECT_TRUE(after[i].requires_grad());
    EXPECT_TRUE(after[i].is_leaf());
  }
  loaded(rand({2, 5, 4})).sum().backward();
  EXPECT_TRUE(handles[0].grad().defined());
}

TEST(SafetensorsErrors, PathsThatCannotBeOpened) {
  const std::string missing = temp_path("missing.safetensors");
  test::expect_error([&] { nn::load_safetensors(missing); },
                     missing + ": cannot open the file for reading");
  const std::string unwritable = temp_path("no/such/directory.safetensors");
  test::expect_error(
      [&] {
        nn::save_safetensors({{"a", tensor({1.0})}}, unwritable);
      },
      unwritable + ": cannot open the file for writing");
}

TEST(SafetensorsErrors, SavingRefusesAmbiguousNames) {
  const std::string path = temp_path("names.safetensors");
  test::expect_error(
      [&] {
        nn::save_safetensors({{"a", tensor({1.0})}, {"a", tensor({2.0})}}, path);
      },
      path + ": the name 'a' is given to two tensors");
  test::expect_error(
      [&] {
        nn::save_safetensors({{"__metadata__", tensor({1.0})}}, path);
      },
      "\"__metadata__\" names the file's metadata and cannot name a tensor");
}

// Each corrupt file, and a fragment of the error it must give.
struct Corruption {
  std::string name, bytes, error;
};

std::vector<Corruption> corruptions() {
  const std::string f32x2(8, '\0');
  const auto one = [](const std::string& info) { return "{\"a\":" + info + "}"; };
  const std::string good = one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})");
  return {
      {"empty_file", "", "the file holds 0 bytes, too few for the 8-byte header length"},
      {"short_length", std::string(5, '\0'), "the file holds 5 bytes, too few"},
      {"length_past_end", file_bytes(good, f32x2, 4000),
       "the header length 4000 runs past the end of the file (62 bytes after the length)"},
      {"length_over_limit", file_bytes(good, f32x2, 1ull << 62),
       "the header length 4611686018427387904 is over the limit of 100000000 bytes"},
      {"bad_json", file_bytes("{\"a\": [1, 2", f32x2), "the header is not valid JSON"},
      {"not_utf8", file_bytes("{\"\xff\":1}"), "the header is not valid JSON"},
      // Found by fuzz/safetensors_fuzz: nlohmann-json's number overflow escaped as its own type.
      {"number_overflow", file_bytes("{\"a\": 5e333333}"), "the header is not valid JSON"},
      {"not_an_object", file_bytes("[1, 2]"), "the header is a JSON array, not an object"},
      // Nesting deep enough to overflow the stack of a recursive parser or destructor.
      {"deeply_nested",
       file_bytes("{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}"),
       "tensor 'a' is described by a JSON array, not an object"},
      {"deeply_nested_unclosed", file_bytes("{\"a\":" + std::string(200000, '[')),
       "the header is not valid JSON"},
      {"entry_not_an_object", file_bytes(one("3")),
       "tensor 'a' is described by a JSON number, not an object"},
      {"no_dtype", file_bytes(one(R"({"shape":[2],"data_offsets":[0,8]})"), f32x2),
       "tensor 'a' has no \"dtype\" string"},
      {"dtype_not_a_string", file_bytes(one(R"({"dtype":4,"shape":[2],"data_offsets":[0,8]})")),
       "tensor 'a' has no \"dtype\" string"},
      {"unknown_dtype",
       file_bytes(one(R"({"dtype":"F16","shape":[2],"data_offsets":[0,4]})"), "abcd"),
       "tensor 'a' has dtype F16, which minigrad does not hold (F32, F64, I64 or BOOL)"},
      {"no_shape", file_bytes(one(R"({"dtype":"F32","data_offsets":[0,8]})"), f32x2),
       "tensor 'a' has no \"shape\" list of sizes"},
      {"negative_size", file_bytes(one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})")),
       "tensor 'a' has no \"shape\" list of sizes"},
      {"fractional_size", file_bytes(one(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,8]})")),
       "tensor 'a' has no \"shape\" list of sizes"},
      {"no_offsets", file_bytes(one(R"({"dtype":"F32","shape":[2]})"), f32x2),
       "tensor 'a' has no \"data_offsets\" pair [begin, end]"},
      {"three_offsets", file_bytes(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8,8]})")),
       "tensor 'a' has no \"data_offsets\" pair [begin, end]"},
      {"negative_offset", file_bytes(one(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,0]})")),
       "tensor 'a' has no \"data_offsets\" pair [begin, end]"},
      {"offsets_reversed",
       file_bytes(one(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"), f32x2),
       "tensor 'a' has data_offsets [8, 0] that end before they begin"},
      {"offsets_not_shape",
       file_bytes(one(R"({"dtype":"F64","shape":[2],"data_offsets":[0,8]})"), f32x2),
       "tensor 'a' has data_offsets [0, 8], 8 bytes, but its shape [2] of F64 takes 16"},
      {"shape_overflows",
       file_bytes(one(R"({"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]})"),
                  f32x2),
       "tensor 'a' has a shape [4611686018427387904, 4] too large to address"},
      {"offsets_past_buffer",
       file_bytes(one(R"({"dtype":"F32","shape":[2],"data_offsets":[8,16]})"), f32x2),
       "tensor 'a' has data_offsets [8, 16] but should begin at byte 0"},
      {"overlap",
       file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                  std::string(12, '\0')),
       "tensor 'b' has data_offsets [4, 12] but should begin at byte 8, where the tensor before "
       "it ends"},
      {"truncated_buffer", file_bytes(good, "abc"),
       "the tensors cover 8 bytes but the buffer after the header holds 3"},
      {"trailing_bytes", file_bytes(good, f32x2 + "x"),
       "the tensors cover 8 bytes but the buffer after the header holds 9"},
      {"metadata_not_strings",
       file_bytes(R"({"__metadata__":{"step":12},"a":{"dtype":"F32","shape":[2],)"
                  R"("data_offsets":[0,8]}})",
                  f32x2),
       "\"__metadata__\" is not an object of strings"},
      {"bool_not_0_or_1",
       file_bytes(one(R"({"dtype":"BOOL","shape":[2],"data_offsets":[0,2]})"),
                  std::string("\x01\x07", 2)),
       "tensor 'a' is BOOL but holds the byte 7 (only 0 and 1 are booleans)"},
  };
}

TEST(SafetensorsErrors, CorruptFilesNameTheFileAndTheProblem) {
  for (const Corruption& corruption : corruptions()) {
    SCOPED_TRACE(corruption.name);
    const std::string path = temp_path(corruption.name + ".safetensors");
    write_bytes(path, corruption.bytes);
    test::expect_error([&] { nn::load_safetensors(path); }, path + ": " + corruption.error);
  }
}

TEST(SafetensorsErrors, TruncatedCheckpoint) {
  manual_seed(0);
  nn::MultiHeadAttention mha(4, 6, 5, 0.0, 2);
  const std::string path = temp_path("mha.safetensors");
  nn::save_safetensors(mha, path);
  const std::string bytes = read_bytes(path);
  for (size_t size : {size_t{0}, size_t{7}, size_t{8}, size_t{40}, bytes.size() - 1}) {
    write_bytes(path, bytes.substr(0, size));
    EXPECT_THROW(nn::load_safetensors(mha, path), Error) << size;
  }
}

TEST(SafetensorsErrors, StrictLoadNamesTheMismatchAndCopiesNothing) {
  manual_seed(0);
  nn::MultiHeadAttention mha(4, 6, 5, 0.0, 2);
  const std::vector<float> before = mha.W_query.weight.to_vector<float>();
  const std::string path = temp_path("checkpoint.safetensors");
  NamedTensors state_dict = mha.state_dict();
  for (auto& [name, tensor] : state_dict) tensor = zeros_like(tensor);
  const auto expect_load_error = [&](const NamedTensors& tensors, const std::string& error) {
    nn::save_safetensors(tensors, path);
    test::expect_error([&] { nn::load_safetensors(mha, path); }, path + ": " + error);
    EXPECT_EQ(mha.W_query.weight.to_vector<float>(), before);
  };

  NamedTensors missing(state_dict.begin(), state_dict.end() - 2);
  expect_load_error(missing, "the module's 'out_proj.weight', 'out_proj.bias' are not in the file");
  NamedTensors unexpected = state_dict;
  unexpected.emplace_back("W_query.bias", zeros({6}));
  expect_load_error(unexpected, "the file's 'W_query.bias' is not in the module");
  NamedTensors wrong_shape = state_dict;
  wrong_shape.back() = {"out_proj.bias", zeros({4})};
  expect_load_error(wrong_shape,
                    "tensor 'out_proj.bias' has shape [4] in the file but [6] in the module");
  NamedTensors wrong_dtype = state_dict;
  wrong_dtype.front().second = wrong_dtype.front().second.to(kFloat64);
  expect_load_error(wrong_dtype, "tensor 'mask' has dtype F64 in the file but F32 in the module");
}

}  // namespace
}  // namespace mg
