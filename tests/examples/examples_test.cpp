// The examples print every tensor the seed notebooks printed, as they printed it: their output
// must contain each string copied from the notebooks (tests/golden/notebook_prints.py).
// simplified_attention retells seeds 000, 002, 003 and 004; attention_walkthrough, seed 001.
#include <gtest/gtest.h>

#include <string>

#include "golden_reader.h"
#include "run_command.h"

namespace mg {
namespace {

// Expects `output` to contain the text of every print whose key does or does not (`wanted`)
// start with `prefix`; returns how many it checked.
int expect_prints(const std::string& output, const std::string& prefix, bool wanted) {
  const test::Golden prints("notebook_prints.txt");
  int checked = 0;
  for (const auto& [key, text] : prints.strings()) {
    if (key.starts_with(prefix) != wanted) continue;
    ++checked;
    EXPECT_NE(output.find(text), std::string::npos) << key << " not printed:\n" << text;
  }
  return checked;
}

TEST(SimplifiedAttention, PrintsWhatTheNotebooksPrinted) {
  EXPECT_EQ(expect_prints(test::run_command(MG_SIMPLIFIED_ATTENTION).output, "seed001/", false),
            15);
}

TEST(AttentionWalkthrough, PrintsAllTwentySixTensorsOfSeed001) {
  EXPECT_EQ(expect_prints(test::run_command(MG_ATTENTION_WALKTHROUGH).output, "seed001/", true),
            26);
}

}  // namespace
}  // namespace mg
