#pragma once

namespace mg {

// A switch per thread, on by default when kDefault; each Tag makes a switch of its own.
template <typename Tag, bool kDefault>
class ThreadFlag {
 public:
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  static inline thread_local bool enabled_ = kDefault;
};

// Sets Flag to kValue while alive; restores the previous value on exit.
template <typename Flag, bool kValue>
class FlagGuard {
 public:
  FlagGuard() : previous_(Flag::is_enabled()) { Flag::set_enabled(kValue); }
  ~FlagGuard() { Flag::set_enabled(previous_); }
  FlagGuard(const FlagGuard&) = delete;
  FlagGuard& operator=(const FlagGuard&) = delete;

 private:
  bool previous_;
};

// Whether ops record the graph, per thread, as torch.is_grad_enabled().
using GradMode = ThreadFlag<struct GradModeTag, true>;
// No graph is built while one is alive (torch.no_grad()).
using NoGradGuard = FlagGuard<GradMode, false>;

// Whether backward checks every gradient it computes, per thread (torch.is_anomaly_enabled()).
using AnomalyMode = ThreadFlag<struct AnomalyModeTag, false>;
// While one is alive, backward throws at the first node that returns a gradient holding NaN or
// infinity, naming the node and the shape of the input it was for, as
// torch.autograd.detect_anomaly() does.
using detect_anomaly = FlagGuard<AnomalyMode, true>;

}  // namespace mg
