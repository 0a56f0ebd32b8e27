#include <bessd/config/sections.hpp>

#include <bessd/config/link_syntax.hpp>

namespace bessd::config {

std::string_view to_string(ModbusTransport t) noexcept {
  return enum_name(kModbusTransportNames, t);
}

std::string_view to_string(Parity p) noexcept {
  return enum_name(kParityNames, p);
}

std::string_view to_string(OnStop s) noexcept {
  return enum_name(kOnStopNames, s);
}

void read_inverter(ObjectReader& in, InverterConfig& out) {
  in.string("profile", out.profile, Presence::optional, false);
  in.string("profile_dir", out.profile_dir, Presence::optional, false);
  read_modbus_link(in, out);
  in.number("lease_s", out.lease_s, NumberRange::between(1.0, 3600.0));
  in.number("rated_power_w", out.rated_power_w, NumberRange::above(0.0));
  in.number("obey_tolerance_w", out.obey_tolerance_w, NumberRange::at_least(0.0));
  in.number("obey_window_s", out.obey_window_s, NumberRange::between(1.0, 600.0));
  in.number("standby_tolerance_w", out.standby_tolerance_w, NumberRange::at_least(0.0));
  in.number("ramp_w_per_s", out.ramp_w_per_s, NumberRange::between(1.0, 1.0e6));
  in.boolean("invert_battery_power", out.invert_battery_power);
  in.enumeration("on_stop", out.on_stop, kOnStopNames);
  in.finish();
}

}  // namespace bessd::config
