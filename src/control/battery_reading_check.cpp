#include <bessd/control/battery_reading_check.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::control {

namespace {
// Two current sensors (the BMS's, the GX's shunt) agree to a few per cent of what flows.
constexpr double kGainShare = 0.05;
}  // namespace

bool BatteryReadingCheck::update(std::optional<double> reading_w, std::optional<double> bms_w,
                                 TimePoint now) {
  if (!reading_w || !bms_w) return false;  // nothing to compare: the window waits
  if (!window_from_) window_from_ = now;
  sum_apart_w_ += *reading_w - *bms_w;
  sum_power_w_ += std::max(std::abs(*reading_w), std::abs(*bms_w));
  ++samples_;
  if (now - *window_from_ < kWindow) return false;
  const double apart_w = std::abs(sum_apart_w_ / samples_);
  const double allowed_w = std::max(tolerance_w_, kGainShare * sum_power_w_ / samples_);
  window_from_.reset();
  sum_apart_w_ = 0.0;
  sum_power_w_ = 0.0;
  samples_ = 0;
  const bool looks_at_battery = apart_w <= allowed_w;
  if (looks_at_battery == at_battery_) {
    disagreeing_windows_ = 0;
    return false;
  }
  ++disagreeing_windows_;
  if (disagreeing_windows_ < (at_battery_ ? kWindowsToStray : kWindowsToAgree)) return false;
  at_battery_ = looks_at_battery;
  apart_w_ = apart_w;
  disagreeing_windows_ = 0;
  return true;
}

}  // namespace bessd::control
