// The pieces the training examples share (examples/training.h): the flag parser, the progress
// line, the metrics file and the PNG plots.
#include "training.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "expect_error.h"

namespace training {
namespace {

struct Parsed {
  std::optional<int> exit_code;
  std::string out, err;
};

// The flags every test parses: one of each type.
struct Example {
  int64_t steps = 100;
  double lr = 1e-3;
  std::string metrics;
  bool quiet = false;
  Flags flags{"example", "Trains something."};

  Example() {
    flags.add("steps", steps, "training steps");
    flags.add("lr", lr, "learning rate");
    flags.add("metrics", metrics, "JSON file for the metrics");
    flags.add("quiet", quiet, "no progress line");
  }

  Parsed parse(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    const std::optional<int> exit_code = flags.parse(args, out, err);
    return {exit_code, out.str(), err.str()};
  }
};

TEST(TrainingFlags, KeepTheirDefaultsWithoutArguments) {
  Example example;
  const Parsed parsed = example.parse({});
  EXPECT_FALSE(parsed.exit_code);
  EXPECT_EQ(example.steps, 100);
  EXPECT_EQ(example.lr, 1e-3);
  EXPECT_EQ(example.metrics, "");
  EXPECT_FALSE(example.quiet);
}

TEST(TrainingFlags, ParseSpaceAndEqualsForms) {
  Example example;
  const Parsed parsed =
      example.parse({"--steps", "250", "--lr=0.01", "--metrics", "out.json", "--quiet"});
  EXPECT_FALSE(parsed.exit_code);
  EXPECT_EQ(parsed.out + parsed.err, "");
  EXPECT_EQ(example.steps, 250);
  EXPECT_EQ(example.lr, 0.01);
  EXPECT_EQ(example.metrics, "out.json");
  EXPECT_TRUE(example.quiet);
  EXPECT_FALSE(example.parse({"--quiet=false"}).exit_code);
  EXPECT_FALSE(example.quiet);
}

TEST(TrainingFlags, HelpListsEveryFlagWithItsDefaultAndExitsZero) {
  Example example;
  const Parsed parsed = example.parse({"--steps", "7", "--help"});
  ASSERT_EQ(parsed.exit_code, 0);
  EXPECT_EQ(parsed.err, "");
  EXPECT_NE(parsed.out.find("Usage: example [flags]"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("Trains something."), std::string::npos) << parsed.out;
  for (const std::string flag : {"--steps N", "--lr X", "--metrics TEXT", "--quiet ", "--help "})
    EXPECT_NE(parsed.out.find(flag), std::string::npos) << flag << " missing from\n" << parsed.out;
  EXPECT_NE(parsed.out.find("training steps (default: 7)"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("(default: false)"), std::string::npos) << parsed.out;
  EXPECT_EQ(parsed.out, example.flags.help());
}

TEST(TrainingFlags, RejectUnknownFlagsWithAMessageAndExitCodeTwo) {
  Example example;
  const Parsed parsed = example.parse({"--steps", "5", "--stepz", "6"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_EQ(parsed.out, "");
  EXPECT_EQ(parsed.err, "example: unknown flag '--stepz'\nRun 'example --help' for the flags.\n");
}

TEST(TrainingFlags, RejectMalformedAndMissingValues) {
  Example example;
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--steps", "12x"}, "invalid value '12x' for flag '--steps'"},
           {{"--lr=fast"}, "invalid value 'fast' for flag '--lr'"},
           {{"--quiet=yes"}, "invalid value 'yes' for flag '--quiet'"},
           {{"--steps"}, "flag '--steps' needs a value"},
           {{"steps"}, "unexpected argument 'steps'"}}) {
    const Parsed parsed = example.parse(args);
    EXPECT_EQ(parsed.exit_code, 2) << message;
    EXPECT_NE(parsed.err.find(message), std::string::npos) << parsed.err;
  }
}

TEST(TrainingFlags, RefuseAFlagRegisteredTwice) {
  Example example;
  int64_t other = 0;
  EXPECT_THROW(example.flags.add("steps", other, "again"), mg::Error);
}

TEST(TrainingProgress, PrintsPlainLinesEveryPrintEveryStepsWhenNotATerminal) {
  std::ostringstream out;
  Progress progress(10, out, false, 4);
  for (int64_t step = 1; step <= 10; ++step)
    progress.update(step, 1.0 / static_cast<double>(step),
                    step == 8 ? std::optional(0.5) : std::nullopt);
  progress.finish();
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;  // steps 4, 8 and 10
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_NE(text.find("step  4/10  loss 0.2500  acc    --"), std::string::npos) << text;
  EXPECT_NE(text.find("step  8/10  loss 0.1250  acc  50.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("step 10/10  loss 0.1000  acc  50.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("steps/s"), std::string::npos) << text;
}

TEST(TrainingProgress, RedrawsOneLineInPlaceOnATerminal) {
  std::ostringstream out;
  Progress progress(3, out, true);
  for (int64_t step = 1; step <= 3; ++step) progress.update(step, 0.5);
  progress.finish();
  const std::string text = out.str();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("step 3/3"), std::string::npos) << text;
}

// An empty directory of this test's own.
std::filesystem::path output_dir() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    "minigrad_training_test" / test->test_suite_name() /
                                    test->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The PNG signature, then the IHDR chunk's big-endian width and height.
std::pair<uint32_t, uint32_t> png_size(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::string header(24, '\0');
  file.read(header.data(), 24);
  EXPECT_TRUE(file && header.starts_with("\x89PNG\r\n\x1a\n")) << path;
  const auto big_endian = [&](size_t at) {
    uint32_t value = 0;
    for (size_t i = at; i < at + 4; ++i) value = value << 8 | static_cast<unsigned char>(header[i]);
    return value;
  };
  return {big_endian(16), big_endian(20)};
}

TEST(TrainingMetrics, WritesIndentedJsonInTheGivenOrder) {
  const std::filesystem::path path = output_dir() / "metrics.json";
  write_metrics(path.string(), {{"steps", 3}, {"final_loss", 0.5}});
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{\n  \"steps\": 3,\n  \"final_loss\": 0.5\n}\n");
  mg::test::expect_error([] { write_metrics("/nonexistent-dir/metrics.json", {}); },
                         "write_metrics: cannot open /nonexistent-dir/metrics.json for writing");
}

TEST(TrainingPlots, LossCurveIsAPng) {
  const std::filesystem::path dir = output_dir();
  write_loss_curve((dir / "log.png").string(), {3.0, 1.0, 0.1, 0.05});
  write_loss_curve((dir / "linear.png").string(), {0.0, -1.0}, true);  // not positive: linear
  write_loss_curve((dir / "one.png").string(), {2.0});
  for (const char* name : {"log.png", "linear.png", "one.png"})
    EXPECT_EQ(png_size(dir / name), (std::pair<uint32_t, uint32_t>{800, 500})) << name;
  mg::test::expect_error([&] { write_loss_curve((dir / "empty.png").string(), {}); },
                         "write_loss_curve: no values to plot");
}

TEST(TrainingPlots, HeatmapsAreAPngWithAMapPerHeadAndLayer) {
  const std::filesystem::path dir = output_dir();
  const mg::Tensor weights = mg::ones({2, 3, 4, 4}) / 4.0;  // 2 layers of 3 heads, 4 tokens
  write_heatmaps((dir / "layers.png").string(), weights, 10, 1.0, {"a", "b", "SEP", "b"});
  write_heatmaps((dir / "heads.png").string(), weights[0]);
  const auto [layers_width, layers_height] = png_size(dir / "layers.png");
  const auto [heads_width, heads_height] = png_size(dir / "heads.png");
  EXPECT_GT(layers_height, heads_height);
  EXPECT_GT(heads_width, 3u * 4u * 20u) << "three maps of four 20-pixel cells side by side";
  EXPECT_GT(layers_width, 3u * 4u * 10u);
  mg::test::expect_error(
      [&] {
        write_heatmaps((dir / "bad.png").string(), mg::ones({4, 4}));
      },
      "write_heatmaps: expected weights [num_heads, T_query, T_key]");
  mg::test::expect_error(
      [&] { write_heatmaps((dir / "bad.png").string(), weights, 10, 1.0, {"a"}); },
      "write_heatmaps: expected one label per token, got 1 labels");
}

}  // namespace
}  // namespace training
