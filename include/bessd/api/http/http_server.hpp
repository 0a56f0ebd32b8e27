#pragma once
// The API's HTTP/1.1 server (Boost.Beast) on the daemon's io_context: a Unix socket and an
// optional TCP listener, both serving the same Router. Sockets only: every decision about
// content is the router's.
//
// Robustness: header and body reads each have `read_timeout` (a slow client is dropped and
// never stalls the loop), bodies above `max_body_bytes` get 413, headers above
// `max_header_bytes` get 431, keep-alive is supported, responses to facade queries that
// complete on another thread are posted back to the io_context. A connection is closed after
// its last response with a lingering close (half-close, drain for up to min(read_timeout, 1 s)),
// so a client still sending never has the response destroyed by a reset.
//
// Budgets (docs/api.md "Connection budgets"): at most `max_connections` Unix-socket connections,
// `max_tcp_connections` TCP connections, of which at most `max_unauthenticated_tcp` have not yet
// presented a valid token; each budget is separate, so no TCP client can take a Unix operator's
// place. A connection over its budget gets 503 and is closed. A TCP connection must present a
// valid token within `auth_timeout` of being accepted. A 401 closes the connection; failed
// authentications are logged (one line per peer per interval, with a count) and a peer with too
// many is refused with 429 for a while (AuthFailureTracker).
//
// Access (docs/api.md "Transports and access"): over the Unix socket the peer is identified
// with SO_PEERCRED and its groups with SO_PEERGROUPS (no user database look-up per request); it
// has the control scope when it is root, the daemon's own user, or a member of `unix_group`, else
// the read scope when `unix_read_group` is empty or it is a member, else no access. Over TCP
// every request needs "Authorization: Bearer <token>" (compared in constant time with every
// token); the token's scope applies.
//
// Dashboard (docs/api.md "Dashboard sessions"), when `dashboard_enabled`: GET/HEAD of "/" and
// "/ui/..." are answered from `dashboard_files` without credentials (the Host check still
// applies; such a connection stays unauthenticated). Over TCP, /v1/session opens, shows and
// ends cookie sessions (session_store.hpp), and a request without Authorization but with a valid
// bessd_session cookie is authenticated as the session's token; a write made so must pass the
// CSRF check (X-CSRF-Token, Origin) or gets 403 `csrf`. Authorization, when sent, wins.
//
// Threading: construct, start() and stop() on the io_context's thread (or before it runs).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include <bessd/api/http/auth_failures.hpp>
#include <bessd/api/http/listener_socket.hpp>
#include <bessd/api/http/session_store.hpp>
#include <bessd/api/http/static_files.hpp>
#include <bessd/api/http/token_file.hpp>
#include <bessd/api/router.hpp>
#include <bessd/common/result.hpp>
#include <bessd/config/api_config.hpp>

namespace bessd::api::http {

struct ServerOptions {
  bool unix_enabled{true};
  std::string unix_path{"/run/bessd/api.sock"};
  unsigned unix_mode{0660};
  std::string unix_group{"bessd"};  // empty: no group may write (root and the daemon user only)
  // Non-empty: only members of this group (and the control group, root, the daemon's user) may
  // read; empty: everyone who can open the socket may read.
  std::string unix_read_group;
  bool tcp_enabled{false};
  std::string tcp_address{"127.0.0.1"};
  std::uint16_t tcp_port{8470};  // 0 picks a free port (tests); see HttpServer::tcp_port()
  bool tcp_allow_remote{false};  // a non-loopback tcp_address is refused unless set
  std::vector<Credential> tokens;
  std::vector<std::string> tcp_allowed_hosts;  // Host values besides address:port, localhost // at
                                               // least one required when tcp_enabled
  std::size_t max_connections{32};             // Unix socket
  std::size_t max_tcp_connections{16};         // TCP, authenticated or not
  std::size_t max_unauthenticated_tcp{8};      // TCP connections without a valid token yet
  std::chrono::milliseconds auth_timeout{2000};  // TCP: time to present a valid token
  AuthThrottleSettings auth_throttle;
  std::size_t max_body_bytes{65536};
  std::size_t max_header_bytes{8192};
  std::chrono::milliseconds read_timeout{5000};
  std::shared_ptr<spdlog::logger> logger;  // may be null: no logging
  bool dashboard_enabled{false};
  std::shared_ptr<const StaticFiles> dashboard_files;  // non-null when dashboard_enabled
  SessionSettings dashboard_sessions;

  /// From the configuration; reads the token file (token_file.hpp) when TCP is on and checks the
  /// listen address; reads the dashboard's files when it is enabled (static_files.hpp). An
  /// error's `config_pointer` names the key at fault ("/api/tcp/address", "/api/tcp/token_file",
  /// "/api/dashboard/www_dir", "/api/dashboard/dygraphs_dir").
  static Result<ServerOptions> from_config(const config::ApiConfig& api);
};

/// A TCP listen address: valid, and loopback unless `allow_remote`; the error says why and how.
Status check_tcp_address(const std::string& address, bool allow_remote);

/// Constant-time comparison (time depends on the lengths only).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// Makes `path` free for bind(): removes a stale socket nobody listens on; fails when another
/// process listens there or when the path is not a socket.
Status remove_stale_socket(const std::string& path);

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts accepting. Errors name the socket or address and the reason.
  Status start();
  /// Closes the listeners and every connection; removes the Unix socket file start() bound.
  void stop();

  /// Accepts on a listening socket opened elsewhere (the daemon's listeners, or sockets passed
  /// by systemd) instead of binding one; a previous listener of that kind stops accepting (its
  /// connections are served to the end). The server owns `fd` from here on, but never removes
  /// the Unix socket file of an adopted socket.
  Status serve_unix(ListenerFd fd);
  Status serve_tcp(ListenerFd fd);
  /// Stops accepting on that listener; open connections are served to the end.
  void close_unix();
  void close_tcp();
  /// Replaces the options (token, limits, group) for new connections and for the next request
  /// of open ones; the listener fields of `options` are informational here (see serve_*()).
  /// `write_gid` and `read_gid` are the gids of options.unix_group and unix_read_group, looked
  /// up by the caller away from the event loop (nullopt: no such group).
  void update_options(ServerOptions options, std::optional<gid_t> write_gid,
                      std::optional<gid_t> read_gid);

  /// The bound TCP port (useful with tcp_port = 0); 0 when TCP is off.
  std::uint16_t tcp_port() const;
  /// Connections being served now.
  std::size_t active_connections() const;

  struct State;  // implementation detail (sessions share it)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace bessd::api::http
