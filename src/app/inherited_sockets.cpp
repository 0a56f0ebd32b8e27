#include <bessd/app/inherited_sockets.hpp>

#include <cstdlib>

#include <systemd/sd-daemon.h>

namespace bessd::app {

std::vector<InheritedSocket> take_inherited_sockets() {
  std::vector<InheritedSocket> out;
  char** names = nullptr;
  const int n = sd_listen_fds_with_names(1, &names);
  for (int i = 0; i < n; ++i) {
    InheritedSocket s;
    s.fd = api::http::ListenerFd{SD_LISTEN_FDS_START + i};
    s.name = names != nullptr && names[i] != nullptr ? names[i] : "unknown";
    s.bound = api::http::bound_address(s.fd.get());
    out.push_back(std::move(s));
  }
  if (names != nullptr) {
    for (int i = 0; i < n; ++i) std::free(names[i]);  // NOLINT(cppcoreguidelines-no-malloc)
    std::free(static_cast<void*>(names));             // NOLINT(cppcoreguidelines-no-malloc)
  }
  return out;
}

}  // namespace bessd::app
