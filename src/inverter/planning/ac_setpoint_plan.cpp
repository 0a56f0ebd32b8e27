// AC-setpoint control (Fox ESS remote control, SolaX's Mode 1): the device takes the power at its
// AC port, and the battery gets the PV power plus that power (docs/profiles.md "Control"). The
// setpoint is derived from the PV power of the last poll and re-planned when the PV moves.
#include <bessd/inverter/planning/write_planner.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

namespace {

// The AC power (+ = into the device) that gives the battery `battery_w` with `pv_w` of PV, on
// the register's grid, rounded so that the battery gets no more than asked in either direction:
// down while charging, up while discharging. A battery at 0 W rounds away from a blocked
// direction (down when charging is blocked, up when only discharging is), else to the nearest
// step.
double ac_import_for(double battery_w, double pv_w, double step, const Target& t) {
  const double steps = (battery_w - pv_w) / step;
  double rounded = std::round(steps);
  if (battery_w > 0.0 || (battery_w == 0.0 && t.charge_max_w <= 0.0))
    rounded = std::floor(steps);
  else if (battery_w < 0.0 || t.discharge_max_w <= 0.0)
    rounded = std::ceil(steps);
  return rounded * step + 0.0;  // never -0
}

// The AC port carries at most the rated power: a device asked for more runs its rating (and may
// read back the rating instead of what was written). Asking for the rating is the same power,
// and a battery that gets less than asked in either direction (less charge when the AC power
// into the device is capped, less discharge when the AC power out is) is what the envelope
// allows; only with more PV than the port can take does the battery get more charge than asked,
// and that the device does at any setpoint.
double within_rating(double import_w, double step, const std::optional<double>& rating_w) {
  if (!rating_w || *rating_w <= 0.0) return import_w;
  const double cap = std::floor(*rating_w / step) * step;
  return std::clamp(import_w, -cap, cap) + 0.0;
}

}  // namespace

Result<WritePlan> WritePlanner::ac_setpoint(const Target& t, double target_w,
                                            const PlanInputs& in) const {
  WritePlan plan;
  plan.writes.push_back({profile_.control.points.at(ControlRole::setpoint), target_w});
  return with_ac_setpoint(std::move(plan), t, in);
}

Result<WritePlan> WritePlanner::with_ac_setpoint(WritePlan plan, const Target& t,
                                                 const PlanInputs& in) const {
  const std::string& name = profile_.control.points.at(ControlRole::setpoint);
  const PointSpec& sp = *profile_.point(name);
  for (auto& w : plan.writes) {
    if (w.point != name) continue;
    if (!in.state || !in.state->pv_power_w)
      return fail(ErrorCode::unsupported,
                  "PV power unknown: cannot derive the AC setpoint (the battery gets the PV "
                  "power plus the AC power)");
    const double step = in.values.step_of(sp);
    if (!(step > 0.0))
      return fail(ErrorCode::unsupported, "the scale of point " + name +
                                              " is not known yet (its scale factor was not read)");
    const double pv_w = *in.state->pv_power_w;
    const double import_w =
        within_rating(ac_import_for(w.value, pv_w, step, t), step, in.port_rating_w);
    // More PV than the port can export: the rest goes to the battery, whatever the setpoint.
    const double battery_w = pv_w + import_w;
    const double allowed_w = std::max(w.value, std::max(t.charge_max_w, 0.0));
    plan.charge_beyond_envelope_w = std::max(0.0, battery_w - allowed_w - step);
    plan.charge_allowed_w = allowed_w;
    w.value = sp.sign == SignConvention::export_positive ? -import_w + 0.0 : import_w;
    plan.planned_pv_w = pv_w;
  }
  return plan;
}

}  // namespace bessd::inverter
