#pragma once
// Thresholds of the installation rules that rest on secondary or uncertain sources
// (docs/compliance.md "The rules"): configurable, with the defaults that page lists.

namespace bessd::config {

struct ComplianceConfig {
  double outdoor_clearance_m{1.0};           // PAS-LOC-02
  double flammable_clearance_m{2.0};         // PAS-LOC-03
  double min_fire_separation_rei{30.0};      // PAS-ENC-01
  double ventilation_clearance_m{1.0};       // PAS-VEN-01
  double energy_cap_high_kwh{80.0};          // PAS-ENE-01 outdoors / separated outbuilding
  double energy_cap_low_kwh{40.0};           // PAS-ENE-01 otherwise
  double outbuilding_separation_rei{60.0};   // PAS-ENE-01 outbuilding separation for the high cap
  double nameplate_tolerance_pct{10.0};      // BAT-CAP-01
  double grading_max_age_days{365.0};        // SL-GRADE-01
  double second_life_factor_min{0.5};        // SL-DER-01 clamp floor
  double second_life_window_narrow_v{0.05};  // SL-DER-01 cell window narrowing at each end
};

}  // namespace bessd::config
