#pragma once
// Unix-socket helpers of the HTTP server: peer credentials and group membership.

#include <cstdint>
#include <optional>
#include <string>

#include <sys/types.h>

namespace bessd::api::http {

struct PeerCredentials {
  uid_t uid;
  gid_t gid;
  pid_t pid;
};

/// SO_PEERCRED of a connected Unix socket; nullopt when the kernel does not say.
std::optional<PeerCredentials> peer_credentials(int fd);
/// The user name of `uid`, or "" when it has none.
std::string user_name(uid_t uid);
/// The gid of a group name; nullopt when there is no such group.
std::optional<gid_t> group_id(const std::string& name);
/// True when `uid` (whose primary group is `gid`) is a member of `group`, primary or
/// supplementary (getgrouplist).
bool is_group_member(uid_t uid, gid_t gid, gid_t group);

}  // namespace bessd::api::http
