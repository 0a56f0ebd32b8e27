#include <bessd/config/plausibility.hpp>

#include <bessd/config/relaxed_thresholds.hpp>

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

namespace bessd::config {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void energy(std::vector<ConfigIssue>& out, const std::string& pointer, double kwh,
            bool zero_is_fine) {
  if (kwh > kPlausibleEnergyMaxKwh) {
    out.push_back({pointer, num(kwh) + " kWh is more than " + num(kPlausibleEnergyMaxKwh) +
                                " kWh, unusual for a home; if this is Wh, write " +
                                num(kwh / 1000.0) + " (kWh)"});
  } else if (kwh < kPlausibleEnergyMinKwh && !(zero_is_fine && kwh == 0.0)) {
    out.push_back({pointer, num(kwh) + " kWh is less than " + num(kPlausibleEnergyMinKwh) +
                                " kWh, too small for a home battery; if this is MWh, write " +
                                num(kwh * 1000.0) + " (kWh)"});
  }
}

void power(std::vector<ConfigIssue>& out, const std::string& pointer,
           const std::optional<double>& w) {
  if (!w || *w >= kPlausiblePowerMinW || *w <= 0.0) return;
  out.push_back({pointer, num(*w) + " W is less than " + num(kPlausiblePowerMinW) +
                              " W; if this is kW, write " + num(*w * 1000.0) + " (W)"});
}

void soc(std::vector<ConfigIssue>& out, const std::string& pointer, double pct, bool zero_ok) {
  if (pct > kPlausibleSocFractionMax || (zero_ok && pct == 0.0)) return;
  out.push_back({pointer, num(pct) +
                              " % looks like a fraction; state of charge is in percent: "
                              "if you meant " +
                              num(pct * 100.0) + " %, write " + num(pct * 100.0)});
}

void clearance(std::vector<ConfigIssue>& out, const std::string& pointer,
               const std::optional<double>& m, SiteLocation where) {
  const bool inside = !is_outdoor(where) && where != SiteLocation::outbuilding_detached;
  const double max = inside ? kPlausibleClearanceMaxM : kPlausibleClearanceOutsideMaxM;
  if (!m || *m <= max) return;
  std::string fix = "if this is centimetres, write " + num(*m / 100.0);
  if (*m >= 100.0) fix += "; if millimetres, " + num(*m / 1000.0);
  out.push_back({pointer, num(*m) + " m is more than " + num(max) + " m, unusual " +
                              (inside ? "inside a home" : "around a home") +
                              "; distances are in metres: " + fix});
}

void above(std::vector<ConfigIssue>& out, const std::string& pointer,
           const std::optional<double>& v, double max, const char* unit, const char* small_unit) {
  if (!v || *v <= max) return;
  out.push_back({pointer, num(*v) + " " + unit + " is more than " + num(max) + " " + unit +
                              ", unusual for a home battery; if this is " + small_unit +
                              ", write " + num(*v / 1000.0)});
}

void small_power(std::vector<ConfigIssue>& out, const std::string& pointer, double w) {
  if (w == 0.0 || std::fabs(w) >= kPlausiblePowerMinW) return;
  out.push_back({pointer, num(w) + " W is less than " + num(kPlausiblePowerMinW) +
                              " W; if this is kW, write " + num(w * 1000.0) + " (W)"});
}

void energy_matches_capacity(std::vector<ConfigIssue>& out, const BatteryConfig& b) {
  if (!b.capacity_ah || !b.nominal_voltage_v || *b.capacity_ah <= 0.0 ||
      *b.nominal_voltage_v <= 0.0 || b.nominal_energy_kwh <= 0.0)
    return;
  const double kwh = *b.capacity_ah * *b.nominal_voltage_v / 1000.0;
  if (std::fabs(kwh - b.nominal_energy_kwh) <= kPlausibleEnergyMismatch * b.nominal_energy_kwh)
    return;
  out.push_back(
      {"/battery/nominal_energy_kwh",
       num(b.nominal_energy_kwh) + " kWh does not match capacity_ah × nominal_voltage_v = " +
           num(*b.capacity_ah) + " Ah × " + num(*b.nominal_voltage_v) + " V = " + num(kwh) +
           " kWh; one of the three is wrong (a unit: Wh, mAh, mV?)"});
}

void dwelling_only_location(std::vector<ConfigIssue>& out, const SiteConfig& site) {
  if (site.dwelling || site.location != SiteLocation::bedroom) return;
  out.push_back({"/site/dwelling",
                 "false, but the location is a bedroom: PAS 63100 applies to dwellings, and "
                 "with dwelling false none of its rules are checked; set dwelling true unless "
                 "this really is not a home"});
}

}  // namespace

