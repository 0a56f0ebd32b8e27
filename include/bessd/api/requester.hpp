#pragma once
// Who sent an API request. The HTTP server fills it from the connection (SO_PEERCRED on the Unix
// socket, the bearer token over TCP); the router passes it to every write so that the facade can
// record who did what in the audit log.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bessd::api {

enum class Transport : std::uint8_t { unix_socket, tcp, internal };

std::string_view to_string(Transport t) noexcept;

struct Requester {
  Transport transport{Transport::internal};
  std::optional<std::uint32_t> uid;  // Unix socket peers only (SO_PEERCRED)
  std::optional<std::uint32_t> gid;
  std::optional<std::int32_t> pid;
  std::string user;  // user name of uid, or "token" over TCP, or "internal"
  std::string peer;  // "unix:/run/bessd/api.sock" or "127.0.0.1:53122"
  /// Decided by the server: root or a member of the API group (Unix socket); a valid token (TCP).
  bool may_write{false};

  /// One line for logs and the audit record: "uid 1000 (alice) pid 4242 via unix socket".
  std::string describe() const;
  friend bool operator==(const Requester&, const Requester&) = default;
};

}  // namespace bessd::api
