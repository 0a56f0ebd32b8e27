#pragma once
// The API's listening sockets, apart from the server that accepts on them: opened by bessd itself
// (Unix socket, loopback TCP) or passed by systemd (docs/operations.md "Socket activation"). The
// daemon owns them through ListenerFd and hands them to HttpServer::serve_unix()/serve_tcp(), so
// a listener can be retried, replaced on reload or kept by systemd while the server runs on.
//
// Threading: plain system calls, none of which waits on a peer; callable from any thread.

#include <cstdint>
#include <optional>
#include <string>

#include <sys/types.h>

#include <bessd/common/result.hpp>

namespace bessd::api::http {

/// An owned file descriptor, closed on destruction.
class ListenerFd {
 public:
  ListenerFd() = default;
  explicit ListenerFd(int fd) noexcept : fd_(fd) {}
  ~ListenerFd();
  ListenerFd(ListenerFd&& other) noexcept : fd_(other.release()) {}
  ListenerFd& operator=(ListenerFd&& other) noexcept;
  ListenerFd(const ListenerFd&) = delete;
  ListenerFd& operator=(const ListenerFd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  /// Gives the descriptor up without closing it.
  int release() noexcept;
  /// A second descriptor of the same socket (close-on-exec); invalid on failure.
  ListenerFd duplicate() const noexcept;

 private:
  int fd_{-1};
};

struct UnixListenerSpec {
  std::string path;
  unsigned mode{0660};
  std::optional<gid_t> group;  // resolved by the caller (user look-ups stay off the event loop)
  std::string group_name;      // for messages only
};

/// Binds and listens on a Unix socket: a stale socket nobody listens on is removed first
/// (remove_stale_socket), then the mode and group are set on the socket file without following
/// a symbolic link (the file is opened O_PATH|O_NOFOLLOW and must be the socket just bound).
/// Errors name the path and the step.
Result<ListenerFd> open_unix_listener(const UnixListenerSpec& spec);

/// Binds (SO_REUSEADDR, so TIME_WAIT connections of a previous run do not block it) and listens
/// on a TCP address. Errors name the address and port.
Result<ListenerFd> open_tcp_listener(const std::string& address, std::uint16_t port);

/// Sets the mode and group of an existing socket file without following symbolic links: fails
/// when `path` is a symbolic link or not a socket. The group is changed only when it differs
/// (an unprivileged daemon may not chown at all under its system-call filter).
Status set_socket_file_access(const std::string& path, unsigned mode, std::optional<gid_t> group,
                              const std::string& group_name);

/// The gid of a group name (getgrnam_r; it may read /etc/group or ask NSS, so call it at
/// start-up or on a worker thread, never on the event loop); nullopt when there is none.
std::optional<gid_t> group_id_of(const std::string& name);

/// What a listening socket is bound to, for matching sockets passed by systemd against the
/// configuration.
struct BoundAddress {
  enum class Kind : std::uint8_t { unix_stream, tcp, other };
  Kind kind{Kind::other};
  std::string path;     // unix_stream
  std::string address;  // tcp: numeric address as inet_ntop writes it
  std::uint16_t port{0};
  /// "unix:/run/bessd/api.sock", "tcp:127.0.0.1:8470", "not a listening stream socket".
  std::string describe() const;
};

/// The address a listening stream socket is bound to; kind `other` for anything else (a
/// datagram socket, a socket not listening, not a socket).
BoundAddress bound_address(int fd);

/// True when a TCP listener bound to (`bound_address`, `bound_port`) serves the configured
/// `address` and `port` (both numeric addresses are compared after parsing, so "::1" and
/// "0:0::1" are the same).
bool same_tcp_address(const BoundAddress& bound, const std::string& address, std::uint16_t port);

}  // namespace bessd::api::http
