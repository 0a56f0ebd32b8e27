#pragma once
// Operating-limit tables (docs/protection.md): breakpoints with linear interpolation.
// Empty tables mean "the chemistry's default table" (filled in by the limits component).

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace bessd::config {

/// (x, factor) pairs, x ascending, factor in [0, 1].
using Breakpoints = std::vector<std::pair<double, double>>;

struct LimitsConfig {
  Breakpoints charge_taper_v;        // OP-V-02: factor vs max cell voltage
  Breakpoints discharge_taper_v;     // OP-V-04: factor vs min cell voltage
  Breakpoints charge_temperature_c;  // OP-T-02 charge factor vs cell temperature
  Breakpoints discharge_temperature_c;
  double cell_spread_warn_v{0.080};  // OP-DV-01
  double cell_spread_derate_v{0.150};
  double cell_spread_derate_factor{0.5};
  double over_current_margin_pct{10.0};  // OP-I-01/02
  // Accepted so that older files load, but it has no effect: the OP-I window is
  // /inverter/obey_window_s. Set, it gives a warning.
  std::optional<double> over_current_time_s;
  double hysteresis_recovery_pct{1.5};  // OP-HYST-01
  double hysteresis_hold_s{30.0};
  // Self-recovery (docs/protection.md): how far back inside its window a block must come.
  double voltage_recovery_margin_v{0.050};
  double temperature_hysteresis_c{2.0};
  double soc_recovery_hysteresis_pct{2.0};
  // Recovery charge (OP-REC-01): absent power = 0.1 C of the pack.
  std::optional<double> recovery_charge_power_w;
  double recovery_soc_margin_pct{5.0};
  // Repeated trips (OP-REPEAT-*).
  std::int64_t repeat_trip_count{3};
  double repeat_trip_window_s{3600.0};
};

}  // namespace bessd::config
