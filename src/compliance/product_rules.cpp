// Product rules for any jurisdiction (docs/compliance.md BAT-*).

#include "rules.hpp"

#include <bessd/compliance/chemistry_limits.hpp>

#include <algorithm>
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

// docs/compliance.md, "BMS nameplate energy": the energy cap (PAS-ENE-01) counts the larger of
// the configured and the BMS energy, so the advice here must never be to lower the configured
// total below what is installed (a BMS may report one module of a stack).
Finding check_bat_cap_01(const RuleContext& ctx) {
  auto f = make_finding("BAT-CAP-01", "Nameplate energy matches the BMS",
                        "EU 2023/1542 Art. 14, Annex VII (battery data); bessd plausibility check",
                        Confidence::judgement);
  const double configured = ctx.battery.nominal_energy_kwh;
  const double tol_pct = ctx.thresholds.nameplate_tolerance_pct;
  const auto bms_kwh = ctx.bms_energy_kwh();
  add_input(f, "battery.nominal_energy_kwh", number(configured));
  add_input(f, "bms.nameplate_energy_kwh", number(bms_kwh));
  if (!ctx.bms) {
    f.message =
        "The BMS has not reported its installed capacity (yet); the check runs when it does. "
        "Energy caps use the configured " +
        number(configured) + " kWh.";
    return f;
  }
  const auto& n = *ctx.bms;
  add_input(f, "bms.capacity_ah", number(n.capacity_ah));
  add_input(f, "bms.voltage_basis", n.voltage_basis);
  if (n.module_count) add_input(f, "bms.module_count", std::to_string(*n.module_count));
  if (!bms_kwh) {
    f.verdict = Verdict::warn;
    f.message = "The BMS reports " + number(n.capacity_ah) +
                " Ah installed, but bessd knows no nominal voltage to turn it into kWh: set "
                "battery.nominal_voltage_v (or battery.series_cells). Until then the energy cap "
                "counts the configured " +
                number(configured) + " kWh only.";
    return f;
  }
  add_input(f, "bms.nominal_voltage_v", number(n.nominal_voltage_v));
  add_input(f, "compliance.nameplate_tolerance_pct", number(tol_pct));
  const double bms = *bms_kwh;
  const double cap_kwh = std::max(configured, bms);
  add_input(f, "energy_cap_uses_kwh", number(cap_kwh));
  const double deviation_pct = std::abs(bms - configured) / configured * 100.0;
  add_input(f, "deviation_pct", number(deviation_pct));
  const std::string reported = number(bms) + " kWh (" + number(n.capacity_ah) + " Ah × " +
                               number(n.nominal_voltage_v) + " V, " + n.voltage_basis + ")";
  const std::string cap_uses = "The energy cap (PAS-ENE-01) counts " + number(cap_kwh) +
                               " kWh, the larger of the configured and the BMS value.";
  const double within = tol_pct + 1e-9;  // tolerance: 10 % exactly is within
  if (deviation_pct <= within) {
    f.verdict = Verdict::pass;
    f.message = "The BMS nameplate " + reported + " matches the configured " + number(configured) +
                " kWh within " + number(tol_pct) + " %. " + cap_uses;
    return f;
  }
  // One module's capacity: reported × modules ≈ configured.
  if (n.module_count && *n.module_count > 1) {
    const double stack = bms * static_cast<double>(*n.module_count);
    const double stack_pct = std::abs(stack - configured) / configured * 100.0;
    add_input(f, "bms_stack_energy_kwh", number(stack));
    if (stack_pct <= within) {
      f.verdict = Verdict::pass;
      f.message = "The BMS reports " + reported + ", which is one module's capacity: × " +
                  std::to_string(*n.module_count) + " modules = " + number(stack) +
                  " kWh, matching the configured " + number(configured) + " kWh within " +
                  number(tol_pct) + " %. " + cap_uses;
      return f;
    }
  }
  f.verdict = Verdict::warn;
  f.message = "The BMS reports " + reported + " but the configuration says " + number(configured) +
              " kWh (" + number(deviation_pct) + " % apart, more than " + number(tol_pct) +
              " %). " + cap_uses + " ";
  if (bms > configured) {
    f.message += n.from_charge_voltage_limit
                     ? "The BMS value is converted at its charge-voltage limit, which overstates "
                       "it: set battery.nominal_voltage_v. "
                     : "If the pack really holds that much, correct battery.nominal_energy_kwh; ";
    f.message += "check that bessd is talking to the right pack.";
  } else {
    f.message +=
        "Do not lower battery.nominal_energy_kwh below the energy installed at this location: "
        "the BMS may report one module or part of the stack" +
        (n.module_count ? " (it counts " + std::to_string(*n.module_count) + " modules)"
                        : std::string{}) +
        ". Check that bessd is talking to the right pack.";
  }
  return f;
}

}  // namespace bessd::compliance::detail
