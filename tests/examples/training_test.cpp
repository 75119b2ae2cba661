// The pieces the training examples share (examples/training.h): the flag parser and the
// progress line.
#include "training.h"

#include <gtest/gtest.h>

#include <sstream>

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

}  // namespace
}  // namespace training
