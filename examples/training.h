#pragma once

// What the training examples share: command-line flags with a generated --help, a progress line,
// a JSON metrics file and PNG plots (a loss curve, attention heatmaps).
#include <minigrad/minigrad.h>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace training {

// Flags registered with a default and a help line, parsed from --name VALUE or --name=VALUE; a
// bool flag is set by --name alone (or --name=true / --name=false). --help lists them all.
//   training::Flags flags("train_reverse", "Trains a small GPT to reverse sequences.");
//   int64_t steps = 1500;
//   flags.add("steps", steps, "training steps");
//   if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;
class Flags {
 public:
  Flags(std::string program, std::string description);

  // Each binds a variable that keeps its value as the default; names are unique, without "--".
  void add(const std::string& name, int64_t& value, const std::string& help);
  void add(const std::string& name, double& value, const std::string& help);
  void add(const std::string& name, std::string& value, const std::string& help);
  void add(const std::string& name, bool& value, const std::string& help);

  // Sets the bound variables from args (without the program name). Returns nothing when the
  // program should go on; else the exit code it should return: 0 after printing help to out, 2
  // after printing an error (an unknown flag, a missing or malformed value) and a hint to err.
  std::optional<int> parse(const std::vector<std::string>& args, std::ostream& out,
                           std::ostream& err);
  // The same on main's arguments, printing to std::cout and std::cerr.
  std::optional<int> parse(int argc, const char* const* argv);

  // "Usage: program [flags]", the description, then one line per flag with its default.
  std::string help() const;

 private:
  struct Flag {
    std::string name, help;
    std::variant<int64_t*, double*, std::string*, bool*> value;
  };
  void add(Flag flag);
  // Parses text into flag's variable; false when it is not a value of the flag's type.
  static bool set(const Flag& flag, const std::string& text);
  static std::string value_text(const Flag& flag);

  std::string program_, description_;
  std::vector<Flag> flags_;
};

// One line of training progress: step, loss, accuracy, steps/s and ETA. On a terminal it is
// redrawn in place at most ten times a second; elsewhere (a pipe, a file, a test) it is printed
// as a plain line every print_every steps and at the last step, so logs stay readable.
class Progress {
 public:
  // interactive defaults to whether stdout is a terminal (isatty).
  explicit Progress(int64_t total_steps, std::ostream& out, std::optional<bool> interactive = {},
                    int64_t print_every = 0);  // 0: total_steps / 10
  explicit Progress(int64_t total_steps);      // to std::cout

  // After step (1-based) finished with this loss and, when one was measured, this accuracy in
  // [0, 1] (the last one given is shown until a new one comes).
  void update(int64_t step, double loss, std::optional<double> accuracy = {});
  // Ends the redrawn line with a newline; called before printing anything else.
  void finish();

  double elapsed_seconds() const;

 private:
  std::string line(int64_t step, double loss) const;

  int64_t total_steps_, print_every_;
  std::ostream& out_;
  bool interactive_, drawn_ = false;
  std::optional<double> accuracy_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Writes metrics as indented JSON; throws mg::Error when the file cannot be written.
void write_metrics(const std::string& path, const nlohmann::ordered_json& metrics);

// A PNG line plot of loss per step: axes with ticks, the raw values in a light colour, their
// moving average in a dark one, the y axis logarithmic when log_y (and every value positive).
// Throws mg::Error when values is empty or the file cannot be written.
void write_loss_curve(const std::string& path, const std::vector<double>& values,
                      bool log_y = true);

// A PNG of attention weights [num_heads, T_query, T_key], the heads side by side left to right
// (or [num_layers, num_heads, T_query, T_key], one row of heads per layer), each cell cell_px
// square, coloured from 0 (dark) to vmax (bright) by the viridis colour map, with a colour bar.
// labels, when given, name the T tokens along both axes of each map (T_query == T_key).
// Throws mg::Error on another shape or when the file cannot be written.
void write_heatmaps(const std::string& path, const mg::Tensor& weights, int cell_px = 20,
                    double vmax = 1.0, const std::vector<std::string>& labels = {});

}  // namespace training
