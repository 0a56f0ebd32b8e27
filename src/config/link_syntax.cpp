#include <bessd/config/link_syntax.hpp>

#include <arpa/inet.h>

#include <algorithm>

namespace bessd::config {

namespace {
bool is_space_or_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7F;
}
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

std::optional<std::string> interface_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty (e.g. \"can0\")";
  // Linux IFNAMSIZ is 16 including the terminating NUL.
  if (name.size() > 15)
    return "is not a network interface name: at most 15 characters, got " +
           std::to_string(name.size()) + " (\"" + std::string{name} + "\")";
  if (name == "." || name == "..")
    return "is not a network interface name (\"" + std::string{name} + "\")";
  if (std::any_of(name.begin(), name.end(), [](char c) { return c == '/' || c == ':'; }))
    return "is not a network interface name: it contains '/' or ':' (\"" + std::string{name} +
           "\"); a SocketCAN interface is named like \"can0\"; for a serial adapter use "
           "transport \"slcan\" and bms.device";
  if (std::any_of(name.begin(), name.end(), is_space_or_control))
    return "is not a network interface name: it contains white space (\"" + std::string{name} +
           "\")";
  return std::nullopt;
}

std::optional<std::string> device_path_problem(std::string_view path) {
  if (path.empty()) return "must not be empty (e.g. \"/dev/ttyUSB0\")";
  if (std::any_of(path.begin(), path.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
      }))
    return "is not a device path: it contains control characters";
  if (path.front() != '/') {
    return "must be an absolute path to the serial device; did you mean \"/dev/" +
           std::string{path} + "\"? (stable names are under /dev/serial/by-id/)";
  }
  if (path.back() == '/') return "names a directory, not a device (\"" + std::string{path} + "\")";
  return std::nullopt;
}

std::optional<std::string> host_problem(std::string_view host) {
  const std::string text{host};
  if (text.empty()) return "must not be empty (an IP address or a host name)";
  unsigned char buf[16];
  if (text.find(':') != std::string::npos) {
    if (::inet_pton(AF_INET6, text.c_str(), buf) == 1) return std::nullopt;
    return "is not a valid IPv6 address (\"" + text +
           "\"); a port goes in inverter.tcp.port, not in the host";
  }
  const bool numeric = std::all_of(text.begin(), text.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (numeric) {
    if (::inet_pton(AF_INET, text.c_str(), buf) == 1) return std::nullopt;
    return "is not a valid IPv4 address (\"" + text +
           "\"): four numbers 0–255 separated by dots, e.g. \"192.168.1.50\"";
  }
  // RFC 1123 host name: dot-separated labels of letters, digits and '-' (and '_', which local
  // name services resolve), 1–63 characters each, not starting or ending with '-'; 253 in all.
  if (text.size() > 253) return "is too long for a host name (\"" + text + "\")";
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto dot = text.find('.', start);
    const auto end = dot == std::string::npos ? text.size() : dot;
    const std::string_view label{text.data() + start, end - start};
    const bool ok = !label.empty() && label.size() <= 63 && label.front() != '-' &&
                    label.back() != '-' && std::all_of(label.begin(), label.end(), [](char c) {
                      return is_alnum(c) || c == '-' || c == '_';
                    });
    if (!ok && !(label.empty() && dot == std::string::npos && start > 0))  // trailing dot is ok
      return "is neither an IP address nor a host name (\"" + text +
             "\"): use e.g. \"192.168.1.50\" or \"inverter.local\"";
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return std::nullopt;
}

}  // namespace bessd::config
