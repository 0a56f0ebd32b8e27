#include <bessd/config/sections.hpp>

#include <bessd/config/link_syntax.hpp>

namespace bessd::config {

void read_modbus_link(ObjectReader& in, ModbusLinkConfig& link) {
  in.enumeration("transport", link.transport, kModbusTransportNames);
  {
    auto t = in.object("tcp");
    if (t.string("host", link.tcp.host, Presence::optional, false)) {
      if (auto problem = host_problem(link.tcp.host))
        t.issues().add(t.child_pointer("host"), *problem);
    }
    t.integer("port", link.tcp.port, 1, 65535);
    t.finish();
  }
  {
    auto r = in.object(
        "rtu", link.transport == ModbusTransport::rtu ? Presence::required : Presence::optional);
    if (r.string("device", link.rtu.device, r.present() ? Presence::required : Presence::optional,
                 false)) {
      if (auto problem = device_path_problem(link.rtu.device))
        r.issues().add(r.child_pointer("device"), *problem);
    }
    if (r.integer("baud", link.rtu.baud, 300, 4'000'000)) {
      static constexpr std::int64_t kBauds[] = {300,   600,   1200,   2400,   4800,   9600,  19200,
                                                38400, 57600, 115200, 230400, 460800, 921600};
      bool known = false;
      for (auto b : kBauds) known = known || b == link.rtu.baud;
      if (!known)
        r.issues().add(r.child_pointer("baud"),
                       "must be a standard serial speed (e.g. 9600, 19200, 115200), got " +
                           std::to_string(link.rtu.baud));
    }
    r.enumeration("parity", link.rtu.parity, kParityNames);
    r.integer("data_bits", link.rtu.data_bits, 7, 8);
    r.integer("stop_bits", link.rtu.stop_bits, 1, 2);
    r.boolean("rs485", link.rtu.rs485);
    r.finish();
  }
  in.integer("unit_id", link.unit_id, 0, 255);
  in.integer("response_timeout_ms", link.response_timeout_ms, 10, 60'000);
  in.integer("byte_timeout_ms", link.byte_timeout_ms, 0, 10'000);
  in.integer("poll_period_ms", link.poll_period_ms, 100, 60'000);
}

}  // namespace bessd::config
