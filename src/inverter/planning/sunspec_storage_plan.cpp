// SunSpec storage control (model 124): charge and discharge rates as a percentage of WChaMax
// (docs/profiles.md "Control"; docs/protocols.md "SunSpec inverters").
#include <bessd/inverter/planning/write_planner.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

Result<WritePlan> WritePlanner::sunspec_storage(double target_w, const PlanInputs& in) const {
  const auto& cp = profile_.control.points;
  auto ref = in.values.value_of(cp.at(ControlRole::rate_reference_w));
  if (!ref || *ref <= 0) ref = in.state ? in.state->rated_power_w : std::nullopt;
  if (!ref || *ref <= 0)
    return fail(ErrorCode::unsupported,
                "SunSpec WChaMax (and a rated power) unavailable: cannot express a rate");
  const double pct =
      in.values.toward_zero_on(cp.at(ControlRole::charge_rate_pct),
                               std::clamp(std::fabs(target_w) / *ref * 100.0, 0.0, 100.0));
  WritePlan plan;
  auto& out = plan.writes;
  if (pct <= 0.0) {
    // A zero target is a hold, written with the revert timer the safe state writes: 0 (none)
    // keeps it if bessd stops (docs/protection.md "Safe state"); a device that keeps the timer
    // as a stored setting (a Fronius GEN24) holds with the forced targets' timer instead, so
    // that the setting never changes (docs/profiles.md "Control", sunspec_storage).
    double hold_timer_s = 0.0;
    for (const auto& w : profile_.control.safe_state)
      if (w.point == cp.at(ControlRole::revert_timeout_s)) hold_timer_s = w.value;
    out.push_back({cp.at(ControlRole::discharge_rate_pct), 0.0});
    out.push_back({cp.at(ControlRole::charge_rate_pct), 0.0});
    out.push_back({cp.at(ControlRole::revert_timeout_s), hold_timer_s});
    out.push_back({cp.at(ControlRole::storage_mode), 3.0});
    return plan;
  }
  // Fronius-style forcing (docs/profiles.md): the opposite rate negative forces the battery to
  // the target rather than merely limiting it. A forced target carries the revert timer, so a
  // crashed daemon cannot leave the inverter forced. The timer goes first: after a hold (timer
  // 0) the rates must never stand, even between two Modbus writes, without it.
  const double in_pct = target_w > 0 ? pct : -pct;
  out.push_back({cp.at(ControlRole::revert_timeout_s), profile_.control.revert_timeout_s});
  out.push_back({cp.at(ControlRole::discharge_rate_pct), -in_pct});
  out.push_back({cp.at(ControlRole::charge_rate_pct), in_pct});
  if (cp.count(ControlRole::grid_charging) && target_w > 0)
    out.push_back({cp.at(ControlRole::grid_charging), 1.0});
  out.push_back({cp.at(ControlRole::storage_mode), 3.0});
  return plan;
}

}  // namespace bessd::inverter
