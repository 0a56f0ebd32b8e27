#pragma once
// The owner's state-of-charge window, changed at runtime (docs/api.md "PUT /v1/settings"): a
// backup reserve above the installer's floor and a charge target below the configured maximum.
// They narrow the OP-SOC-01/02 window and can never widen it (core/soc_window.hpp).

#include <optional>

#include <bessd/core/soc_window.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::limits {

struct OwnerSocSettings {
  std::optional<double> reserve_soc_pct;  // absent: the configured reserve
  std::optional<double> target_soc_pct;   // absent: the configured maximum
  friend bool operator==(const OwnerSocSettings&, const OwnerSocSettings&) = default;
};

/// The window in force with these settings.
inline core::SocWindow soc_window(const LimitsSettings& s, const OwnerSocSettings& o) {
  return core::soc_window(s.min_soc_pct, s.max_soc_pct,
                          core::soc_window_gap_pct(s.soc_recovery_hysteresis_pct),
                          o.reserve_soc_pct, o.target_soc_pct);
}

/// Where discharging stops.
inline double effective_reserve_pct(const LimitsSettings& s, const OwnerSocSettings& o) {
  return soc_window(s, o).reserve_pct;
}

/// Where charging stops.
inline double effective_target_pct(const LimitsSettings& s, const OwnerSocSettings& o) {
  return soc_window(s, o).target_pct;
}

}  // namespace bessd::limits
