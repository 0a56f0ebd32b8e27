#include <bessd/inverter/planning/obey_check.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

Target carried_out(Target held, const std::vector<core::HeldDeviceLimit>& held_limits,
                   std::optional<double> battery_voltage_v) {
  if (held.kind != core::CommandKind::set_power) return held;
  const double volts = battery_voltage_v.value_or(0.0);
  for (const auto& h : held_limits) {
    // A held limit is named by its role (WritePlanner::held_limits).
    if (h.limit == to_string(ControlRole::discharge_limit_w)) {
      held.battery_power_w = std::max(held.battery_power_w, -h.held);
    } else if (h.limit == to_string(ControlRole::charge_current_limit_a) && volts > 0.0) {
      held.battery_power_w = std::min(held.battery_power_w, h.held * volts);
    }
  }
  return held;
}

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
