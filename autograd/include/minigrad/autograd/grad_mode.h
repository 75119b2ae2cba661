#pragma once

namespace mg {

// Whether ops record the graph, per thread, as torch.is_grad_enabled().
class GradMode {
 public:
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  static inline thread_local bool enabled_ = true;
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

// Whether backward checks every gradient it computes, per thread (torch.is_anomaly_enabled()).
class AnomalyMode {
 public:
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  static inline thread_local bool enabled_ = false;
};

// While one is alive, backward throws at the first node that returns a gradient holding NaN or
// infinity, naming the node and the shape of the input it was for, as
// torch.autograd.detect_anomaly() does. Restores the previous mode on exit.
class detect_anomaly {
 public:
  detect_anomaly() : previous_(AnomalyMode::is_enabled()) { AnomalyMode::set_enabled(true); }
  ~detect_anomaly() { AnomalyMode::set_enabled(previous_); }
  detect_anomaly(const detect_anomaly&) = delete;
  detect_anomaly& operator=(const detect_anomaly&) = delete;

 private:
  bool previous_;
};

}  // namespace mg
