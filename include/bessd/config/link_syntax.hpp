#pragma once
// Syntax of the names the links open: a CAN interface name, a serial device path, a Modbus TCP
// host. Checked when the configuration is read, so that `bessd --check-config` and the daemon
// refuse the same files (a daemon that starts and then cannot open "can 0" is no better than one
// that does not start). Pure: nothing is opened or resolved.

#include <optional>
#include <string>
#include <string_view>

namespace bessd::config {

/// Why `name` cannot be a Linux network interface name (1–15 bytes, no '/', no white space, not
/// "." or ".."), or nullopt when it can.
std::optional<std::string> interface_name_problem(std::string_view name);

/// Why `path` cannot name a serial device (must be absolute, e.g. /dev/ttyUSB0), or nullopt.
std::optional<std::string> device_path_problem(std::string_view path);

/// Why `host` is neither an IPv4/IPv6 address nor a host name (RFC 1123), or nullopt. Text made
/// only of digits and dots must be a valid dotted-quad IPv4 address ("192.168.1.300" is not).
std::optional<std::string> host_problem(std::string_view host);

}  // namespace bessd::config
