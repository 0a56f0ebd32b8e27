// Unix-socket peers over the life of a connection (red team 17): what a reload takes away must be
// gone for the next request on a connection already open (docs/operations.md "Configure,
// reload"; http_server.hpp update_options()), and a peer the API refuses altogether must not keep
// the operator out of the Unix socket's connection budget (docs/api.md "Connection budgets").

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_test_support.hpp"

namespace bessd::api::test {
namespace {

using namespace std::chrono_literals;

using PeerScope = ServerFixture;

std::optional<gid_t> gid_named(const char* name) {
  const group* g = ::getgrnam(name);
  return g != nullptr ? std::optional<gid_t>(g->gr_gid) : std::nullopt;
}

// In the forked child only system calls and no allocation (the parent has threads): reads one
// Content-Length framed response and returns its status, 0 on EOF or garbage.
unsigned child_read_status(int fd) {
  char buf[16384];
  std::size_t have = 0;
  const char* end = nullptr;
  while (end == nullptr) {
    if (have == sizeof buf) return 0;
    const ssize_t n = ::read(fd, buf + have, sizeof buf - have);
    if (n <= 0) return 0;
    have += static_cast<std::size_t>(n);
    end = static_cast<const char*>(::memmem(buf, have, "\r\n\r\n", 4));
  }
  const std::size_t head = static_cast<std::size_t>(end - buf) + 4;
  std::size_t length = 0;
  for (std::size_t i = 0; i + 15 < head; ++i)
    if (::strncasecmp(buf + i, "content-length:", 15) == 0)
      length = static_cast<std::size_t>(::strtoul(buf + i + 15, nullptr, 10));
  std::size_t body = have - head;
  while (body < length) {
    char sink[4096];
    const ssize_t n = ::read(fd, sink, sizeof sink);
    if (n <= 0) return 0;
    body += static_cast<std::size_t>(n);
  }
  if (have < 12 || std::strncmp(buf, "HTTP/1.", 7) != 0) return 0;
  return static_cast<unsigned>((buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0'));
}

// A client process running as uid/gid (and no supplementary group) that opens `connections`
// connections to the socket and sends `first` on each, reports each status, waits for the
// parent's go, then sends `second` (when not empty) on its first connection and reports that
// status too. The parent talks to it through pipes; the child exits when the parent closes them.
class PeerProcess {
 public:
  PeerProcess(const std::string& path, uid_t uid, gid_t gid, int connections, std::string first,
              std::string second)
      : first_(std::move(first)), second_(std::move(second)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    int to_child[2];
    int from_child[2];
    if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(to_child[1]);
      ::close(from_child[0]);
      run_child(addr, uid, gid, connections, to_child[0], from_child[1]);
      ::_exit(0);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    go_ = to_child[1];
    results_ = from_child[0];
  }
  ~PeerProcess() {
    if (go_ >= 0) ::close(go_);
    if (results_ >= 0) ::close(results_);
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  /// The next status the child reports (0: none, or the child failed).
  unsigned next_status() {
    unsigned status = 0;
    if (results_ < 0 || ::read(results_, &status, sizeof status) != sizeof status) return 0;
    return status;
  }
  /// Lets the child send `second`.
  void go() {
    const char c = 'g';
    (void)!::write(go_, &c, 1);
  }

 private:
  void run_child(const sockaddr_un& addr, uid_t uid, gid_t gid, int connections, int go,
                 int results) {
    std::array<int, 16> fds{};
    const auto report = [&](unsigned status) { (void)!::write(results, &status, sizeof status); };
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) return;
    for (int i = 0; i < connections && i < static_cast<int>(fds.size()); ++i) {
      fds[i] = ::socket(AF_UNIX, SOCK_STREAM, 0);
      unsigned status = 0;
      if (fds[i] >= 0 &&
          ::connect(fds[i], reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
          ::write(fds[i], first_.data(), first_.size()) == static_cast<ssize_t>(first_.size()))
        status = child_read_status(fds[i]);
      report(status);
    }
    char c = 0;
    if (::read(go, &c, 1) != 1) return;  // the parent is done: the connections close with us
    if (second_.empty()) return;
    unsigned status = 0;
    if (::write(fds[0], second_.data(), second_.size()) == static_cast<ssize_t>(second_.size()))
      status = child_read_status(fds[0]);
    report(status);
    (void)!::read(go, &c, 1);
  }

  std::string first_;
  std::string second_;
  pid_t pid_{-1};
  int go_{-1};
  int results_{-1};
};

// docs/operations.md: a reload applies the api section ... "a new mode or group of the Unix
// socket"; http_server.hpp: update_options() replaces the group "for new connections and for the
// next request of open ones". A member of the control group whose membership the administrator
// revokes (api.unix_socket.group changed, SIGHUP) must lose the control scope on the connection it
// keeps open, as a rotated token does over TCP. The scope is computed once in accept_unix() and
// kept in the session's Requester.
TEST_F(PeerScope, ReloadThatDropsTheControlGroupAppliesToAnOpenConnection) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  const passwd* nobody = ::getpwnam("nobody");
  const auto control_gid = gid_named("daemon");
  if (nobody == nullptr || !control_gid) GTEST_SKIP() << "no nobody/daemon";
  const uid_t uid = nobody->pw_uid;
  options_.unix_group = "daemon";
  options_.read_timeout = 5s;  // the connection stays open while the test reloads
  start_server();
  const auto write = make_request("PUT", "/v1/mode", R"({"mode":"idle"})");
  PeerProcess peer(socket_path_, uid, *control_gid, 1, write, write);
  ASSERT_EQ(peer.next_status(), 200u);  // a member of the control group: control
  // The reload: the control group is now another one ("users"), nobody's group is no longer it.
  http::ServerOptions reloaded = options_;
  reloaded.unix_group = "users";
  const auto users_gid = gid_named("users");
  on_io([&] {
    server_->update_options(reloaded, users_gid, std::nullopt);
    return 0;
  });
  peer.go();
  // The next write on the connection it opened before the reload.
  EXPECT_EQ(peer.next_status(), 403u) << "the revoked control scope still applies to the open "
                                         "connection";
  EXPECT_EQ(on_io([this] { return facade_.mode_requests.size(); }), 1u);
}

// docs/api.md "Connection budgets": the Unix socket's budget (api.max_connections) is there so
// that no TCP client can take an operator's place. With api.unix_socket.read_group set (and the
// socket mode 0666 the docs ask for), any local user can open the socket; a user outside both
// groups gets 403 for every request, yet keeps the connection (keep-alive) and so holds one of the
// budget's slots. Holding all of them locks root and the control group out of the API.
TEST_F(PeerScope, APeerWithoutAccessCannotTakeTheOperatorsPlace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  const passwd* nobody = ::getpwnam("nobody");
  const auto stranger_gid = gid_named("users");
  if (nobody == nullptr || !stranger_gid || !gid_named("daemon") || !gid_named("nogroup"))
    GTEST_SKIP() << "no nobody/daemon/nogroup/users";
  options_.unix_group = "daemon";
  options_.unix_read_group = "nogroup";
  options_.max_connections = 2;
  options_.read_timeout = 5s;  // long enough for the test; the default is 5 s too
  start_server();
  PeerProcess stranger(socket_path_, nobody->pw_uid, *stranger_gid, 2,
                       make_request("GET", "/v1/status"), "");
  ASSERT_EQ(stranger.next_status(), 403u);  // no access...
  ASSERT_EQ(stranger.next_status(), 403u);  // ...on either connection
  // Root, the operator, while the stranger keeps its two refused connections open.
  const auto r = request_unix(socket_path_, make_request("GET", "/v1/status"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;
  stranger.go();
}

// Red team 36b F1: with the docs' read-only set-up (read_group, socket mode 0666), a read-only
// user holding connections took every slot, and root's `bessctl mode idle` got 503. A quarter of
// the Unix budget is kept for the control scope (docs/api.md "Connection budgets").
TEST_F(PeerScope, AReadOnlyPeerNeverTakesTheSlotsKeptForControl) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  const passwd* nobody = ::getpwnam("nobody");
  const auto read_gid = gid_named("nogroup");
  if (nobody == nullptr || !read_gid || !gid_named("daemon")) GTEST_SKIP() << "no nobody/groups";
  options_.unix_group = "daemon";
  options_.unix_read_group = "nogroup";
  options_.max_connections = 4;  // one kept for control
  options_.read_timeout = 5s;
  start_server();
  PeerProcess reader(socket_path_, nobody->pw_uid, *read_gid, 4, make_request("GET", "/v1/status"),
                     "");
  EXPECT_EQ(reader.next_status(), 200u);
  EXPECT_EQ(reader.next_status(), 200u);
  EXPECT_EQ(reader.next_status(), 200u);
  EXPECT_EQ(reader.next_status(), 503u) << "the last slot is kept for the control scope";
  const auto r = request_unix(socket_path_, make_request("PUT", "/v1/mode", R"({"mode":"idle"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->status, 503u) << r->body;
  reader.go();
}

}  // namespace
}  // namespace bessd::api::test
