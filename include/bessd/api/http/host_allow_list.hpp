#pragma once
// The Host header check on the TCP listener (docs/api.md "Host check"): a browser tricked by
// DNS rebinding sends the attacker's host name, which is not on the list, so it gets 421.
//
// Entries are "name" (any port) or "name:port"; IPv6 literals in brackets ("[::1]:8470"). Names
// compare case-insensitively. A Host without a port matches an entry of that name.
//
// Threading: immutable after construction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bessd::api::http {

class HostAllowList {
 public:
  /// The listen address and "localhost", both on `port`, plus `extra` entries.
  HostAllowList(const std::string& listen_address, std::uint16_t port,
                const std::vector<std::string>& extra);

  /// True when the value of a Host header names an allowed host.
  bool allows(std::string_view host) const;

  struct Entry {
    std::string name;                   // lower case, IPv6 without brackets
    std::optional<std::uint16_t> port;  // nullopt: any
  };
  /// Splits "name[:port]" / "[v6][:port]"; nullopt when malformed.
  static std::optional<Entry> parse(std::string_view text);

 private:
  std::vector<Entry> entries_;
};

}  // namespace bessd::api::http
