#pragma once
// The resolved operating limits: chemistry defaults (docs/compliance.md) overridden by the pack's
// datasheet values, tables from the config or the chemistry defaults, site and inverter ratings.
// Built once from the config (and again on reload); the engine never reads the config itself.

#include <cstdint>
#include <optional>

#include <bessd/common/clock.hpp>
#include <bessd/config/config.hpp>

namespace bessd::limits {

struct LimitsSettings {
  config::Chemistry chemistry{config::Chemistry::LFP};
  // Cell window (V) and temperature windows (°C): pack override or chemistry default.
  double cell_voltage_max_v{3.65};
  double cell_voltage_min_v{2.50};
  double cell_voltage_practical_min_v{2.50};
  double charge_temperature_min_c{0.0};
  double charge_temperature_max_c{45.0};
  double discharge_temperature_min_c{-20.0};
  double discharge_temperature_max_c{60.0};
  /// Configured (absolute) tables; empty = the chemistry's default (relative) tables below.
  config::Breakpoints charge_taper_v;
  config::Breakpoints discharge_taper_v;
  config::Breakpoints charge_taper_rel_max;     // used when charge_taper_v is empty
  config::Breakpoints discharge_taper_rel_min;  // used when discharge_taper_v is empty
  config::Breakpoints charge_temperature_c;
  config::Breakpoints discharge_temperature_c;
  // Pack ratings (configured); absent = not limited by configuration.
  std::optional<double> max_charge_current_a;
  std::optional<double> max_discharge_current_a;
  std::optional<double> max_charge_power_w;
  std::optional<double> max_discharge_power_w;
  std::optional<std::int64_t> series_cells;
  // Inverter and site.
  std::optional<double> inverter_rated_power_w;  // config; else the inverter's reported rating
  std::optional<double> grid_import_limit_w;
  std::optional<double> grid_export_limit_w;
  // OP-SOC-01 window. Discharge is stopped at min_soc_pct and ramps up linearly over
  // soc_soft_band_pct above it (likewise for charge below max_soc_pct) so it does not flap.
  double min_soc_pct{10.0};
  double max_soc_pct{100.0};
  double soc_soft_band_pct{2.0};
  // COM-01: data older than stale_after gives zero; older than lost_after is "lost" (safe state).
  Duration stale_after{std::chrono::milliseconds{3000}};
  Duration lost_after{std::chrono::milliseconds{5000}};
  // OP-DV-01
  double cell_spread_warn_v{0.080};
  double cell_spread_derate_v{0.150};
  double cell_spread_derate_factor{0.5};
  // Recovery with hysteresis (docs/protection.md): a voltage block clears once the cell is back
  // inside the window by the margin, a temperature block once back inside by the hysteresis, the
  // SOC floor once SOC is above the floor by the hysteresis.
  double voltage_recovery_margin_v{0.050};
  double temperature_hysteresis_c{2.0};
  double soc_recovery_hysteresis_pct{2.0};
  // OP-V-05: charging tapers linearly from full at CVL - taper to zero at the BMS's CVL. The
  // taper is cvl_taper_per_cell_v per series cell, or cvl_taper_fraction of CVL when the series
  // count is unknown.
  double cvl_taper_per_cell_v{0.025};
  double cvl_taper_fraction{0.015};
  // BMS "cell imbalance" alarm: charge derate factor (a slow top-balancing charge is the cure).
  double imbalance_charge_factor{0.5};
  // OP-HYST-01
  double hysteresis_recovery_pct{1.5};
  Duration hysteresis_hold{std::chrono::seconds{30}};

  /// Resolve from the whole config. Never throws: the config loader and the compliance check
  /// (BAT-CHEM-01) reject bad values; an invalid configured table falls back to the default.
  static LimitsSettings from_config(const config::Config& cfg);
};

}  // namespace bessd::limits
