#pragma once
// The resolved operating limits: chemistry defaults (standards.md §4.1) overridden by the pack's
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
  // OP-I-01/02: over the limit by > margin (and by more than the floor, so that 10 % of a zero
  // limit is not "any noise") for > time: derate to over_current_derate_factor; still over
  // after another `time`: block (inverter not obeying).
  double over_current_margin_pct{10.0};
  double over_current_floor_a{1.0};
  Duration over_current_time{std::chrono::seconds{5}};
  double over_current_derate_factor{0.5};
  // OP-HYST-01
  double hysteresis_recovery_pct{1.5};
  Duration hysteresis_hold{std::chrono::seconds{30}};

  /// Resolve from the whole config. Never throws: the config loader and the compliance check
  /// (BAT-CHEM-01) reject bad values; an invalid configured table falls back to the default.
  static LimitsSettings from_config(const config::Config& cfg);
};

}  // namespace bessd::limits
