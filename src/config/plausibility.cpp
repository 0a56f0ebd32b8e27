#include <bessd/config/plausibility.hpp>

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
               const std::optional<double>& m) {
  if (!m || *m <= kPlausibleClearanceMaxM) return;
  out.push_back({pointer, num(*m) + " m is more than " + num(kPlausibleClearanceMaxM) +
                              " m; distances are in metres: if this is centimetres, write " +
                              num(*m / 100.0)});
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
  clearance(out, "/site/clearances_m/escape_route", cl.escape_route_m);
  clearance(out, "/site/clearances_m/door", cl.door_m);
  clearance(out, "/site/clearances_m/window", cl.window_m);
  clearance(out, "/site/clearances_m/ventilation_opening", cl.ventilation_opening_m);
  clearance(out, "/site/clearances_m/flammable_store", cl.flammable_store_m);
  clearance(out, "/site/ventilation/clearance_to_openings_m",
            c.site.ventilation.clearance_to_openings_m);
  return out;
}

}  // namespace bessd::config