std::vector<ConfigIssue> plausibility_warnings(const Config& c) {
  std::vector<ConfigIssue> out;
  energy(out, "/battery/nominal_energy_kwh", c.battery.nominal_energy_kwh, false);
  energy(out, "/site/ev_parked_kwh", c.site.ev_parked_kwh, true);
  power(out, "/inverter/rated_power_w", c.inverter.rated_power_w);
  power(out, "/battery/max_charge_power_w", c.battery.max_charge_power_w);
  power(out, "/battery/max_discharge_power_w", c.battery.max_discharge_power_w);
  // A 0 % reserve is a real choice; a 0 % or 1 % upper limit is not.
  soc(out, "/control/min_soc_pct", c.control.min_soc_pct, true);
  soc(out, "/control/max_soc_pct", c.control.max_soc_pct, false);
  const auto& cl = c.site.clearances;
  clearance(out, "/site/clearances_m/escape_route", cl.escape_route_m, c.site.location);
  clearance(out, "/site/clearances_m/door", cl.door_m, c.site.location);
  clearance(out, "/site/clearances_m/window", cl.window_m, c.site.location);
  clearance(out, "/site/clearances_m/ventilation_opening", cl.ventilation_opening_m,
            c.site.location);
  clearance(out, "/site/clearances_m/flammable_store", cl.flammable_store_m, c.site.location);
  clearance(out, "/site/ventilation/clearance_to_openings_m",
            c.site.ventilation.clearance_to_openings_m, c.site.location);
  above(out, "/battery/nominal_voltage_v", c.battery.nominal_voltage_v, kPlausiblePackVoltageMaxV,
        "V", "mV");
  above(out, "/battery/max_charge_current_a", c.battery.max_charge_current_a, kPlausibleCurrentMaxA,
        "A", "mA");
  above(out, "/battery/max_discharge_current_a", c.battery.max_discharge_current_a,
        kPlausibleCurrentMaxA, "A", "mA");
  energy_matches_capacity(out, c.battery);
  power(out, "/site/grid_export_limit_w", c.site.grid_export_limit_w);
  small_power(out, "/control/manual_setpoint_w", c.control.manual_setpoint_w);
  if (const auto& rei = c.site.fire_separation_rei;
      rei && *rei > 0.0 && *rei < kPlausibleReiMinMinutes)
    out.push_back({"/site/fire_separation_rei",
                   num(*rei) +
                       " is an REI rating in minutes (REI 30, 60, 90, 120); if this is "
                       "hours, write " +
                       num(*rei * 60.0)});
  dwelling_only_location(out, c.site);
  if (const double margin = c.limits.recovery_soc_margin_pct;
      c.control.min_soc_pct > 0.0 && margin >= c.control.min_soc_pct)
    out.push_back({"/limits/recovery_soc_margin_pct",
                   num(margin) + " points below the " + num(c.control.min_soc_pct) +
                       " % reserve is 0 % or less: the state of charge never starts a recovery "
                       "charge, only the BMS's force-charge request does; use a smaller margin"});
  // Discharging resumes only the hysteresis above the reserve: a window narrower than that and a
  // point holds the battery still in both directions (docs/protection.md, OP-SOC-01/02).
  if (const double gap = c.limits.soc_recovery_hysteresis_pct + 1.0;
      c.control.min_soc_pct < c.control.max_soc_pct &&
      c.control.max_soc_pct - c.control.min_soc_pct < gap)
    out.push_back({"/control/max_soc_pct",
                   num(c.control.max_soc_pct) + " % is less than " + num(gap) +
                       " points above min_soc_pct (" + num(c.control.min_soc_pct) +
                       " %): discharging resumes only limits.soc_recovery_hysteresis_pct above "
                       "the reserve, so the battery would stop moving in both directions"});
  if (c.limits.over_current_time_s)
    out.push_back({"/limits/over_current_time_s",
                   "has no effect: the time an inverter may take to obey (OP-I-01/02) is "
                   "/inverter/obey_window_s (now " +
                       num(c.inverter.obey_window_s) + " s); remove this key"});
  for (const auto& r : relaxed_thresholds(c.compliance))
    out.push_back({"/compliance/" + r.key,
                   num(r.value) + " is looser than bessd's default " + num(r.default_value) +
                       ": allowed, but every compliance report will say so; keep the assessment "
                       "that justifies it with the commissioning record"});
  return out;
}

}  // namespace bessd::config
