// The examples print every tensor the seed notebooks printed, as they printed it: their output
// must contain each string copied from the notebooks (tests/golden/notebook_prints.py).
// simplified_attention retells seeds 000, 002, 003 and 004; attention_walkthrough, seed 001.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "golden_reader.h"

namespace mg {
namespace {

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  check(pipe != nullptr, "cannot run ", command);
  std::string output;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get()))
    output.append(buffer.data(), n);
  return output;
}

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
  EXPECT_EQ(expect_prints(run(MG_SIMPLIFIED_ATTENTION), "seed001/", false), 15);
}

TEST(AttentionWalkthrough, PrintsAllTwentySixTensorsOfSeed001) {
  EXPECT_EQ(expect_prints(run(MG_ATTENTION_WALKTHROUGH), "seed001/", true), 26);
}

}  // namespace
}  // namespace mg
