#pragma once
// The owner's state-of-charge window, changed at runtime (docs/api.md "PUT /v1/settings"): a
// backup reserve above the installer's floor and a charge target below the configured maximum.
// They narrow the OP-SOC-01/02 window and can never widen it: the configuration's
// `control.min_soc_pct` and `control.max_soc_pct` stay the bounds whatever is stored.

#include <algorithm>
#include <optional>

#include <bessd/limits/limits_settings.hpp>

namespace bessd::limits {

struct OwnerSocSettings {
  std::optional<double> reserve_soc_pct;  // absent: the configured reserve
  std::optional<double> target_soc_pct;   // absent: the configured maximum
  friend bool operator==(const OwnerSocSettings&, const OwnerSocSettings&) = default;
};

/// Where discharging stops: the owner's reserve when it is above the configured floor.
inline double effective_reserve_pct(const LimitsSettings& s, const OwnerSocSettings& o) noexcept {
  return o.reserve_soc_pct ? std::max(s.min_soc_pct, *o.reserve_soc_pct) : s.min_soc_pct;
}

/// Where charging stops: the owner's target when it is below the configured maximum.
inline double effective_target_pct(const LimitsSettings& s, const OwnerSocSettings& o) noexcept {
  return o.target_soc_pct ? std::min(s.max_soc_pct, *o.target_soc_pct) : s.max_soc_pct;
}

/// The owner's reserve is the one in force (it is above the configured floor).
inline bool owner_reserve_applies(const LimitsSettings& s, const OwnerSocSettings& o) noexcept {
  return o.reserve_soc_pct && *o.reserve_soc_pct > s.min_soc_pct;
}

/// The owner's target is the one in force (it is below the configured maximum).
inline bool owner_target_applies(const LimitsSettings& s, const OwnerSocSettings& o) noexcept {
  return o.target_soc_pct && *o.target_soc_pct < s.max_soc_pct;
}

}  // namespace bessd::limits
