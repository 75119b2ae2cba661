#pragma once

// Runs an example program from a test and keeps what it printed and how it exited.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "minigrad/tensor/error.h"

namespace mg::test {

struct CommandResult {
  int exit_code;       // the program's exit status; -1 when it did not exit normally
  std::string output;  // stdout, then stderr where the command redirects it (2>&1)
};

// `command` through the shell (popen), its stdout captured.
inline CommandResult run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  check(pipe != nullptr, "cannot run ", command);
  CommandResult result{-1, ""};
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe))
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace mg::test
