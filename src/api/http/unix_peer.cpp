#include "unix_peer.hpp"

#include <algorithm>
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

bool is_group_member(uid_t uid, gid_t gid, gid_t group_gid) {
  if (gid == group_gid) return true;
  const std::string name = user_name(uid);
  if (name.empty()) return false;
  int count = 32;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  while (::getgrouplist(name.c_str(), gid, groups.data(), &count) == -1) {
    if (count <= static_cast<int>(groups.size())) return false;  // failed for another reason
    groups.resize(static_cast<std::size_t>(count));
  }
  groups.resize(static_cast<std::size_t>(count));
  return std::find(groups.begin(), groups.end(), group_gid) != groups.end();
}

}  // namespace bessd::api::http
