#include <bessd/limits/breakpoints.hpp>
#include <bessd/limits/chemistry.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::limits {

LimitsSettings LimitsSettings::from_config(const config::Config& cfg) {
  const auto& bat = cfg.battery;
  const ChemistryDefaults& chem = chemistry_defaults(bat.chemistry);
  LimitsSettings s;
  s.chemistry = bat.chemistry;
  s.cell_voltage_max_v = bat.cell_voltage_max_v.value_or(chem.cell_voltage_max_v);
  s.cell_voltage_min_v = bat.cell_voltage_min_v.value_or(chem.cell_voltage_min_v);
  // A datasheet minimum above the chemistry's practical minimum becomes the practical minimum.
  s.cell_voltage_practical_min_v =
      std::max(chem.cell_voltage_practical_min_v, s.cell_voltage_min_v);
  s.charge_temperature_min_c = bat.charge_temperature_min_c.value_or(chem.charge_temperature_min_c);
  s.charge_temperature_max_c = bat.charge_temperature_max_c.value_or(chem.charge_temperature_max_c);
  s.discharge_temperature_min_c =
      bat.discharge_temperature_min_c.value_or(chem.discharge_temperature_min_c);
  s.discharge_temperature_max_c =
      bat.discharge_temperature_max_c.value_or(chem.discharge_temperature_max_c);

  const auto& lc = cfg.limits;
  auto pick = [](const config::Breakpoints& configured, const config::Breakpoints& fallback) {
    return (!configured.empty() && is_valid_factor_table(configured)) ? configured : fallback;
  };
  if (is_valid_factor_table(lc.charge_taper_v)) s.charge_taper_v = lc.charge_taper_v;
  if (is_valid_factor_table(lc.discharge_taper_v)) s.discharge_taper_v = lc.discharge_taper_v;
  s.charge_taper_rel_max = chem.charge_taper_rel_max;
  s.discharge_taper_rel_min = chem.discharge_taper_rel_min;
  s.charge_temperature_c = pick(lc.charge_temperature_c, chem.charge_temperature_c);
  s.discharge_temperature_c = pick(lc.discharge_temperature_c, chem.discharge_temperature_c);

  s.max_charge_current_a = bat.max_charge_current_a;
  s.max_discharge_current_a = bat.max_discharge_current_a;
  s.max_charge_power_w = bat.max_charge_power_w;
  s.max_discharge_power_w = bat.max_discharge_power_w;
  s.series_cells = bat.series_cells;
  s.inverter_rated_power_w = cfg.inverter.rated_power_w;
  s.grid_import_limit_w = cfg.site.grid_import_limit_w;
  s.grid_export_limit_w = cfg.site.grid_export_limit_w;
  s.min_soc_pct = cfg.control.min_soc_pct;
  s.max_soc_pct = cfg.control.max_soc_pct;
  s.stale_after = std::chrono::milliseconds{cfg.bms.stale_ms};
  s.lost_after = std::chrono::milliseconds{cfg.bms.timeout_ms};
  s.cell_spread_warn_v = lc.cell_spread_warn_v;
  s.cell_spread_derate_v = lc.cell_spread_derate_v;
  s.cell_spread_derate_factor = lc.cell_spread_derate_factor;
  s.hysteresis_recovery_pct = lc.hysteresis_recovery_pct;
  s.hysteresis_hold =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(lc.hysteresis_hold_s));
  s.voltage_recovery_margin_v = lc.voltage_recovery_margin_v;
  s.temperature_hysteresis_c = lc.temperature_hysteresis_c;
  s.soc_recovery_hysteresis_pct = lc.soc_recovery_hysteresis_pct;
  return s;
}

}  // namespace bessd::limits
