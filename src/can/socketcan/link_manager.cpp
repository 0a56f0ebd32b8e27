#include "link_manager.hpp"

#include <libsocketcan.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bessd::can::socketcan {

bool has_net_admin() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      std::uint64_t caps = 0;
      std::istringstream(line.substr(7)) >> std::hex >> caps;
      return (caps >> 12) & 1U;  // CAP_NET_ADMIN = 12
    }
  }
  return false;
}

namespace {
Failure link_error(const std::string& interface, const std::string& step) {
  const int err = errno;
  std::string msg = "socketcan " + interface + ": " + step + " failed";
  if (err != 0) msg += std::string(" (") + std::strerror(err) + ")";
  if (!has_net_admin()) {
    msg +=
        "; managing the link needs CAP_NET_ADMIN (grant it to the service, or set "
        "bms.manage_link false and configure the link with `ip link set " +
        interface + " up type can bitrate N`)";
    return fail(ErrorCode::permission_denied, msg);
  }
  msg += "; libsocketcan cannot manage this interface (virtual CAN has no bit rate)";
  return fail(ErrorCode::unsupported, msg);
}
}  // namespace

namespace {
std::optional<bool> listen_only_now(const char* name) {
  struct can_ctrlmode cm {};
  if (can_get_ctrlmode(name, &cm) != 0) return std::nullopt;
  return (cm.flags & CAN_CTRLMODE_LISTENONLY) != 0;
}
}  // namespace

std::optional<std::string> listen_only_problem(const std::string& interface) {
  const auto now = listen_only_now(interface.c_str());
  if (!now || *now) return std::nullopt;
  return "socketcan " + interface +
         ": bessd only listens (bms.bus_role \"listen_only\"), but the controller is not in "
         "listen-only mode and still acknowledges frames and sends error frames on the pack's "
         "bus; set it with `ip link set " +
         interface + " down; ip link set " + interface +
         " up type can listen-only on`, or set bms.manage_link";
}

Status configure_link(const std::string& interface, std::uint32_t bitrate, bool listen_only) {
  const char* name = interface.c_str();
  struct can_bittiming bt {};
  errno = 0;
  if (can_get_bittiming(name, &bt) != 0) {
    // No bit timing (virtual CAN, or not permitted): never take the link down for it; just
    // make sure it is up, and report why the bit rate could not be managed.
    auto why = link_error(interface, "reading the bit timing");
    errno = 0;
    can_do_start(name);
    return why;
  }
  // A mode that cannot be read (an old libsocketcan, a driver without control modes) is left
  // alone unless bessd must listen.
  const auto mode = listen_only_now(name);
  const bool mode_differs = mode ? *mode != listen_only : listen_only;
  if (bt.bitrate != bitrate || mode_differs) {
    errno = 0;
    if (can_do_stop(name) != 0) return link_error(interface, "stopping the interface");
    errno = 0;
    if (bt.bitrate != bitrate && can_set_bitrate(name, bitrate) != 0) {
      auto why = link_error(interface, "setting the bit rate to " + std::to_string(bitrate));
      can_do_start(name);  // leave the link as usable as it was
      return why;
    }
    struct can_ctrlmode cm {};
    cm.mask = CAN_CTRLMODE_LISTENONLY;
    cm.flags = listen_only ? CAN_CTRLMODE_LISTENONLY : 0;
    errno = 0;
    if (mode_differs && can_set_ctrlmode(name, &cm) != 0) {
      // bessd still sends nothing (send() refuses); the controller acknowledges frames as any
      // node does. Said once, and the link comes up to listen.
      auto why = link_error(interface, listen_only ? "setting the listen-only control mode (the "
                                                     "controller will acknowledge frames)"
                                                   : "clearing the listen-only control mode");
      can_do_start(name);
      return why;
    }
  }
  errno = 0;
  if (can_do_start(name) != 0) return link_error(interface, "bringing the interface up");
  return {};
}

Status restart_link(const std::string& interface) {
  const char* name = interface.c_str();
  errno = 0;
  if (can_do_restart(name) == 0) return {};
  // can_do_restart refuses when restart-ms is set or the state is not bus-off: stop + start.
  errno = 0;
  if (can_do_stop(name) != 0) return link_error(interface, "stopping the interface for restart");
  errno = 0;
  if (can_do_start(name) != 0) return link_error(interface, "restarting the interface");
  return {};
}

}  // namespace bessd::can::socketcan
