#include <bessd/config/sections.hpp>

namespace bessd::config {

std::string_view to_string(OperatingMode m) noexcept {
  return enum_name(kOperatingModeNames, m);
}

void read_control(ObjectReader& in, ControlConfig& out) {
  in.integer("period_ms", out.period_ms, 100, 60'000);
  in.enumeration("mode", out.mode, kOperatingModeNames);
  in.number("manual_setpoint_w", out.manual_setpoint_w, NumberRange::between(-1e6, 1e6));
  {
    auto sc = in.object("self_consumption");
    sc.number("target_grid_w", out.self_consumption.target_grid_w, NumberRange::between(-1e6, 1e6));
    sc.number("deadband_w", out.self_consumption.deadband_w, NumberRange::between(0.0, 1e5));
    sc.number("ramp_w_per_s", out.self_consumption.ramp_w_per_s, NumberRange::above(0.0));
    sc.finish();
  }
  const auto pct = NumberRange::between(0.0, 100.0);
  in.number("min_soc_pct", out.min_soc_pct, pct);
  in.number("max_soc_pct", out.max_soc_pct, pct);
  if (out.min_soc_pct >= out.max_soc_pct) {
    in.issues().add(in.child_pointer("min_soc_pct"), "must be below max_soc_pct");
  }
  in.number("soc_divergence_pct", out.soc_divergence_pct, NumberRange::between(1.0, 100.0));
  in.boolean("commissioning", out.commissioning);
  {
    auto fa = in.object("fire_alarm");
    auto& f = out.fire_alarm;
    fa.boolean("enabled", f.enabled);
    fa.string("path", f.path, f.enabled ? Presence::required : Presence::optional, !f.enabled);
    fa.string("active_value", f.active_value, Presence::optional, false);
    fa.integer("poll_ms", f.poll_ms, 10, 10'000);
    fa.finish();
  }
  in.finish();
}

}  // namespace bessd::config
