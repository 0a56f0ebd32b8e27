#pragma once
// Operating-limit tables (docs/protection.md): breakpoints with linear interpolation.
// Empty tables mean "the chemistry's default table" (filled in by the limits component).

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
  double over_current_time_s{5.0};
  double hysteresis_recovery_pct{1.5};  // OP-HYST-01
  double hysteresis_hold_s{30.0};
};

}  // namespace bessd::config
