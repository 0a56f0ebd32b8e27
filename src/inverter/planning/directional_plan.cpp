// Directional control (docs/profiles.md "Control"): the device takes a direction code (charge,
// discharge, idle) and an unsigned battery power, as GoodWe's EMS mode and power set do.
#include <bessd/inverter/planning/write_planner.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

Result<WritePlan> WritePlanner::directional(double target_w, const PlanInputs& in) const {
  const auto& cp = profile_.control.points;
  const DirectionCodes& codes = profile_.control.direction_codes;
  const PointSpec& direction = *profile_.point(cp.at(ControlRole::direction));
  const PointSpec& magnitude = *profile_.point(cp.at(ControlRole::magnitude));
  // inverter.invert_battery_power corrects a reading's sign; the codes name a direction of their
  // own, which no wiring turns round, so the target is not inverted here.
  (void)in.invert_battery_power;
  // At most what the register holds, toward zero: a magnitude that failed to encode would
  // leave the code to go out alone, at the old power.
  const double largest =
      (magnitude.type == registers::RegisterType::u16 ? 65535.0 : 4294967295.0) * magnitude.scale;
  const double power =
      toward_zero(std::min(std::fabs(target_w), largest), in.values.step_of(magnitude));
  const double code = power <= 0.0 ? codes.idle : (target_w > 0.0 ? codes.charge : codes.discharge);
  WritePlan plan;
  auto& out = plan.writes;
  // Both points in one request: the device never sees the new code with the old power, or the
  // old code with the new power.
  if (profile_.one_request(direction, magnitude) || profile_.one_request(magnitude, direction)) {
    // In address order: the driver merges consecutive points into one request.
    if (*direction.address < *magnitude.address) {
      out.push_back({direction.name, code});
      out.push_back({magnitude.name, power});
    } else {
      out.push_back({magnitude.name, power});
      out.push_back({direction.name, code});
    }
    return plan;
  }
  // Two requests: a change of code goes through 0 W (the power to 0, the new code, then the
  // power), so that the old direction never runs at the new power, nor the new direction at the
  // old one. Within a direction the power changes first, and the code is re-asserted.
  const auto current = in.values.value_of(direction.name);
  if (!current || *current != code) {
    out.push_back({magnitude.name, 0.0});
    out.push_back({direction.name, code});
    if (power > 0.0) out.push_back({magnitude.name, power});
    return plan;
  }
  out.push_back({magnitude.name, power});
  out.push_back({direction.name, code});
  return plan;
}

}  // namespace bessd::inverter
