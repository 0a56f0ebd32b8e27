// Listening sockets of the API (listener_socket.hpp): bind, set access, identify.

#include <bessd/api/http/listener_socket.hpp>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <bessd/api/http/http_server.hpp>

#include "unix_peer.hpp"

namespace bessd::api::http {

namespace {

std::string errno_message(int err) {
  return std::strerror(err);
}

std::string numeric_address(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
  } else if (ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
  }
  return text;
}

// The configured address in the same form inet_ntop writes; empty when it is not numeric.
std::string canonical_address(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &v4, text, sizeof text);
    return text;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET6, &v6, text, sizeof text);
    return text;
  }
  return {};
}

}  // namespace

ListenerFd::~ListenerFd() {
  if (fd_ >= 0) ::close(fd_);
}

ListenerFd& ListenerFd::operator=(ListenerFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

int ListenerFd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

ListenerFd ListenerFd::duplicate() const noexcept {
  if (fd_ < 0) return ListenerFd{};
  return ListenerFd{::fcntl(fd_, F_DUPFD_CLOEXEC, 3)};
}

Status set_socket_file_access(const std::string& path, unsigned mode, std::optional<gid_t> group,
                              const std::string& group_name) {
  const auto where = "api socket " + path + ": ";
  // chmod()/chown() on a path follow a symbolic link planted there. O_PATH|O_NOFOLLOW opens the
  // directory entry itself (a link stays a link) and pins its inode, so the checks and the
  // changes below apply to one and the same file. fchmod() on the listening socket itself is no
  // help on Linux: it changes the socket's inode in sockfs, not the file bind() created.
  const int pfd = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (pfd < 0) return fail(ErrorCode::io_error, where + "open: " + errno_message(errno));
  ListenerFd pinned{pfd};
  struct stat st {};
  if (::fstat(pfd, &st) != 0)
    return fail(ErrorCode::io_error, where + "stat: " + errno_message(errno));
  if (S_ISLNK(st.st_mode))
    return fail(ErrorCode::permission_denied,
                where + "is a symbolic link; refusing to change the file it points to");
  if (!S_ISSOCK(st.st_mode)) return fail(ErrorCode::invalid_argument, where + "is not a socket");
  // An O_PATH descriptor accepts no fchmod(); its /proc/self/fd entry names exactly the pinned
  // inode (this is how glibc implements fchmodat(..., AT_SYMLINK_NOFOLLOW)).
  // The group first: when it cannot be changed, the mode has not been widened for it either.
  if (group && st.st_gid != *group &&
      ::fchownat(pfd, "", static_cast<uid_t>(-1), *group, AT_EMPTY_PATH) != 0)
    return fail(ErrorCode::permission_denied,
                where + "chown to group " + group_name + ": " + errno_message(errno));
  const std::string proc_path = "/proc/self/fd/" + std::to_string(pfd);
  if ((st.st_mode & 07777) != mode && ::chmod(proc_path.c_str(), static_cast<mode_t>(mode)) != 0)
    return fail(ErrorCode::io_error, where + "chmod: " + errno_message(errno));
  return {};
}

Result<ListenerFd> open_unix_listener(const UnixListenerSpec& spec) {
  const auto where = "api socket " + spec.path + ": ";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (spec.path.empty() || spec.path.size() >= sizeof addr.sun_path)
    return fail(ErrorCode::invalid_argument, where + "the path must have 1 to " +
                                                 std::to_string(sizeof addr.sun_path - 1) +
                                                 " characters");
  std::memcpy(addr.sun_path, spec.path.c_str(), spec.path.size() + 1);
  if (auto st = remove_stale_socket(spec.path); !st) return Failure{st.error()};
  ListenerFd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!fd.valid()) return fail(ErrorCode::io_error, where + "socket: " + errno_message(errno));
  // bind() never follows a symbolic link at the final component: it fails with EADDRINUSE.
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return fail(ErrorCode::io_error, where + "bind: " + errno_message(errno));
  if (auto st = set_socket_file_access(spec.path, spec.mode, spec.group, spec.group_name); !st) {
    ::unlink(spec.path.c_str());
    return Failure{st.error()};
  }
  if (::listen(fd.get(), SOMAXCONN) != 0) {
    const int err = errno;
    ::unlink(spec.path.c_str());
    return fail(ErrorCode::io_error, where + "listen: " + errno_message(err));
  }
  return fd;
}

Result<ListenerFd> open_tcp_listener(const std::string& address, std::uint16_t port) {
  const auto where = "api tcp " + address + ":" + std::to_string(port) + ": ";
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (in_addr v4{}; ::inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    auto& in = reinterpret_cast<sockaddr_in&>(ss);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    in.sin_addr = v4;
    len = sizeof in;
  } else if (in6_addr v6{}; ::inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = v6;
    len = sizeof in6;
  } else {
    return fail(ErrorCode::invalid_argument,
                "api tcp: invalid address \"" + address + "\": not a numeric IPv4 or IPv6 address");
  }
  ListenerFd fd{::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!fd.valid()) return fail(ErrorCode::io_error, where + "socket: " + errno_message(errno));
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
    return fail(ErrorCode::io_error, where + "SO_REUSEADDR: " + errno_message(errno));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0)
    return fail(ErrorCode::io_error, where + "bind: " + errno_message(errno));
  if (::listen(fd.get(), SOMAXCONN) != 0)
    return fail(ErrorCode::io_error, where + "listen: " + errno_message(errno));
  return fd;
}

std::string BoundAddress::describe() const {
  switch (kind) {
    case Kind::unix_stream:
      return "unix:" + path;
    case Kind::tcp:
      return "tcp:" + (address.find(':') != std::string::npos ? "[" + address + "]" : address) +
             ":" + std::to_string(port);
    case Kind::other:
      break;
  }
  return "not a listening stream socket";
}

BoundAddress bound_address(int fd) {
  BoundAddress out;
  int type = 0;
  int listening = 0;
  socklen_t optlen = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen) != 0 || type != SOCK_STREAM) return out;
  optlen = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || listening == 0)
    return out;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return out;
  if (ss.ss_family == AF_UNIX) {
    const auto& un = reinterpret_cast<const sockaddr_un&>(ss);
    const auto max = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path)
                                                           : std::size_t{0};
    out.kind = BoundAddress::Kind::unix_stream;
    out.path.assign(un.sun_path, ::strnlen(un.sun_path, max));
  } else if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
    out.kind = BoundAddress::Kind::tcp;
    out.address = numeric_address(ss);
    out.port = ntohs(ss.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(ss).sin_port
                                             : reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  }
  return out;
}

std::optional<gid_t> group_id_of(const std::string& name) {
  return group_id(name);
}

bool same_tcp_address(const BoundAddress& bound, const std::string& address, std::uint16_t port) {
  return bound.kind == BoundAddress::Kind::tcp && bound.port == port && !bound.address.empty() &&
         bound.address == canonical_address(address);
}

}  // namespace bessd::api::http
