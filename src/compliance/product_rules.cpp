// Product rules for any jurisdiction (docs/compliance.md BAT-*).

#include "rules.hpp"

#include <bessd/compliance/chemistry_limits.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace bessd::compliance::detail {

Finding check_bat_chem_01(const RuleContext& ctx) {
  auto f = make_finding("BAT-CHEM-01", "Cell limits suit the chemistry",
                        "IEC 62933-5-2 (battery kept within its limits); EU 2023/1542 Annex V; "
                        "chemistry table of docs/compliance.md (BAT-CHEM-01)",
                        Confidence::judgement);
  const auto& b = ctx.battery;
  const auto chem = std::string{config::to_string(b.chemistry)};
  const auto& d = chemistry_limits(b.chemistry);
  add_input(f, "battery.chemistry", chem);

  std::vector<std::string> problems;
  // Each configured limit must lie inside [lo, hi] of the chemistry.
  const auto within = [&](std::string_view key, const std::optional<double>& value, double lo,
                          double hi, std::string_view unit) {
    add_input(f, "battery." + std::string{key}, number(value));
    if (value && (*value < lo || *value > hi))
      problems.push_back("battery." + std::string{key} + " = " + number(*value) +
                         std::string{unit} + " is outside " + chem + "'s safe range " + number(lo) +
                         "…" + number(hi) + std::string{unit});
  };
  within("cell_voltage_max_v", b.cell_voltage_max_v, d.cell_voltage_min_v, d.cell_voltage_max_v,
         " V");
  within("cell_voltage_min_v", b.cell_voltage_min_v, d.cell_voltage_min_v, d.cell_voltage_max_v,
         " V");
  within("charge_temperature_min_c", b.charge_temperature_min_c, d.charge_temperature_min_c,
         d.charge_temperature_max_c, " °C");
  within("charge_temperature_max_c", b.charge_temperature_max_c, d.charge_temperature_min_c,
         d.charge_temperature_max_c, " °C");
  within("discharge_temperature_min_c", b.discharge_temperature_min_c,
         d.discharge_temperature_min_c, d.discharge_temperature_max_c, " °C");
  within("discharge_temperature_max_c", b.discharge_temperature_max_c,
         d.discharge_temperature_min_c, d.discharge_temperature_max_c, " °C");

  // The window each pair describes must not be empty (the loader checks only the voltages).
  const auto lims = effective_cell_limits(b);
  if (lims.charge_temperature_min_c >= lims.charge_temperature_max_c)
    problems.push_back("the charge temperature window " + number(lims.charge_temperature_min_c) +
                       "…" + number(lims.charge_temperature_max_c) + " °C is empty");
  if (lims.discharge_temperature_min_c >= lims.discharge_temperature_max_c)
    problems.push_back("the discharge temperature window " +
                       number(lims.discharge_temperature_min_c) + "…" +
                       number(lims.discharge_temperature_max_c) + " °C is empty");
  if (lims.cell_voltage_min_v >= lims.cell_voltage_max_v)
    problems.push_back("the cell voltage window " + number(lims.cell_voltage_min_v) + "…" +
                       number(lims.cell_voltage_max_v) + " V is empty");

  // A pack voltage that does not fit the cell count betrays a wrong chemistry or cell count.
  if (b.nominal_voltage_v && b.series_cells && *b.series_cells > 0) {
    const double per_cell = *b.nominal_voltage_v / static_cast<double>(*b.series_cells);
    add_input(f, "battery.nominal_voltage_v", number(b.nominal_voltage_v));
    add_input(f, "battery.series_cells", std::to_string(*b.series_cells));
    add_input(f, "nominal_cell_voltage_v", number(per_cell));
    if (per_cell < d.cell_voltage_min_v || per_cell > d.cell_voltage_max_v)
      problems.push_back("the nominal pack voltage " + number(*b.nominal_voltage_v) + " V over " +
                         std::to_string(*b.series_cells) + " cells in series is " +
                         number(per_cell) + " V per cell, impossible for " + chem +
                         " (check the chemistry, the voltage and the cell count)");
  }

  const std::string bounds =
      chem + " cells: " + number(d.cell_voltage_min_v) + "…" + number(d.cell_voltage_max_v) +
      " V, charging " + number(d.charge_temperature_min_c) + "…" +
      number(d.charge_temperature_max_c) + " °C, discharging " +
      number(d.discharge_temperature_min_c) + "…" + number(d.discharge_temperature_max_c) + " °C";
  if (!problems.empty()) {
    f.verdict = Verdict::block;
    f.message = "The configured battery limits are not safe for its chemistry: ";
    for (std::size_t i = 0; i < problems.size(); ++i) f.message += (i ? "; " : "") + problems[i];
    f.message += ". Safe bounds for " + bounds +
                 ". Copy the limits from the pack's datasheet and check battery.chemistry.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "Every configured cell limit is inside the safe bounds for " + bounds + ".";
  }
  return f;
}

Finding check_bat_cap_01(const RuleContext& ctx) {
  auto f = make_finding("BAT-CAP-01", "Nameplate energy matches the BMS",
                        "EU 2023/1542 Art. 14, Annex VII (battery data); bessd plausibility check",
                        Confidence::judgement);
  const double configured = ctx.battery.nominal_energy_kwh;
  const double tol_pct = ctx.thresholds.nameplate_tolerance_pct;
  add_input(f, "battery.nominal_energy_kwh", number(configured));
  add_input(f, "bms.nameplate_energy_kwh", number(ctx.bms_capacity_kwh));
  if (!ctx.bms_capacity_kwh) {
    f.message = "The BMS has not reported a nameplate energy (yet); the check runs when it does.";
    return f;
  }
  add_input(f, "compliance.nameplate_tolerance_pct", number(tol_pct));
  const double bms = *ctx.bms_capacity_kwh;
  const double deviation_pct = std::abs(bms - configured) / configured * 100.0;
  add_input(f, "deviation_pct", number(deviation_pct));
  if (deviation_pct > tol_pct + 1e-9) {  // tolerance: 10 % exactly is within
    f.verdict = Verdict::warn;
    f.message = "The BMS reports " + number(bms) + " kWh but the configuration says " +
                number(configured) + " kWh (" + number(deviation_pct) + " % apart, more than " +
                number(tol_pct) +
                " %). Energy caps and reports use the configured value: correct "
                "battery.nominal_energy_kwh, or check that bessd is talking to the right pack.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The BMS nameplate (" + number(bms) + " kWh) matches the configured " +
                number(configured) + " kWh within " + number(tol_pct) + " %.";
  }
  return f;
}

}  // namespace bessd::compliance::detail
