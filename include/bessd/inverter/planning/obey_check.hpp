#pragma once
// ObeyCheck: does the device follow the command? After each poll it compares the battery power
// measured with the target held; a difference beyond the tolerance for a whole window is "not
// obeying" (docs/protection.md, "Inverter not obeying").
//
// Pure: fed measurements and times. Not thread-safe.

#include <optional>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/inverter/planning/write_planner.hpp>

namespace bessd::inverter {

struct ObeyVerdict {
  bool obeying{true};
  double measured_w{0.0};
  double commanded_w{0.0};
};

/// What the device can carry out of `held`: a stored limit it still holds below the envelope
/// (docs/profiles.md "Stored limits", loosened a minute after the envelope) bounds it, and a
/// device held there is no device that does not obey. `battery_voltage_v` turns a current limit
/// into power; absent, such a limit is not applied.
Target carried_out(Target held, const std::vector<core::HeldDeviceLimit>& held_limits,
                   std::optional<double> battery_voltage_v);

class ObeyCheck {
 public:
  ObeyCheck(double tolerance_w, Duration window) : tolerance_w_(tolerance_w), window_(window) {}

  /// The verdict once there is one: obeying as soon as the measurement is within tolerance,
  /// not obeying once it has been off for the whole window; nothing while it is off for less,
  /// or while nothing is held (no target, or released to the device's own mode).
  std::optional<ObeyVerdict> check(const Target& held, double measured_w, TimePoint now);
  /// A new command or a new link: the window starts again.
  void restart() { off_since_.reset(); }

 private:
  double tolerance_w_;
  Duration window_;
  std::optional<TimePoint> off_since_;
};

}  // namespace bessd::inverter
