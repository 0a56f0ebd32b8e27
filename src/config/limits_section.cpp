#include <bessd/config/sections.hpp>

namespace bessd::config {

bool read_breakpoints(ObjectReader& in, std::string_view key, Breakpoints& out) {
  Breakpoints table;
  bool ok = true;
  const bool present = in.array(key, [&](const Json& item, const std::string& ptr) {
    if (!item.is_array() || item.size() != 2 || !item[0].is_number() || !item[1].is_number()) {
      in.issues().add(ptr, "must be a pair [x, factor] of numbers, got " + describe_json(item));
      ok = false;
      return;
    }
    const double x = item[0].get<double>();
    const double f = item[1].get<double>();
    if (f < 0.0 || f > 1.0) {
      in.issues().add(ptr + "/1", "must be a factor between 0 and 1, got " + item[1].dump());
      ok = false;
    }
    if (!table.empty() && x <= table.back().first) {
      in.issues().add(ptr + "/0", "must be greater than the previous breakpoint's x (" +
                                      std::to_string(table.back().first) + "), got " +
                                      item[0].dump());
      ok = false;
    }
    table.emplace_back(x, f);
  });
  if (!present) return false;
  if (ok && table.size() < 2) {
    in.issues().add(in.child_pointer(key), "must have at least two breakpoints");
    ok = false;
  }
  if (ok) out = std::move(table);
  return ok;
}

void read_limits(ObjectReader& in, LimitsConfig& out) {
  read_breakpoints(in, "charge_taper_v", out.charge_taper_v);
  read_breakpoints(in, "discharge_taper_v", out.discharge_taper_v);
  read_breakpoints(in, "charge_temperature_c", out.charge_temperature_c);
  read_breakpoints(in, "discharge_temperature_c", out.discharge_temperature_c);
  const auto volts = NumberRange::between(0.0, 1.0);
  in.number("cell_spread_warn_v", out.cell_spread_warn_v, volts);
  in.number("cell_spread_derate_v", out.cell_spread_derate_v, volts);
  in.number("cell_spread_derate_factor", out.cell_spread_derate_factor,
            NumberRange::between(0.0, 1.0));
  in.number("over_current_margin_pct", out.over_current_margin_pct,
            NumberRange::between(0.0, 100.0));
  in.number("over_current_time_s", out.over_current_time_s, NumberRange::between(0.1, 600.0));
  in.number("hysteresis_recovery_pct", out.hysteresis_recovery_pct,
            NumberRange::between(0.0, 50.0));
  in.number("hysteresis_hold_s", out.hysteresis_hold_s, NumberRange::between(0.0, 3600.0));
  in.number("voltage_recovery_margin_v", out.voltage_recovery_margin_v,
            NumberRange::between(0.005, 0.5));
  in.number("temperature_hysteresis_c", out.temperature_hysteresis_c,
            NumberRange::between(0.0, 10.0));
  in.number("soc_recovery_hysteresis_pct", out.soc_recovery_hysteresis_pct,
            NumberRange::between(0.0, 20.0));
  in.number("recovery_charge_power_w", out.recovery_charge_power_w,
            NumberRange::between(50.0, 100000.0));
  in.number("recovery_soc_margin_pct", out.recovery_soc_margin_pct,
            NumberRange::between(0.0, 20.0));
  in.integer("repeat_trip_count", out.repeat_trip_count, 2, 100);
  in.number("repeat_trip_window_s", out.repeat_trip_window_s,
            NumberRange::between(60.0, 7.0 * 86400.0));
  in.finish();
}

}  // namespace bessd::config
