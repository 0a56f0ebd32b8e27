#pragma once
// Is a battery reading the profile says is taken at the battery (a Victron GX's battery service)
// really the battery's? On a GX whose battery monitor is the Multi it is the Multi's own DC power,
// and a DC load is not in it. The BMS measures at the battery: a reading that stays apart from
// the BMS's voltage x current for a while is not at the battery, and bessd must not take the
// inverter for covering a load it does not see (docs/devices.md, the Victron GX section).
// Pure: fed readings, time as an argument.

#include <optional>

#include <bessd/common/clock.hpp>

namespace bessd::control {

class BatteryReadingCheck {
 public:
  /// `tolerance_w`: what the two may differ by (sampling times, sensor offsets).
  explicit BatteryReadingCheck(double tolerance_w) : tolerance_w_(tolerance_w) {}

  /// The inverter's reading and the BMS's V x I, each when fresh. Returns true on the edges:
  /// when the verdict changes.
  bool update(std::optional<double> reading_w, std::optional<double> bms_w, TimePoint now);
  /// The reading has not been seen to stray from the BMS's (the default, until it does).
  bool at_battery() const { return at_battery_; }
  /// How far apart they were when the verdict last changed.
  double apart_w() const { return apart_w_; }

  static constexpr Duration kWindow = std::chrono::seconds{30};

 private:
  double tolerance_w_;
  bool at_battery_{true};
  double apart_w_{0.0};
  std::optional<TimePoint> changing_since_;  // the other verdict has held since
};

}  // namespace bessd::control
