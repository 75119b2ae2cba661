#pragma once

namespace mg {

// Whether ops record the graph, per thread, as torch.is_grad_enabled().
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// No graph is built while one is alive (torch.no_grad()); restores the previous mode on exit.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace mg
