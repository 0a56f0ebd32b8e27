#include <bessd/config/sections.hpp>

#include <bessd/config/link_syntax.hpp>

namespace bessd::config {

std::string_view to_string(ModbusTransport t) noexcept {
  switch (t) {
    case ModbusTransport::tcp:
      return "tcp";
    case ModbusTransport::rtu:
      return "rtu";
  }
  return "invalid";
}

std::string_view to_string(Parity p) noexcept {
  switch (p) {
    case Parity::none:
      return "none";
    case Parity::even:
      return "even";
    case Parity::odd:
      return "odd";
  }
  return "invalid";
}

std::string_view to_string(OnStop s) noexcept {
  switch (s) {
    case OnStop::hold:
      return "hold";
    case OnStop::release:
      return "release";
  }
  return "invalid";
}

void read_inverter(ObjectReader& in, InverterConfig& out) {
  in.string("profile", out.profile, Presence::optional, false);
  in.string("profile_dir", out.profile_dir, Presence::optional, false);
  in.enumeration(
      "transport", out.transport,
      EnumTable<ModbusTransport>{{"tcp", ModbusTransport::tcp}, {"rtu", ModbusTransport::rtu}});
  {
    auto t = in.object("tcp");
    if (t.string("host", out.tcp.host, Presence::optional, false)) {
      if (auto problem = host_problem(out.tcp.host))
        t.issues().add(t.child_pointer("host"), *problem);
    }
    t.integer("port", out.tcp.port, 1, 65535);
    t.finish();
  }
  {
    auto r = in.object(
        "rtu", out.transport == ModbusTransport::rtu ? Presence::required : Presence::optional);
    if (r.string("device", out.rtu.device, r.present() ? Presence::required : Presence::optional,
                 false)) {
      if (auto problem = device_path_problem(out.rtu.device))
        r.issues().add(r.child_pointer("device"), *problem);
    }
    if (r.integer("baud", out.rtu.baud, 300, 4'000'000)) {
      static constexpr std::int64_t kBauds[] = {300,   600,   1200,   2400,   4800,   9600,  19200,
                                                38400, 57600, 115200, 230400, 460800, 921600};
      bool known = false;
      for (auto b : kBauds) known = known || b == out.rtu.baud;
      if (!known)
        r.issues().add(r.child_pointer("baud"),
                       "must be a standard serial speed (e.g. 9600, 19200, 115200), got " +
                           std::to_string(out.rtu.baud));
    }
    r.enumeration(
        "parity", out.rtu.parity,
        EnumTable<Parity>{{"none", Parity::none}, {"even", Parity::even}, {"odd", Parity::odd}});
    r.integer("data_bits", out.rtu.data_bits, 7, 8);
    r.integer("stop_bits", out.rtu.stop_bits, 1, 2);
    r.boolean("rs485", out.rtu.rs485);
    r.finish();
  }
  in.integer("unit_id", out.unit_id, 0, 255);
  in.integer("response_timeout_ms", out.response_timeout_ms, 10, 60'000);
  in.integer("byte_timeout_ms", out.byte_timeout_ms, 0, 10'000);
  in.integer("poll_period_ms", out.poll_period_ms, 100, 60'000);
  in.number("lease_s", out.lease_s, NumberRange::between(1.0, 3600.0));
  in.number("rated_power_w", out.rated_power_w, NumberRange::above(0.0));
  in.number("obey_tolerance_w", out.obey_tolerance_w, NumberRange::at_least(0.0));
  in.number("obey_window_s", out.obey_window_s, NumberRange::between(1.0, 600.0));
  in.number("standby_tolerance_w", out.standby_tolerance_w, NumberRange::at_least(0.0));
  in.number("ramp_w_per_s", out.ramp_w_per_s, NumberRange::between(1.0, 1.0e6));
  in.boolean("invert_battery_power", out.invert_battery_power);
  in.enumeration("on_stop", out.on_stop,
                 EnumTable<OnStop>{{"hold", OnStop::hold}, {"release", OnStop::release}});
  in.finish();
}

}  // namespace bessd::config
