// Token files, constant-time comparison, stale socket removal and options from the config.

#include <bessd/api/http/http_server.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace bessd::api::http {

namespace {
std::string errno_text(int err) {
  return std::strerror(err);
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

Result<std::string> read_token_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail(ErrorCode::not_found, "api token file " + path + ": " + errno_text(errno));
  if ((st.st_mode & S_IROTH) != 0)
    return fail(ErrorCode::permission_denied,
                "api token file " + path + " is readable by everyone; chmod 0600 or 0640 it");
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::io_error, "api token file " + path + ": cannot be read");
  std::string line;
  std::getline(in, line);
  const auto first = line.find_first_not_of(" \t\r\n");
  const auto last = line.find_last_not_of(" \t\r\n");
  const std::string token =
      first == std::string::npos ? std::string{} : line.substr(first, last - first + 1);
  if (token.size() < 16)
    return fail(ErrorCode::invalid_argument,
                "api token file " + path + ": the token on its first line has " +
                    std::to_string(token.size()) + " characters; use at least 16");
  return token;
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
  if (o.tcp_enabled) {
    auto token = read_token_file(api.tcp.token_file);
    if (!token) return Failure{token.error()};
    o.token = std::move(*token);
  }
  return o;
}

}  // namespace bessd::api::http
