#pragma once
// libsocketcan wrapper (internal): bit rate, up/down, restart after bus-off. Every call needs
// CAP_NET_ADMIN; failures come back as Status with a message that says so.

#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/result.hpp>

namespace bessd::can::socketcan {

/// True when the process has CAP_NET_ADMIN in its effective set (/proc/self/status CapEff).
bool has_net_admin();

/// Stop the interface, set the bit rate and the listen-only control mode, start it. Skips what
/// already matches.
Status configure_link(const std::string& interface, std::uint32_t bitrate, bool listen_only);
/// For a link bessd does not manage: a sentence when its controller is not in listen-only mode
/// (it still acknowledges frames and sends error frames); nullopt when it is, or when the
/// interface has no control mode to read (virtual CAN).
std::optional<std::string> listen_only_problem(const std::string& interface);
/// Restart after bus-off (can_do_restart, falling back to stop + start).
Status restart_link(const std::string& interface);

}  // namespace bessd::can::socketcan
