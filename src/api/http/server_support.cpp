// Token files, constant-time comparison, stale socket removal and options from the config.

#include <bessd/api/http/http_server.hpp>

#include <bessd/common/errno_text.hpp>

#include <cerrno>
#include <cstring>

#include <boost/asio/ip/address.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace bessd::api::http {

namespace {

// The key `pointer` is at fault unless the error already names a more precise one (the
// dashboard's files say which of its two folders).
Failure configured_at(Error error, const char* pointer) {
  if (error.config_pointer.empty()) error.config_pointer = pointer;
  return Failure{std::move(error)};
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // Compare over the longer length so that the time does not reveal a matching prefix.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

Status check_tcp_address(const std::string& address, bool allow_remote) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec)
    return fail(ErrorCode::invalid_argument,
                "api tcp: invalid address \"" + address + "\": " + ec.message());
  if (!parsed.is_loopback() && !allow_remote)
    return fail(ErrorCode::invalid_argument,
                "api tcp: address " + address +
                    " is not loopback; the API is plain HTTP and the token would travel in clear. "
                    "Keep 127.0.0.1 and put a TLS proxy in front, or set api.tcp.allow_remote: "
                    "true if that proxy must reach bessd over the network");
  return {};
}

Status remove_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return fail(ErrorCode::io_error, "api socket " + path + ": " + errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode))
    return fail(ErrorCode::invalid_argument,
                "api socket " + path + " exists and is not a socket; refusing to remove it");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return fail(ErrorCode::invalid_argument, "api socket path is too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(ErrorCode::io_error, "api socket " + path + ": " + errno_text(errno));
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(fd);
  if (rc == 0)
    return fail(ErrorCode::busy, "api socket " + path +
                                     ": another process is listening on it (is bessd already "
                                     "running?)");
  if (err != ECONNREFUSED && err != ENOENT)
    return fail(ErrorCode::io_error, "api socket " + path + ": probing it: " + errno_text(err));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return fail(ErrorCode::io_error,
                "api socket " + path + ": removing the stale socket: " + errno_text(errno));
  return {};
}

Result<ServerOptions> ServerOptions::from_config(const config::ApiConfig& api) {
  ServerOptions o;
  o.unix_enabled = api.unix_socket.enabled;
  o.unix_path = api.unix_socket.path;
  o.unix_mode = static_cast<unsigned>(api.unix_socket.mode);
  o.unix_group = api.unix_socket.group;
  o.tcp_enabled = api.tcp.enabled;
  o.tcp_address = api.tcp.address;
  o.tcp_port = static_cast<std::uint16_t>(api.tcp.port);
  o.max_connections = static_cast<std::size_t>(api.max_connections);
  o.max_tcp_connections = static_cast<std::size_t>(api.tcp.max_connections);
  o.max_unauthenticated_tcp = static_cast<std::size_t>(api.tcp.max_unauthenticated_connections);
  o.auth_timeout = std::chrono::milliseconds{api.tcp.auth_timeout_ms};
  o.max_body_bytes = static_cast<std::size_t>(api.max_body_bytes);
  o.read_timeout = std::chrono::milliseconds{api.read_timeout_ms};
  o.unix_read_group = api.unix_socket.read_group;
  o.tcp_allow_remote = api.tcp.allow_remote;
  o.tcp_allowed_hosts = api.tcp.allowed_hosts;
  if (o.tcp_enabled) {
    if (auto st = check_tcp_address(o.tcp_address, o.tcp_allow_remote); !st)
      return configured_at(st.error(), "/api/tcp/address");
    auto tokens = read_token_file(api.tcp.token_file);
    if (!tokens) return configured_at(tokens.error(), "/api/tcp/token_file");
    o.tokens = std::move(*tokens);
  }
  o.dashboard_enabled = api.dashboard.enabled;
  o.dashboard_sessions.lifetime = std::chrono::seconds{api.dashboard.session_lifetime_s};
  o.dashboard_sessions.secure_cookie = api.dashboard.secure_cookie;
  if (o.dashboard_enabled) {
    // Here, at start and in the reload worker: never per request (docs/api.md "Dashboard
    // sessions").
    auto files = StaticFiles::load(api.dashboard.www_dir, api.dashboard.dygraphs_dir);
    if (!files) return configured_at(files.error(), "/api/dashboard/www_dir");
    o.dashboard_files = std::make_shared<const StaticFiles>(std::move(*files));
  }
  return o;
}

}  // namespace bessd::api::http
