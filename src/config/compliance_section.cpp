#include <bessd/config/sections.hpp>

namespace bessd::config {

void read_compliance(ObjectReader& in, ComplianceConfig& out) {
  const auto nonneg = NumberRange::at_least(0.0);
  in.number("outdoor_clearance_m", out.outdoor_clearance_m, nonneg);
  in.number("flammable_clearance_m", out.flammable_clearance_m, nonneg);
  in.number("min_fire_separation_rei", out.min_fire_separation_rei, nonneg);
  in.number("ventilation_clearance_m", out.ventilation_clearance_m, nonneg);
  in.number("energy_cap_high_kwh", out.energy_cap_high_kwh, NumberRange::above(0.0));
  in.number("energy_cap_low_kwh", out.energy_cap_low_kwh, NumberRange::above(0.0));
  in.number("outbuilding_separation_rei", out.outbuilding_separation_rei, nonneg);
  in.number("nameplate_tolerance_pct", out.nameplate_tolerance_pct,
            NumberRange::between(0.0, 100.0));
  in.number("grading_max_age_days", out.grading_max_age_days, NumberRange::above(0.0));
  // The limits engine never derates a second-life pack below half its current (SL-DER-01,
  // docs/compliance.md); a lower floor here would make the report promise what is not applied.
  in.number("second_life_factor_min", out.second_life_factor_min, NumberRange::between(0.5, 1.0));
  in.number("second_life_window_narrow_v", out.second_life_window_narrow_v,
            NumberRange::between(0.0, 0.5));
  in.finish();
}

}  // namespace bessd::config
