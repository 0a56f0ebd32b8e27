#include <bessd/config/sections.hpp>

#include <algorithm>

#include <bessd/config/link_syntax.hpp>

namespace bessd::config {

namespace {
constexpr std::int64_t kHvListeningStaleMs = 10000;
constexpr std::int64_t kHvListeningTimeoutMs = 15000;
// BYD HVS sends its measurements and SOC every 10 s: two missed frames and a margin.
constexpr std::int64_t kBydStaleMs = 25000;
constexpr std::int64_t kBydTimeoutMs = 35000;
}  // namespace

std::string_view to_string(BmsTransport t) noexcept {
  return enum_name(kBmsTransportNames, t);
}

std::string_view to_string(BmsProtocol p) noexcept {
  return enum_name(kBmsProtocolNames, p);
}

std::string_view to_string(BmsBusRole r) noexcept {
  return enum_name(kBmsBusRoleNames, r);
}

void read_bms(ObjectReader& in, BmsConfig& out) {
  in.enumeration("protocol", out.protocol, kBmsProtocolNames);
  in.enumeration("transport", out.transport, kBmsTransportNames);
  if (in.string("interface", out.interface, Presence::optional, false)) {
    if (auto problem = interface_name_problem(out.interface))
      in.issues().add(in.child_pointer("interface"), *problem);
  }
  if (in.string("device", out.device) && !out.device.empty()) {
    if (auto problem = device_path_problem(out.device))
      in.issues().add(in.child_pointer("device"), *problem);
  }
  in.integer("serial_baud", out.serial_baud, 1200, 4'000'000);
  if (in.integer("bitrate", out.bitrate, 10'000, 1'000'000)) {
    static constexpr std::int64_t kRates[] = {10'000,  20'000,  50'000,  100'000, 125'000,
                                              250'000, 500'000, 750'000, 800'000, 1'000'000};
    bool known = false;
    for (auto r : kRates) known = known || r == out.bitrate;
    if (!known) {
      in.issues().add(in.child_pointer("bitrate"),
                      "must be a standard CAN bit rate (10000, 20000, 50000, 100000, 125000, "
                      "250000, 500000, 750000, 800000 or 1000000), got " +
                          std::to_string(out.bitrate));
    }
  }
  in.boolean("manage_link", out.manage_link);
  const bool stale_given = in.integer("stale_ms", out.stale_ms, 100, 60'000);
  const bool timeout_given = in.integer("timeout_ms", out.timeout_ms, 100, 600'000);
  in.integer("keepalive_period_ms", out.keepalive_period_ms, 100, 60'000);
  in.boolean("invert_current", out.invert_current);
  const bool role_given = in.has("bus_role");
  in.enumeration("bus_role", out.bus_role, kBmsBusRoleNames);
  std::int64_t address = 0;
  if (in.integer("address", address, 0, 15)) out.address = address;
  if (out.protocol == BmsProtocol::pylontech_hv && !role_given) {
    // No default: a second master on a pack's bus doubles its answers, and no master opens its
    // relay. The installer knows which it is (docs/protocols.md, "Two bus roles").
    in.issues().add(in.child_pointer("bus_role"),
                    "is required with protocol \"pylontech_hv\": \"listen_only\" when the "
                    "inverter already talks to the pack, \"active\" when bessd is its only master");
  }
  if (out.protocol == BmsProtocol::byd_hvs) {
    // Listen-only by nature: no public source says what a BYD battery needs from its master.
    if (role_given && out.bus_role != BmsBusRole::listen_only)
      in.issues().add(in.child_pointer("bus_role"),
                      "must be \"listen_only\" with protocol \"byd_hvs\": bessd cannot be a BYD "
                      "battery's master (docs/protocols.md)");
    out.bus_role = BmsBusRole::listen_only;
    if (!stale_given)
      out.stale_ms = timeout_given ? std::min(kBydStaleMs, out.timeout_ms) : kBydStaleMs;
    if (!timeout_given) out.timeout_ms = std::max(out.stale_ms, kBydTimeoutMs);
  }
  if (out.protocol == BmsProtocol::pylontech_hv && out.bus_role == BmsBusRole::listen_only) {
    // The pack answers only when its inverter polls, and inverters ask for the ensemble every 1 to
    // 6 s (docs/protocols.md, "The BMS: Pylontech HV"): 3 s would call a pack stale between two
    // polls. A key the installer set is kept, and the other follows it.
    if (!stale_given)
      out.stale_ms =
          timeout_given ? std::min(kHvListeningStaleMs, out.timeout_ms) : kHvListeningStaleMs;
    if (!timeout_given) out.timeout_ms = std::max(out.stale_ms, kHvListeningTimeoutMs);
  }
  if (out.address && out.protocol != BmsProtocol::pylontech_hv) {
    // BYD's ids carry no address.
    in.issues().add(in.child_pointer("address"),
                    "applies to protocol \"pylontech_hv\" only (a pack's address on a shared "
                    "bus)");
  }
  if (out.transport == BmsTransport::slcan && out.device.empty()) {
    in.issues().add(in.child_pointer("device"),
                    "is required when transport is \"slcan\" (the adapter's serial device, e.g. "
                    "\"/dev/ttyACM0\")");
  }
  if (out.stale_ms > out.timeout_ms) {
    in.issues().add(in.child_pointer("stale_ms"), "must not exceed timeout_ms");
  }
  in.finish();
}

}  // namespace bessd::config
