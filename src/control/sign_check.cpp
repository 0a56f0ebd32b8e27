#include <algorithm>
#include <cmath>
#include <cstdio>

#include <bessd/control/sign_check.hpp>

namespace bessd::control {

namespace {

// A voltage trend is evidence of the current's direction only while the current held: after a
// load step the voltage moves with the change in IR drop (a discharge that drops from 50 to
// 20 A raises the voltage), whatever the direction. So is a current against the command: a load
// switching on and off under a charge is no sign error.
bool steady(std::optional<double> min_a, std::optional<double> max_a) {
  if (!min_a || !max_a) return false;
  const double mid = std::max(std::abs(*min_a), std::abs(*max_a));
  return *max_a - *min_a <= std::max(2.0, 0.1 * mid);
}

}  // namespace

SignCheck::Window SignCheck::open_window(TimePoint now, double sign, const core::PackState& pack) {
  // The current's range starts with the next sample: the one at the opening may still be on
  // its way from the last command.
  return Window{now, sign, pack.voltage_v, pack.soc_pct, std::nullopt, std::nullopt, 0, 0};
}

SignCheckResult SignCheck::update(const core::InverterCommand& command, const core::PackState& pack,
                                  TimePoint now) {
  const bool known = command.kind == core::CommandKind::set_power &&
                     std::abs(command.battery_power_w) >= settings_.min_command_w;
  if (!known) {
    window_.reset();
    return {};
  }
  const double sign = command.battery_power_w > 0.0 ? 1.0 : -1.0;
  if (!window_ || window_->command_sign != sign) {
    window_ = open_window(now, sign, pack);
    return {};
  }
  if (pack.current_a) {
    if (std::abs(*pack.current_a) >= settings_.min_current_a)
      (*pack.current_a > 0.0 ? window_->current_positive : window_->current_negative)++;
    window_->current_min_a =
        std::min(window_->current_min_a.value_or(*pack.current_a), *pack.current_a);
    window_->current_max_a =
        std::max(window_->current_max_a.value_or(*pack.current_a), *pack.current_a);
  }
  if (now - window_->start < settings_.window) return {};

  // Window complete: judge, then start the next one.
  const Window w = *window_;
  window_ = open_window(now, sign, pack);
  const bool held = steady(w.current_min_a, w.current_max_a);
  if (w.current_positive == w.current_negative) return {};  // no clear current evidence
  const double current_sign = w.current_positive > w.current_negative ? 1.0 : -1.0;
  double trend_sign = 0.0;
  if (w.start_soc_pct && pack.soc_pct &&
      std::abs(*pack.soc_pct - *w.start_soc_pct) >= settings_.min_soc_change_pct)
    trend_sign = *pack.soc_pct > *w.start_soc_pct ? 1.0 : -1.0;
  else if (w.start_voltage_v && pack.voltage_v && held &&
           std::abs(*pack.voltage_v - *w.start_voltage_v) >= settings_.min_voltage_change_v)
    trend_sign = *pack.voltage_v > *w.start_voltage_v ? 1.0 : -1.0;

  // The current and the trend agree against the command: the battery really goes the other
  // way, so the signs are right and the power goes elsewhere (a DC load takes the charge, the
  // inverter does not follow). The obey checks judge that (docs/protection.md), not COM-03.
  if (trend_sign != 0.0 && trend_sign == current_sign && current_sign != sign) return {};
  if (trend_sign == 0.0 && current_sign != sign && !held) return {};

  char buf[300];
  if (current_sign != sign) {
    std::snprintf(buf, sizeof buf,
                  "COM-03: bessd commanded %s but the BMS current says the battery is %s; check "
                  "the sign settings (bms.invert_current, inverter.invert_battery_power).",
                  sign > 0 ? "charging" : "discharging",
                  current_sign > 0 ? "charging" : "discharging");
    return {SignVerdict::disagrees, buf};
  }
  if (trend_sign != 0.0 && trend_sign != current_sign) {
    std::snprintf(buf, sizeof buf,
                  "COM-03: the current says the battery is %s but its voltage/state of charge "
                  "is %s; check bms.invert_current.",
                  current_sign > 0 ? "charging" : "discharging",
                  trend_sign > 0 ? "rising" : "falling");
    return {SignVerdict::disagrees, buf};
  }
  return {SignVerdict::agrees, {}};
}

}  // namespace bessd::control
