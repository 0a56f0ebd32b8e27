#include <bessd/control/battery_reading_check.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::control {

bool BatteryReadingCheck::update(std::optional<double> reading_w, std::optional<double> bms_w,
                                 TimePoint now) {
  if (!reading_w || !bms_w) {
    changing_since_.reset();  // nothing to compare: the verdict stays
    return false;
  }
  const double apart_w = std::abs(*reading_w - *bms_w);
  // A tenth of the larger figure besides: two meters at different moments of a ramp.
  const double allowed_w =
      std::max(tolerance_w_, 0.1 * std::max(std::abs(*reading_w), std::abs(*bms_w)));
  const bool looks_at_battery = apart_w <= allowed_w;
  if (looks_at_battery == at_battery_) {
    changing_since_.reset();
    return false;
  }
  if (!changing_since_) changing_since_ = now;
  if (now - *changing_since_ < kWindow) return false;
  at_battery_ = looks_at_battery;
  apart_w_ = apart_w;
  changing_since_.reset();
  return true;
}

}  // namespace bessd::control
