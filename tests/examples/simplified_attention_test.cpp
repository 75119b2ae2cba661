// The simplified_attention example prints every tensor the seed notebooks printed, as they
// printed it: its output must contain each string copied from the notebooks.
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

TEST(SimplifiedAttention, PrintsWhatTheNotebooksPrinted) {
  const std::string output = run(MG_SIMPLIFIED_ATTENTION);
  const test::Golden prints("notebook_prints.txt");
  ASSERT_FALSE(prints.strings().empty());
  for (const auto& [key, text] : prints.strings()) {
    if (key.starts_with("seed001/")) continue;  // chapter 3's walkthrough, not this example
    EXPECT_NE(output.find(text), std::string::npos) << key << " not printed:\n" << text;
  }
}

}  // namespace
}  // namespace mg
