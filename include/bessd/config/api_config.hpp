#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bessd::config {

struct UnixSocketConfig {
  bool enabled{true};
  std::string path{"/run/bessd/api.sock"};
  std::int64_t mode{0660};
  std::string group{"bessd"};  // control: root, the daemon's user and this group's members
  std::string read_group;      // empty: everyone who can open the socket may read
};

struct TcpListenerConfig {
  bool enabled{false};
  std::string address{"127.0.0.1"};
  std::int64_t port{8470};
  std::string token_file;  // required when enabled
  bool allow_remote{false};
  std::vector<std::string> allowed_hosts;  // Host header values besides address:port, localhost //
                                           // a non-loopback address is refused unless set
  std::int64_t max_connections{16};        // separate from the Unix socket's
  std::int64_t max_unauthenticated_connections{8};  // not yet past the token check
  std::int64_t auth_timeout_ms{2000};               // to present a valid token
};

/// Writes per client (docs/api.md "Write rate limit").
struct WriteRateConfig {
  double per_second{2.0};
  std::int64_t burst{10};
};

/// The web dashboard served over TCP (docs/api.md "Dashboard sessions"): static files read into
/// memory at start and on reload, and cookie sessions opened with a token of the token file.
struct DashboardConfig {
  bool enabled{false};  // needs tcp.enabled (a browser cannot reach the Unix socket)
  std::string www_dir{"/usr/share/bessd/www"};                 // must hold index.html
  std::string dygraphs_dir{"/usr/share/javascript/dygraphs"};  // Debian's libjs-dygraphs
  std::int64_t session_lifetime_s{43200};                      // absolute, 300..604800
  bool secure_cookie{false};  // add Secure to the cookie (behind a TLS proxy)
};

struct ApiConfig {
  UnixSocketConfig unix_socket;
  TcpListenerConfig tcp;
  std::int64_t max_connections{32};  // Unix socket connections
  std::int64_t max_body_bytes{65536};
  std::int64_t read_timeout_ms{5000};
  WriteRateConfig write_rate;
  DashboardConfig dashboard;
};

}  // namespace bessd::config
