#pragma once
// Values the loader accepts but that are almost certainly a unit mistake (kWh typed as Wh, kW as
// W, a state of charge as a fraction, a clearance in centimetres). They are warnings, not errors:
// `bessd --check-config` prints them with the likely fix and exits 0, and the daemon logs them
// at start. The bounds and their reasons are in docs/compliance.md ("Plausibility warnings").

#include <vector>

#include <bessd/config/config.hpp>
#include <bessd/config/config_error.hpp>

namespace bessd::config {

/// Bounds for a home battery installation.
inline constexpr double kPlausibleEnergyMaxKwh = 200.0;  // above: Wh typed as kWh
inline constexpr double kPlausibleEnergyMinKwh = 0.5;    // below: MWh, or a typo
inline constexpr double kPlausiblePowerMinW = 100.0;     // below: kW typed as W
inline constexpr double kPlausibleSocFractionMax = 1.0;  // at or below: a fraction, not %
inline constexpr double kPlausibleClearanceMaxM = 50.0;  // above: centimetres typed as metres

/// Every warning of `config`, each with the JSON pointer of the value and the likely fix.
std::vector<ConfigIssue> plausibility_warnings(const Config& config);

}  // namespace bessd::config
