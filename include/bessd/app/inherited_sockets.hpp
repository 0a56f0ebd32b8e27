#pragma once
// Listening sockets passed by systemd (socket activation, sd_listen_fds_with_names(3)): the
// bessd.socket unit holds the API's sockets while bessd restarts, so clients queue instead of
// being refused and no other process can take the address in between (docs/operations.md
// "Socket activation").

#include <string>
#include <vector>

#include <bessd/api/http/listener_socket.hpp>

namespace bessd::app {

struct InheritedSocket {
  api::http::ListenerFd fd;
  std::string name;  // FileDescriptorName= of the socket unit ("unknown" when unnamed)
  api::http::BoundAddress bound;
};

/// Takes the sockets systemd passed to this process (LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES) and
/// removes those variables from the environment, so a child process never sees them. Empty
/// when none were passed (not socket-activated: bessd binds its listeners itself).
std::vector<InheritedSocket> take_inherited_sockets();

}  // namespace bessd::app
