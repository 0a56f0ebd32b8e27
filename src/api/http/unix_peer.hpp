#pragma once
// Unix-socket helpers of the HTTP server: peer credentials and groups.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
/// The supplementary groups of the peer of a connected Unix socket (SO_PEERGROUPS, Linux 4.13):
/// the kernel's record from connect() time, so no user database look-up per request. Empty when
/// the kernel does not say.
std::vector<gid_t> peer_groups(int fd);
/// True when a peer with primary group `gid` and supplementary `groups` is in `group`.
bool in_group(gid_t gid, const std::vector<gid_t>& groups, gid_t group);

}  // namespace bessd::api::http
