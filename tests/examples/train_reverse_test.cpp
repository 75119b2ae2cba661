// train_reverse end to end on a tiny model and a few steps (the default run, which reaches 99%
// exact match, is for a Release build): its flags, its images, its metrics, its determinism.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "run_command.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

const std::string kTinyRun =
    std::string(MG_TRAIN_REVERSE) +
    " --steps 20 --length 4 --vocab 5 --emb-dim 8 --heads 2 --layers 1 --val-size 16";

// An empty directory of this test's own, so that tests running in parallel do not share files.
fs::path output_dir() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / "minigrad_train_reverse_test" / test->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool has_png_signature(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::string signature(8, '\0');
  file.read(signature.data(), 8);
  return file && signature == "\x89PNG\r\n\x1a\n";
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

TEST(TrainReverse, TinyRunWritesBothImagesAndTheMetrics) {
  const fs::path dir = output_dir();
  const auto [exit_code, output] =
      test::run_command(kTinyRun + " --out-dir " + dir.string() + " --metrics " +
                        (dir / "metrics.json").string() + " 2>&1");
  ASSERT_EQ(exit_code, 0) << output;
  for (const char* image : {"train_reverse_loss.png", "train_reverse_attention.png"}) {
    EXPECT_TRUE(has_png_signature(dir / image)) << image;
    EXPECT_NE(output.find((dir / image).string()), std::string::npos) << output;
  }
  const nlohmann::json metrics = read_json(dir / "metrics.json");
  EXPECT_EQ(metrics.at("steps"), 20);
  EXPECT_GT(metrics.at("seconds").get<double>(), 0.0);
  EXPECT_TRUE(metrics.at("final_loss").is_number());
  const double val_exact_match = metrics.at("val_exact_match");
  EXPECT_GE(val_exact_match, 0.0);
  EXPECT_LE(val_exact_match, 1.0);
  // Not a terminal: plain progress lines, no carriage returns.
  EXPECT_NE(output.find("step 20/20  loss "), std::string::npos) << output;
  EXPECT_EQ(output.find('\r'), std::string::npos) << output;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Two processes with the same seed, dropout on: the same losses and the same trained weights,
// byte for byte.
TEST(TrainReverse, SameSeedGivesTheSameNumbersAndWeights) {
  const fs::path dir = output_dir();
  nlohmann::json runs[2];
  std::string checkpoints[2];
  for (int run = 0; run < 2; ++run) {
    const fs::path metrics = dir / ("metrics" + std::to_string(run) + ".json");
    const fs::path model = dir / ("model" + std::to_string(run) + ".safetensors");
    const auto [exit_code, output] =
        test::run_command(kTinyRun + " --dropout 0.1 --seed 5 --out-dir " + dir.string() +
                          " --metrics " + metrics.string() + " --save " + model.string() + " 2>&1");
    ASSERT_EQ(exit_code, 0) << output;
    runs[run] = read_json(metrics);
    checkpoints[run] = file_bytes(model);
  }
  EXPECT_EQ(runs[0].at("final_loss"), runs[1].at("final_loss"));
  EXPECT_EQ(runs[0].at("val_exact_match"), runs[1].at("val_exact_match"));
  EXPECT_GT(checkpoints[0].size(), 1000u);
  EXPECT_TRUE(checkpoints[0] == checkpoints[1]) << "the two checkpoints differ";
}

TEST(TrainReverse, HelpListsEveryFlag) {
  const auto [exit_code, output] = test::run_command(std::string(MG_TRAIN_REVERSE) + " --help");
  EXPECT_EQ(exit_code, 0);
  for (const char* flag : {"--steps", "--lr", "--seed", "--emb-dim", "--heads", "--layers",
                           "--dropout", "--metrics", "--save", "--help"})
    EXPECT_NE(output.find(flag), std::string::npos) << flag << " missing from\n" << output;
}

TEST(TrainReverse, UnknownFlagIsAnErrorWithExitCodeTwo) {
  const auto [exit_code, output] =
      test::run_command(std::string(MG_TRAIN_REVERSE) + " --step 5 2>&1");
  EXPECT_EQ(exit_code, 2);
  EXPECT_NE(output.find("train_reverse: unknown flag '--step'"), std::string::npos) << output;
}

TEST(TrainReverse, ImpossibleSettingsAreAnErrorWithExitCodeOne) {
  const auto [exit_code, output] =
      test::run_command(std::string(MG_TRAIN_REVERSE) + " --steps 0 2>&1");
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(output.find("train_reverse: --steps (0), --batch (32), --length (12) and --val-size "
                        "(500) must be positive and --vocab (20) at least 2"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace mg
