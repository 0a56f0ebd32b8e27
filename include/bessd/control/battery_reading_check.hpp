#pragma once
// Is a battery reading the profile says is taken at the battery (a Victron GX's battery service)
// really the battery's? On a GX whose battery monitor is the Multi it is the Multi's own DC power,
// and a DC load is not in it. The BMS measures at the battery: a reading that stays apart from
// the BMS's voltage x current on average is not at the battery, and bessd must not take the
// inverter for covering a load it does not see (docs/protocols.md, the Victron GX section).
// Pure: fed readings, time as an argument.

#include <optional>

#include <bessd/common/clock.hpp>

namespace bessd::control {

class BatteryReadingCheck {
 public:
  /// `tolerance_w`: what the two may differ by on average (sensor offsets).
  explicit BatteryReadingCheck(double tolerance_w) : tolerance_w_(tolerance_w) {}

  /// The inverter's reading and the BMS's V x I, each when fresh. Returns true on the edges:
  /// when the verdict changes.
  bool update(std::optional<double> reading_w, std::optional<double> bms_w, TimePoint now);
  /// The reading has not been seen to stray from the BMS's (the default, until it does).
  bool at_battery() const { return at_battery_; }
  /// How far apart they were on average when the verdict last changed.
  double apart_w() const { return apart_w_; }

  /// Judged on the average of each window: a DC load that cycles faster than a window still
  /// moves the average by its share, while the two meters sampling a ramp at different moments
  /// average out.
  static constexpr Duration kWindow = std::chrono::seconds{30};
  /// Windows in a row that must disagree with the verdict to turn it to "not at the battery":
  /// one ramp or load step within a window is not enough.
  static constexpr int kWindowsToStray = 2;
  /// ... and to turn it back: a GX's battery monitor does not change by itself, and a load that
  /// is off for a minute must not bring the inverter's own reading back into use each time.
  static constexpr int kWindowsToAgree = 10;

 private:
  double tolerance_w_;
  bool at_battery_{true};
  double apart_w_{0.0};
  std::optional<TimePoint> window_from_;
  double sum_apart_w_{0.0};  // reading - BMS, signed: a DC load has one sign
  double sum_power_w_{0.0};
  int samples_{0};
  int disagreeing_windows_{0};
};

}  // namespace bessd::control
