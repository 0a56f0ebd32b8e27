// Grid-setpoint control (Victron ESS): the battery is steered through the grid setpoint, and
// the device's own limit registers carry the envelope (docs/profiles.md "Control";
// docs/protocols.md "Victron GX, ESS mode 2").
#include <bessd/inverter/planning/write_planner.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

Result<WritePlan> WritePlanner::grid_setpoint(const Target& t, double target_w,
                                              const PlanInputs& in) {
  const auto& state = in.state;
  if (!state || !state->grid_power_w || !state->battery_power_w)
    return fail(ErrorCode::unsupported,
                "grid and battery power unknown: cannot derive the grid setpoint");
  const auto& cp = profile_.control.points;
  const auto& values = in.values;
  WritePlan plan;
  auto& out = plan.writes;
  // The device's own limits mirror the envelope, so they hold between bessd's setpoint
  // corrections and after bessd stops; never "no limit" (-1) while bessd commands.
  constexpr double kMaxLimitW = 2'000'000'000.0;  // s32 range; a finite envelope is far below
  // The envelope moves with the house load (site export headroom); the limit is a stored
  // setting, so it goes down to a 100 W grid: fewer flash writes, still never above.
  constexpr double kDischargeLimitStepW = 100.0;
  if (cp.count(ControlRole::discharge_limit_w))
    out.push_back(limit_write(
        cp.at(ControlRole::discharge_limit_w),
        values.toward_zero_on(
            cp.at(ControlRole::discharge_limit_w),
            toward_zero(std::clamp(t.discharge_max_w, 0.0, kMaxLimitW), kDischargeLimitStepW)),
        in.now));
  if (cp.count(ControlRole::charge_current_limit_a)) {
    // The envelope's part is paced as a stored limit; the part that lets the device carry a DC
    // load goes on top at once (docs/protocols.md, the Victron GX section).
    const std::string& point = cp.at(ControlRole::charge_current_limit_a);
    const double carried_a = std::clamp(t.charge_current_carried_load_a, 0.0, 30000.0);
    const double envelope_a = std::clamp(t.charge_current_max_a - carried_a, 0.0, 30000.0);
    PointWrite w = limit_write(point, values.toward_zero_on(point, envelope_a), in.now);
    w.value = values.toward_zero_on(point, std::min(w.value + carried_a, 30000.0));
    out.push_back(w);
  }
  // 0 V would read as "no voltage limit" on the device: an unknown CVL keeps the last one
  // (charging is at 0 A then anyway).
  if (cp.count(ControlRole::charge_voltage_limit_v) && t.charge_voltage_max_v &&
      *t.charge_voltage_max_v > 0.0)
    out.push_back(limit_write(cp.at(ControlRole::charge_voltage_limit_v),
                              values.toward_zero_on(cp.at(ControlRole::charge_voltage_limit_v),
                                                    std::min(*t.charge_voltage_max_v, 6000.0)),
                              in.now));
  const double grid = *state->grid_power_w - *state->battery_power_w + target_w;
  const std::string sp_name = in.use_fallback_setpoint && cp.count(ControlRole::setpoint_fallback)
                                  ? cp.at(ControlRole::setpoint_fallback)
                                  : cp.at(ControlRole::setpoint);
  const PointSpec& sp = *profile_.point(sp_name);
  const double device = sp.sign == SignConvention::export_positive ? -grid : grid;
  out.push_back({sp_name, std::round(device)});
  plan.grid_setpoint = std::round(device);
  return plan;
}

}  // namespace bessd::inverter
