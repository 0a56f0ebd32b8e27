#pragma once
// libsocketcan wrapper (internal): bit rate, up/down, restart after bus-off. Every call needs
// CAP_NET_ADMIN; failures come back as Status with a message that says so.

#include <cstdint>
#include <string>

#include <bessd/common/result.hpp>

namespace bessd::can::socketcan {

/// True when the process has CAP_NET_ADMIN in its effective set (/proc/self/status CapEff).
bool has_net_admin();

/// Stop the interface, set the bit rate, start it. Skips the bit rate when it already matches.
Status configure_link(const std::string& interface, std::uint32_t bitrate);
/// Restart after bus-off (can_do_restart, falling back to stop + start).
Status restart_link(const std::string& interface);

}  // namespace bessd::can::socketcan
