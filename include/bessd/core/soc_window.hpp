#pragma once
// The state-of-charge window in force (docs/api.md "PUT /v1/settings"): the installer's
// configured floor and maximum, narrowed by the owner's reserve and charge target where they fit.
// An owner's value the configured window no longer holds (the configuration changed since) is
// set aside, on either side, and the configured value applies: the owner can never widen the
// installer's window. Between the reserve and the target there are always `gap_pct` points:
// discharging resumes only the recovery hysteresis above the reserve, so a target closer than
// that would hold the battery still in both directions.

#include <optional>
#include <string>

namespace bessd::core {

struct SocWindow {
  double reserve_pct{10.0};   // discharging stops here
  double target_pct{100.0};   // charging stops here
  bool owner_reserve{false};  // the reserve is the owner's
  bool owner_target{false};   // the target is the owner's
  std::string set_aside;      // why an owner's value does not apply; empty when all do
};

/// The least distance between reserve and target: the recovery hysteresis and one point.
inline double soc_window_gap_pct(double recovery_hysteresis_pct) {
  return recovery_hysteresis_pct + 1.0;
}

SocWindow soc_window(double min_soc_pct, double max_soc_pct, double gap_pct,
                     std::optional<double> owner_reserve_pct,
                     std::optional<double> owner_target_pct);

/// "40 %", "50.5 %": a percentage as people read it (at most one decimal).
std::string pct_text(double pct);

}  // namespace bessd::core
