#include <bessd/config/relaxed_thresholds.hpp>

namespace bessd::config {

std::vector<RelaxedThreshold> relaxed_thresholds(const ComplianceConfig& c) {
  const ComplianceConfig d;
  std::vector<RelaxedThreshold> out;
  // A minimum (clearance, rating, factor) is looser when lower; a maximum (cap, age, tolerance)
  // when higher.
  const auto lower = [&out](const char* key, double v, double def) {
    if (v < def) out.push_back({key, v, def});
  };
  const auto higher = [&out](const char* key, double v, double def) {
    if (v > def) out.push_back({key, v, def});
  };
  lower("outdoor_clearance_m", c.outdoor_clearance_m, d.outdoor_clearance_m);
  lower("flammable_clearance_m", c.flammable_clearance_m, d.flammable_clearance_m);
  lower("min_fire_separation_rei", c.min_fire_separation_rei, d.min_fire_separation_rei);
  lower("ventilation_clearance_m", c.ventilation_clearance_m, d.ventilation_clearance_m);
  higher("energy_cap_high_kwh", c.energy_cap_high_kwh, d.energy_cap_high_kwh);
  higher("energy_cap_low_kwh", c.energy_cap_low_kwh, d.energy_cap_low_kwh);
  lower("outbuilding_separation_rei", c.outbuilding_separation_rei, d.outbuilding_separation_rei);
  higher("nameplate_tolerance_pct", c.nameplate_tolerance_pct, d.nameplate_tolerance_pct);
  higher("grading_max_age_days", c.grading_max_age_days, d.grading_max_age_days);
  lower("second_life_factor_min", c.second_life_factor_min, d.second_life_factor_min);
  lower("second_life_window_narrow_v", c.second_life_window_narrow_v,
        d.second_life_window_narrow_v);
  return out;
}

}  // namespace bessd::config
