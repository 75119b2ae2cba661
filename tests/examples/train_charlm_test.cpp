// train_charlm (examples/train_charlm.cpp) and its pieces (examples/charlm.h): the vocabulary,
// batches, schedule, baseline and sampling directly; the program itself run on a tiny model: its
// metrics, a checkpoint resumed exactly where it stopped, and its errors.
#include "charlm.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "expect_error.h"

namespace charlm {
namespace {

TEST(CharlmVocabulary, SortsTheDistinctCharactersAndRoundTrips) {
  const Vocabulary vocab = Vocabulary::of("hello\nworld");
  EXPECT_EQ(vocab.chars(), "\ndehlorw");
  const std::vector<int64_t> ids = vocab.encode("hold");
  EXPECT_EQ(ids, (std::vector<int64_t>{3, 5, 4, 1}));
  EXPECT_EQ(vocab.decode(ids), "hold");
  mg::test::expect_error(
      [&] { vocab.encode("hex"); },
      "Vocabulary: character 120 at offset 2 is not in the vocabulary of 8 characters");
  mg::test::expect_error([&] { vocab.decode({8}); }, "Vocabulary: token id 8 is outside [0, 8)");
  mg::test::expect_error([&] { Vocabulary("abca"); }, "Vocabulary: character 97 appears twice");
}

TEST(CharlmBatch, TargetsAreTheInputsShiftedByOne) {
  std::vector<int64_t> ids(50);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
  std::mt19937_64 rng = step_rng(7, 3);
  const Batch batch = random_batch(ids, 4, 8, rng);
  EXPECT_EQ(batch.inputs.shape(), (mg::Shape{4, 8}));
  EXPECT_EQ(batch.inputs.dtype(), mg::kInt64);
  const std::vector<int64_t> inputs = batch.inputs.to_vector<int64_t>();
  const std::vector<int64_t> targets = batch.targets.to_vector<int64_t>();
  for (size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(targets[i], inputs[i] + 1);
  for (size_t row = 0; row < 4; ++row) EXPECT_LE(inputs[row * 8 + 7], 48);  // a window fits

  std::mt19937_64 same = step_rng(7, 3), other = step_rng(7, 4);
  EXPECT_EQ(random_batch(ids, 4, 8, same).inputs.to_vector<int64_t>(), inputs);
  EXPECT_NE(random_batch(ids, 4, 8, other).inputs.to_vector<int64_t>(), inputs);
}

TEST(CharlmSchedule, WarmsUpLinearlyThenDecaysToATenth) {
  Config config;
  config.lr = 1.0;
  config.warmup = 10;
  config.steps = 110;
  EXPECT_DOUBLE_EQ(learning_rate(config, 5), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate(config, 10), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate(config, 60), 0.55);  // halfway down the cosine
  EXPECT_DOUBLE_EQ(learning_rate(config, 110), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate(config, 200), 0.1);
}

TEST(CharlmUnigram, IsTheCrossEntropyUnderSmoothedFrequencies) {
  // Counts plus one: token 0 has 4, token 1 has 2, token 2 has 1, out of 7.
  const std::vector<int64_t> train{0, 0, 0, 1};
  EXPECT_DOUBLE_EQ(unigram_loss(train, {0, 2}, 3), -(std::log(4.0 / 7) + std::log(1.0 / 7)) / 2);
}

TEST(CharlmSample, ContinuesThePromptWithinTheVocabulary) {
  Config config;
  config.context_length = 4;
  config.emb_dim = 8;
  config.n_heads = 2;
  config.n_layers = 1;
  Trainer trainer(config, 5);
  std::mt19937_64 rng(1);
  // Longer than the context, so the model sees only the last four tokens.
  const std::vector<int64_t> ids = sample(trainer.model, {1, 2}, 10, 0.8, 3, rng);
  ASSERT_EQ(ids.size(), 12u);
  EXPECT_EQ(ids[0], 1);
  for (const int64_t id : ids) EXPECT_TRUE(id >= 0 && id < 5) << id;
  EXPECT_TRUE(trainer.model.is_training());

  // Temperature 0 and top-1 both take the likeliest token.
  std::mt19937_64 a(2), b(3);
  EXPECT_EQ(sample(trainer.model, {1}, 6, 0.0, 0, a), sample(trainer.model, {1}, 6, 1.0, 1, b));
  mg::test::expect_error([&] { sample(trainer.model, {}, 1, 1.0, 0, rng); },
                         "sample: the prompt must hold at least one token");
}

struct Result {
  int exit_code;
  std::string output;  // stdout and stderr
};

Result run_train_charlm(const std::string& args) {
  const std::string command = std::string(MG_TRAIN_CHARLM) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  mg::check(pipe != nullptr, "cannot run ", command);
  std::string output;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

// A fresh directory per test and process (two builds may run the suite at once) for the files
// a run writes, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("train_charlm_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() { std::filesystem::remove_all(path_); }

  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A model small enough for a Debug build: one block of width 16 over windows of 16 characters.
const std::string kTiny =
    "--emb-dim 16 --heads 2 --layers 1 --context 16 --batch 4 --warmup 2 --eval-windows 4 "
    "--eval-every 0 --sample-length 40";

TEST(TrainCharlm, WritesTheMetricsAndASample) {
  const ScratchDir dir;
  const Result result = run_train_charlm(kTiny + " --steps 4 --metrics " + (dir / "m.json"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("unigram baseline"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--- sample (temperature 0.8, top-k 10) ---"), std::string::npos);
  const nlohmann::json metrics = read_json(dir / "m.json");
  for (const char* key : {"steps", "seconds", "final_loss", "val_loss", "unigram_loss"})
    EXPECT_TRUE(metrics.contains(key)) << key;
  EXPECT_EQ(metrics["steps"], 4);
  EXPECT_EQ(metrics["losses"].size(), 4u);
  EXPECT_EQ(metrics["config"]["emb_dim"], 16);
  // The default corpus: about 3 nats per character without context.
  EXPECT_NEAR(metrics["unigram_loss"].get<double>(), 3.0, 0.1);
  EXPECT_TRUE(std::isfinite(metrics["val_loss"].get<double>()));
  EXPECT_EQ(metrics["sample"].get<std::string>().size(), 41u);  // the newline prompt and 40
}

TEST(TrainCharlm, ResumesExactlyWhereItStopped) {
  const ScratchDir dir;
  const Result whole = run_train_charlm(kTiny + " --steps 6 --metrics " + (dir / "whole.json"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  const Result first =
      run_train_charlm(kTiny + " --steps 6 --stop-after 3 --save " + (dir / "ck.safetensors") +
                       " --metrics " + (dir / "first.json"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const Result rest = run_train_charlm(kTiny + " --steps 6 --resume " + (dir / "ck.safetensors") +
                                       " --metrics " + (dir / "rest.json"));
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  EXPECT_NE(rest.output.find("at step 3"), std::string::npos) << rest.output;

  const nlohmann::json losses = read_json(dir / "whole.json")["losses"];
  const nlohmann::json first_metrics = read_json(dir / "first.json");
  const nlohmann::json rest_metrics = read_json(dir / "rest.json");
  EXPECT_EQ(first_metrics["steps"], 3);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(first_metrics["losses"][i], losses[i]) << i;
  EXPECT_EQ(rest_metrics["start_step"], 3);
  EXPECT_EQ(rest_metrics["steps"], 6);
  ASSERT_EQ(rest_metrics["losses"].size(), 3u);
  // The same weights, optimizer state, batches and learning rates: the same losses, bit for bit.
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(rest_metrics["losses"][i].get<double>(), losses[3 + i].get<double>()) << i;
}

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Two processes with the same seed, dropout on: the same losses, and checkpoints (the model and
// AdamW's state) equal byte for byte.
TEST(TrainCharlm, SameSeedGivesTheSameLossesAndCheckpoints) {
  const ScratchDir dir;
  nlohmann::json losses[2];
  std::string model[2], optimizer[2];
  const std::array<const char*, 2> checkpoints{"ck0.safetensors", "ck1.safetensors"};
  const std::array<const char*, 2> metrics_files{"m0.json", "m1.json"};
  for (int run = 0; run < 2; ++run) {
    const std::string checkpoint = dir / checkpoints[run];
    const std::string metrics = dir / metrics_files[run];
    const Result result = run_train_charlm(kTiny + " --steps 4 --dropout 0.1 --seed 9 --save " +
                                           checkpoint + " --metrics " + metrics);
    ASSERT_EQ(result.exit_code, 0) << result.output;
    losses[run] = read_json(metrics)["losses"];
    model[run] = file_bytes(checkpoint);
    optimizer[run] = file_bytes(checkpoint + ".optimizer");
  }
  EXPECT_EQ(losses[0], losses[1]);
  EXPECT_GT(model[0].size(), 1000u);
  EXPECT_GT(optimizer[0].size(), 1000u);
  EXPECT_TRUE(model[0] == model[1]) << "the two model checkpoints differ";
  EXPECT_TRUE(optimizer[0] == optimizer[1]) << "the two optimizer states differ";
}

TEST(TrainCharlm, ReportsAMissingDataFile) {
  const Result result = run_train_charlm("--data /nonexistent/corpus.txt --steps 1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("train_charlm: load_corpus: cannot open /nonexistent/corpus.txt"),
            std::string::npos)
      << result.output;
}

TEST(TrainCharlm, ReportsAFileThatIsNotACheckpoint) {
  const ScratchDir dir;
  std::ofstream(dir / "not.safetensors") << "hello";
  const Result result = run_train_charlm("--resume " + (dir / "not.safetensors") + " --steps 1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("not.safetensors"), std::string::npos) << result.output;
}

TEST(TrainCharlm, HelpListsTheFlagsAndABadFlagFails) {
  const Result help = run_train_charlm("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag :
       {"--data", "--steps", "--lr", "--seed", "--emb-dim", "--heads", "--layers", "--dropout",
        "--batch", "--context", "--temperature", "--top-k", "--save", "--resume", "--metrics"})
    EXPECT_NE(help.output.find(flag), std::string::npos) << flag;
  EXPECT_EQ(run_train_charlm("--no-such-flag").exit_code, 2);
}

}  // namespace
}  // namespace charlm
