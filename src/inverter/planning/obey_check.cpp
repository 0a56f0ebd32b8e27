#include <bessd/inverter/planning/obey_check.hpp>

#include <cmath>

namespace bessd::inverter {

std::optional<ObeyVerdict> ObeyCheck::check(const Target& held, double measured_w, TimePoint now) {
  using core::CommandKind;
  if (held.kind == CommandKind::none || held.kind == CommandKind::release) return std::nullopt;
  const double target = held.kind == CommandKind::set_power ? held.battery_power_w : 0.0;
  if (std::fabs(measured_w - target) <= tolerance_w_) {
    off_since_.reset();
    return ObeyVerdict{true, measured_w, target};
  }
  if (!off_since_) off_since_ = now;
  if (now - *off_since_ >= window_) return ObeyVerdict{false, measured_w, target};
  return std::nullopt;
}

}  // namespace bessd::inverter
