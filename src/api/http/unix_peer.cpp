#include "unix_peer.hpp"

#include <algorithm>
#include <cerrno>
#include <vector>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bessd::api::http {

std::optional<PeerCredentials> peer_credentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
    return std::nullopt;
  return PeerCredentials{cred.uid, cred.gid, cred.pid};
}

std::string user_name(uid_t uid) {
  std::vector<char> buf(4096);
  passwd pw{};
  passwd* found = nullptr;
  while (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == ERANGE && buf.size() < 1 << 20)
    buf.resize(buf.size() * 2);
  return found != nullptr ? std::string(found->pw_name) : std::string{};
}

std::optional<gid_t> group_id(const std::string& name) {
  std::vector<char> buf(4096);
  group gr{};
  group* found = nullptr;
  while (::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) == ERANGE &&
         buf.size() < 1 << 20)
    buf.resize(buf.size() * 2);
  if (found == nullptr) return std::nullopt;
  return found->gr_gid;
}

std::vector<gid_t> peer_groups(int fd) {
  std::vector<gid_t> groups(32);
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return groups;
    }
    if (errno != ERANGE) break;
    groups.resize(len / sizeof(gid_t) + 1);  // the kernel says how much it needs
  }
  return {};
}

bool in_group(gid_t gid, const std::vector<gid_t>& groups, gid_t group) {
  return gid == group || std::find(groups.begin(), groups.end(), group) != groups.end();
}

}  // namespace bessd::api::http
