#pragma once
// Who sent an API request. The HTTP server fills it from the connection (SO_PEERCRED on the Unix
// socket, the bearer token over TCP); the router passes it to every write so that the facade can
// record who did what in the audit log.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd::api {

/// `mqtt`: a command from the MQTT broker (docs/mqtt.md "Control").
enum class Transport : std::uint8_t { unix_socket, tcp, internal, mqtt };
inline constexpr auto kTransportNames =
    std::to_array<EnumName<Transport>>({{Transport::unix_socket, "unix"},
                                        {Transport::tcp, "tcp"},
                                        {Transport::internal, "internal"},
                                        {Transport::mqtt, "mqtt"}});
static_assert(enum_names_complete(kTransportNames));

std::string_view to_string(Transport t) noexcept;

/// What a requester may do (docs/api.md "Transports and access"): `read` every GET (and
/// /metrics); `control` also every write. Control implies read.
enum class Scope : std::uint8_t { read, control };
inline constexpr auto kScopeNames =
    std::to_array<EnumName<Scope>>({{Scope::read, "read"}, {Scope::control, "control"}});
static_assert(enum_names_complete(kScopeNames));

std::string_view to_string(Scope s) noexcept;

struct Requester {
  Transport transport{Transport::internal};
  std::optional<std::uint32_t> uid;  // Unix socket peers only (SO_PEERCRED)
  std::optional<std::uint32_t> gid;
  std::optional<std::int32_t> pid;
  /// The user name of uid, "token" over TCP ("session" when a dashboard session's cookie stood
  /// for the token), "internal", or over MQTT the client the command names itself
  /// ("home-assistant"; the broker does not say who published).
  std::string user;
  std::string credential;  // TCP: the name of the token presented ("grafana"); else empty
  std::string peer;        // "unix:/run/bessd/api.sock", "127.0.0.1:53122" or "broker.lan:1883"
  /// Decided by the server (Unix socket: the peer's uid and groups; TCP: the token's scope).
  /// nullopt: no access at all.
  std::optional<Scope> scope;

  bool may_read() const { return scope.has_value(); }
  bool may_write() const { return scope == Scope::control; }

  /// One line for logs and the audit record: "uid 1000 (alice) pid 4242 via unix socket",
  /// "token grafana via tcp 127.0.0.1:53122" or, for a dashboard session, "session of token ops
  /// via tcp 127.0.0.1:53122".
  std::string describe() const;
  friend bool operator==(const Requester&, const Requester&) = default;
};

}  // namespace bessd::api
