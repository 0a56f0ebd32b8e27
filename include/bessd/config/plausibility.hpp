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
// Above: centimetres typed as metres. Clearances inside a home are a few metres; 10 m catches a
// 30-45 cm clearance typed as 30-45, which would otherwise pass a 1 m rule. Outdoors or in a
// detached outbuilding, distances to the house of 10-50 m are real.
inline constexpr double kPlausibleClearanceMaxM = 10.0;
inline constexpr double kPlausibleClearanceOutsideMaxM = 50.0;
inline constexpr double kPlausiblePackVoltageMaxV = 1000.0;  // above: mV typed as V
inline constexpr double kPlausibleCurrentMaxA = 3000.0;      // above: mA typed as A
inline constexpr double kPlausibleReiMinMinutes = 10.0;      // below: hours typed as minutes
// Ah × nominal V against the nominal energy: further apart than this, one of them is wrong.
inline constexpr double kPlausibleEnergyMismatch = 0.15;

/// Every warning of `config`, each with the JSON pointer of the value and the likely fix.
std::vector<ConfigIssue> plausibility_warnings(const Config& config);

}  // namespace bessd::config
