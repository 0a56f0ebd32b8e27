#include <bessd/sim/bms_model.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::sim {

using core::BmsCondition;
using core::FlagState;

namespace {

double ramp(double x, double x0, double x1) {
  return std::clamp((x - x0) / (x1 - x0), 0.0, 1.0);
}

}  // namespace

core::PackState BmsModel::report(const PackModel& pack) const {
  core::PackState s;
  const int n = pack.params().series_cells;
  const double vmax = pack.cell_voltage_max_v();
  const double vmin = pack.cell_voltage_min_v();
  const double tmin = pack.cell_temperature_min_c();
  const double tmax = overrides_.force_over_temperature ? params_.over_temperature_c + 5.0
                                                        : pack.cell_temperature_max_c();
  const double soc = pack.soc_pct();

  s.voltage_v = pack.voltage_v();
  s.current_a = pack.current_a() + overrides_.current_offset_a;
  s.temperature_c = overrides_.force_over_temperature ? tmax : pack.temperature_c();
  s.soc_pct = std::round(soc);
  s.soh_pct = std::round(pack.soh_pct());
  s.cell_voltage_min_v = vmin;
  s.cell_voltage_max_v = overrides_.force_cell_over_voltage
                             ? params_.cell_over_voltage_v + 0.05
                             : overrides_.cell_voltage_max_v.value_or(vmax);
  s.cell_temperature_min_c = tmin;
  s.cell_temperature_max_c = tmax;

  // Protections (tripped) and warnings (early), from the same thresholds real packs use.
  auto set = [](core::BmsFlagSet& flags, BmsCondition c, bool active) {
    flags.set(c, active ? FlagState::active : FlagState::ok);
  };
  const double cell_vmax = *s.cell_voltage_max_v;
  const bool over_v = cell_vmax >= params_.cell_over_voltage_v;
  const bool under_v = vmin <= params_.cell_under_voltage_v || overrides_.force_cell_under_voltage;
  const bool over_t = tmax >= params_.over_temperature_c;
  const bool under_t = tmin < -20.0;
  set(s.protections, BmsCondition::cell_over_voltage, over_v);
  set(s.protections, BmsCondition::cell_under_voltage, under_v);
  set(s.protections, BmsCondition::over_temperature, over_t);
  set(s.protections, BmsCondition::under_temperature, under_t);
  set(s.protections, BmsCondition::charge_over_current, false);
  set(s.protections, BmsCondition::discharge_over_current, false);
  set(s.protections, BmsCondition::bms_internal, overrides_.force_protection_flag);
  set(s.warnings, BmsCondition::cell_over_voltage, cell_vmax >= params_.cell_high_voltage_alarm_v);
  set(s.warnings, BmsCondition::cell_under_voltage, vmin <= params_.cell_low_voltage_alarm_v);
  set(s.warnings, BmsCondition::over_temperature, tmax >= params_.high_temperature_alarm_c);
  set(s.warnings, BmsCondition::under_temperature, tmin < 0.0);
  set(s.warnings, BmsCondition::charge_over_current, false);
  set(s.warnings, BmsCondition::discharge_over_current, false);
  set(s.warnings, BmsCondition::bms_internal, false);

  // Limits: rated current, tapered near full / empty and in the cold, zero on protection.
  const double charge_taper = 1.0 - 0.9 * ramp(soc, 90.0, 100.0);
  const double discharge_taper = ramp(soc, 2.0, 10.0);
  const double cold_charge =
      tmin < params_.charge_min_temperature_c ? 0.0 : 0.2 + 0.8 * ramp(tmin, 0.0, 15.0);
  const bool charge_blocked = over_v || over_t || under_t || overrides_.force_protection_flag;
  const bool discharge_blocked = under_v || over_t || under_t || overrides_.force_protection_flag;
  double ccl = params_.rated_charge_current_a * charge_taper * cold_charge;
  double dcl = params_.rated_discharge_current_a * discharge_taper;
  if (charge_blocked) ccl = 0.0;
  if (discharge_blocked) dcl = 0.0;
  s.limits.charge_voltage_limit_v = overrides_.charge_voltage_limit_v.value_or(
      std::round(params_.cell_charge_voltage_v * n * 10.0) / 10.0);
  s.limits.charge_current_limit_a = std::round(ccl * 10.0) / 10.0;
  s.limits.discharge_current_limit_a = std::round(dcl * 10.0) / 10.0;
  s.limits.discharge_voltage_limit_v =
      std::round(params_.cell_discharge_voltage_v * n * 10.0) / 10.0;

  s.requests.charge_enable = !charge_blocked && ccl > 0.0;
  s.requests.discharge_enable = !discharge_blocked && dcl > 0.0;
  s.requests.force_charge = soc < 5.0 || overrides_.force_charge_request;
  s.requests.full_charge = false;

  s.modules.total = static_cast<std::uint16_t>(params_.modules);
  s.manufacturer = "PYLON";
  s.capacity_ah = pack.params().capacity_ah;
  return s;
}

double BmsModel::admit_current_a(const PackModel& pack, double requested_a) const {
  const auto s = report(pack);
  if (requested_a > 0) return std::min(requested_a, *s.limits.charge_current_limit_a * 1.05);
  return std::max(requested_a, -*s.limits.discharge_current_limit_a * 1.05);
}

}  // namespace bessd::sim
