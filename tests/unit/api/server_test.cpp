// The HTTP server over a real Unix socket and loopback TCP.

#include <cerrno>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_test_support.hpp"

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

using Server = ServerFixture;

TEST_F(Server, UnixKeepAliveServesSeveralRequestsOnOneConnection) {
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/status")));
    const auto r = read_response(fd);
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200u);
    EXPECT_THAT(r->head, HasSubstr("content-type: application/json"));
    EXPECT_THAT(r->body, HasSubstr("\"soc_pct\":55"));
  }
  ::close(fd);
}

// Clients may send the next requests before the first answer: each gets its answer, in order, and
// "Connection: close" on the last one ends the connection after it.
TEST_F(Server, PipelinedRequestsAreAnsweredInOrder) {
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/status") + make_request("GET", "/nothing") +
                               make_request("GET", "/v1/limits", "", "Connection: close\r\n")));
  std::string all;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto first = all.find("HTTP/1.1 200 OK\r\n");
  const auto second = all.find("HTTP/1.1 404 Not Found\r\n");
  const auto third = all.find("HTTP/1.1 200 OK\r\n", first + 1);
  ASSERT_EQ(first, 0u) << all;
  ASSERT_NE(second, std::string::npos) << all;
  ASSERT_NE(third, std::string::npos) << all;
  EXPECT_LT(second, third);
  EXPECT_THAT(all.substr(first, second), HasSubstr("\"soc_pct\":55"));
  EXPECT_THAT(all.substr(third), HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(all.substr(third), HasSubstr("\"constraints\":["));
}

TEST_F(Server, UnixWriteAsRootCarriesPeerCredentials) {
  start_server();
  const auto r = request_unix(socket_path_, make_request("PUT", "/v1/mode", R"({"mode":"idle"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;  // root, or the daemon's own user
  const auto requests = on_io([this] { return facade_.mode_requests; });
  ASSERT_EQ(requests.size(), 1u);
  const Requester& who = requests[0].second;
  EXPECT_EQ(who.transport, Transport::unix_socket);
  EXPECT_EQ(who.uid, geteuid());
  EXPECT_EQ(who.pid, getpid());
  EXPECT_TRUE(who.may_write());
}

TEST_F(Server, SocketModeAndStaleSocketHandling) {
  // A stale socket (bound, nobody listening) is replaced.
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  options_.unix_mode = 0660;
  start_server();
  struct stat st {};
  ASSERT_EQ(::stat(socket_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  // A live socket is never taken over.
  const auto busy = http::remove_stale_socket(socket_path_);
  ASSERT_FALSE(busy.has_value());
  EXPECT_THAT(busy.error().message, HasSubstr("another process is listening"));
  stop_server();
  EXPECT_NE(::access(socket_path_.c_str(), F_OK), 0) << "socket file left behind";
  // Something that is not a socket is never removed.
  std::ofstream(socket_path_) << "data";
  const auto file = http::remove_stale_socket(socket_path_);
  ASSERT_FALSE(file.has_value());
  EXPECT_THAT(file.error().message, HasSubstr("is not a socket"));
  EXPECT_EQ(::access(socket_path_.c_str(), F_OK), 0);
}

TEST_F(Server, GroupIsAppliedToTheSocket) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another group needs root";
  const group* g = ::getgrnam("nogroup");
  if (g == nullptr) GTEST_SKIP() << "no group nogroup";
  const gid_t gid = g->gr_gid;
  options_.unix_group = "nogroup";
  start_server();
  struct stat st {};
  ASSERT_EQ(::stat(socket_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, gid);
}

// A client reads the response to HEAD up to the blank line, so a body there would be read as
// the next response on the connection.
TEST_F(Server, ResponseToHeadHasNoBodyOnAKeepAliveConnection) {
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, make_request("HEAD", "/v1/status") +
                               make_request("GET", "/v1/status", "", "Connection: close\r\n")));
  std::string wire;
  char buf[4096];
  for (ssize_t n = 0; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    wire.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto end = wire.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << wire;
  EXPECT_EQ(wire.substr(0, 15), "HTTP/1.1 200 OK") << wire;
  EXPECT_THAT(wire.substr(0, end), HasSubstr("Content-Length: "));
  EXPECT_EQ(wire.substr(end + 4, 15), "HTTP/1.1 200 OK") << wire;
}

TEST_F(Server, OversizedBodyIs413AndTheConnectionCloses) {
  options_.max_body_bytes = 1024;
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  const std::string body = R"({"mode":"idle","pad":")" + std::string(2000, 'x') + "\"}";
  ASSERT_TRUE(send_all(fd, make_request("PUT", "/v1/mode", body)));
  const auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413u);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"body_too_large\""));
  EXPECT_THAT(r->body, HasSubstr("1024 bytes"));
  EXPECT_TRUE(closed_without_data(fd, 3s));
  ::close(fd);
  EXPECT_TRUE(on_io([this] { return facade_.mode_requests.empty(); }));
}

TEST_F(Server, OversizedHeadersAre431) {
  start_server();
  const auto r = request_unix(
      socket_path_,
      make_request("GET", "/v1/status", "", "X-Pad: " + std::string(9000, 'a') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431u);
}

TEST_F(Server, MalformedRequestIs400) {
  start_server();
  const auto r = request_unix(socket_path_, "GARBAGE\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_THAT(r->body, HasSubstr("malformed HTTP request"));
}

TEST_F(Server, SlowClientIsDroppedWhileOthersAreServed) {
  start_server();
  const int slow = connect_unix(socket_path_);
  ASSERT_GE(slow, 0);
  ASSERT_TRUE(send_all(slow, "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  // Others are served while the slow client holds its connection.
  for (int i = 0; i < 3; ++i) {
    const auto r = request_unix(socket_path_, make_request("GET", "/v1/limits"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200u);
  }
  // The header never completes: the server closes the connection (read timeout 300 ms).
  EXPECT_TRUE(closed_without_data(slow, 4s));
  ::close(slow);
}

TEST_F(Server, SlowBodyIsDroppedToo) {
  start_server();
  const int slow = connect_unix(socket_path_);
  ASSERT_GE(slow, 0);
  ASSERT_TRUE(send_all(slow,
                       "PUT /v1/mode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"mode\""));
  EXPECT_TRUE(closed_without_data(slow, 4s));
  ::close(slow);
}

TEST_F(Server, ConnectionCapAnswers503AndRecovers) {
  options_.max_connections = 2;
  start_server();
  int held[2];
  for (int& fd : held) {
    fd = connect_unix(socket_path_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/status")));
    ASSERT_TRUE(read_response(fd).has_value());  // accepted and kept alive
  }
  const auto over = request_unix(socket_path_, make_request("GET", "/v1/status"));
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(over->status, 503u);
  EXPECT_THAT(over->body, HasSubstr("too_many_connections"));
  ::close(held[0]);
  // The freed slot becomes usable once the server sees the close (bounded wait, no sleep).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  unsigned status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto r = request_unix(socket_path_, make_request("GET", "/v1/status"));
    status = r ? r->status : 0;
    if (status == 200) break;
    std::this_thread::yield();
  }
  EXPECT_EQ(status, 200u);
  ::close(held[1]);
}

// The client over the cap sends its request only after the 503 has arrived. A server that closed
// at once would make that send fail (EPIPE) or reset the connection; a lingering close keeps the
// response readable and then ends the connection cleanly.
TEST_F(Server, ConnectionOverTheCapStillReadsItsAnswerAfterSending) {
  options_.max_connections = 1;
  start_server();
  const int held = connect_unix(socket_path_);
  ASSERT_GE(held, 0);
  ASSERT_TRUE(send_all(held, make_request("GET", "/v1/status")));
  ASSERT_TRUE(read_response(held).has_value());
  const int over = connect_unix(socket_path_);
  ASSERT_GE(over, 0);
  pollfd p{over, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 4000), 1);  // the 503 is waiting to be read
  std::this_thread::sleep_for(50ms);  // and the server had time to close, had it not lingered
  ASSERT_TRUE(send_all(over, make_request("GET", "/v1/status")));
  const auto r = read_response(over);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503u);
  EXPECT_TRUE(closed_without_data(over, 4s));
  ::close(over);
  ::close(held);
}

// A client that goes on sending after its last response is cut off after the linger time.
TEST_F(Server, LingeringCloseIsBounded) {
  options_.read_timeout = 200ms;
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/status", "", "Connection: close\r\n")));
  ASSERT_TRUE(read_response(fd).has_value());
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 5s && send_all(fd, "x"))
    std::this_thread::sleep_for(20ms);  // sending fails once the server has closed its end
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  ::close(fd);
}

TEST_F(Server, ExpectContinueIsAnswered) {
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  const std::string body = R"({"mode":"idle"})";
  ASSERT_TRUE(send_all(fd,
                       "PUT /v1/mode HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                       "Content-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n"));
  char buf[64] = {};
  const auto n = ::recv(fd, buf, sizeof buf - 1, 0);
  ASSERT_GT(n, 0);
  EXPECT_THAT(std::string(buf), HasSubstr("HTTP/1.1 100 Continue"));
  ASSERT_TRUE(send_all(fd, body));
  const auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  ::close(fd);
}

TEST_F(Server, AsyncFacadeCompletionIsDelivered) {
  facade_.hold_async = true;
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/events?limit=2")));
  // Wait (bounded) until the router handed the query to the facade, then complete it.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (on_io([this] { return facade_.pending(); }) == 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  // Meanwhile the loop keeps serving others.
  const auto other = request_unix(socket_path_, make_request("GET", "/v1/status"));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 200u);
  EXPECT_EQ(on_io([this] { return facade_.release_pending(); }), 1u);
  const auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  EXPECT_THAT(r->body, HasSubstr("\"events\":["));
  ::close(fd);
}

TEST_F(Server, TcpNeedsTheBearerToken) {
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  ASSERT_NE(port, 0);
  const auto once = [&](const std::string& raw) {
    const int fd = connect_tcp(port);
    EXPECT_GE(fd, 0);
    std::optional<RawResponse> r;
    if (send_all(fd, raw)) r = read_response(fd);
    ::close(fd);
    return r;
  };
  auto r = once(make_request("GET", "/v1/status"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401u);
  EXPECT_THAT(r->head, HasSubstr("www-authenticate: bearer"));
  EXPECT_THAT(r->body, HasSubstr("Authorization: Bearer"));
  r = once(make_request("GET", "/v1/status", "", "Authorization: Bearer wrong-token\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401u);
  EXPECT_THAT(r->body, HasSubstr("invalid bearer token"));
  r = once(make_request("GET", "/metrics", "",
                        "Authorization: Bearer " + std::string(kTestToken) + "x\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401u);
  const std::string auth = "Authorization: Bearer " + std::string(kTestToken) + "\r\n";
  r = once(make_request("GET", "/v1/status", "", auth));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  r = once(make_request("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":100})", auth));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;
  const auto requests = on_io([this] { return facade_.mode_requests; });
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].second.transport, Transport::tcp);
  EXPECT_THAT(requests[0].second.peer, HasSubstr("127.0.0.1:"));
}

/// Forks a child that drops to uid/gid and sends `raw` over the Unix socket; returns the HTTP
/// status it got (0 when none). The child uses only system calls (the parent has threads).
unsigned status_as(const std::string& path, uid_t uid, gid_t gid, const std::string& raw,
                   const std::vector<gid_t>& supplementary = {}) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return 0;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipe_fds[0]);
    char status[3] = {'0', '0', '0'};
    if (::setgroups(supplementary.size(), supplementary.data()) == 0 && ::setgid(gid) == 0 &&
        ::setuid(uid) == 0) {
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::write(fd, raw.data(), raw.size()) == static_cast<ssize_t>(raw.size())) {
        char buf[16] = {};
        if (::read(fd, buf, 12) >= 12) {
          status[0] = buf[9];
          status[1] = buf[10];
          status[2] = buf[11];
        }
      }
    }
    (void)!::write(pipe_fds[1], status, 3);
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  char status[4] = {};
  const auto n = ::read(pipe_fds[0], status, 3);
  ::close(pipe_fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return n == 3 ? static_cast<unsigned>(std::atoi(status)) : 0;
}

TEST_F(Server, PeerCredentialsDenyWritesToNonMembers) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  const passwd* nobody = ::getpwnam("nobody");
  const group* daemon_group = ::getgrnam("daemon");
  if (nobody == nullptr || daemon_group == nullptr) GTEST_SKIP() << "no nobody/daemon";
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  options_.unix_group = "daemon";  // nobody is not a member
  start_server();
  const auto write = make_request("PUT", "/v1/mode", R"({"mode":"idle"})");
  EXPECT_EQ(status_as(socket_path_, uid, gid, write), 403u);
  EXPECT_EQ(status_as(socket_path_, uid, gid, make_request("GET", "/v1/status")), 200u);
  EXPECT_TRUE(on_io([this] { return facade_.mode_requests.empty(); }));
  // A member of the configured group (primary group here) may write.
  EXPECT_EQ(status_as(socket_path_, uid, daemon_group->gr_gid, write), 200u);
  const auto requests = on_io([this] { return facade_.mode_requests; });
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].second.uid, uid);
  EXPECT_EQ(requests[0].second.user, "nobody");
}

// Supplementary groups come from SO_PEERGROUPS (the kernel's record of the client), not from
// the user database: a client whose process has the control group as a supplementary group may
// write although /etc/group does not list the user in it.
TEST_F(Server, SupplementaryGroupOfThePeerProcessGivesControl) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  const passwd* nobody = ::getpwnam("nobody");
  const group* daemon_group = ::getgrnam("daemon");
  if (nobody == nullptr || daemon_group == nullptr) GTEST_SKIP() << "no nobody/daemon";
  options_.unix_group = "daemon";
  start_server();
  const auto write = make_request("PUT", "/v1/mode", R"({"mode":"idle"})");
  EXPECT_EQ(status_as(socket_path_, nobody->pw_uid, nobody->pw_gid, write, {}), 403u);
  EXPECT_EQ(status_as(socket_path_, nobody->pw_uid, nobody->pw_gid, write, {daemon_group->gr_gid}),
            200u);
}

TEST_F(Server, ReadGroupMembersMayReadOnlyAndOthersNothing) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user";
  const passwd* nobody = ::getpwnam("nobody");
  // getgrnam() returns a static buffer: copy each gid before the next look-up.
  const auto gid_of = [](const char* name) -> std::optional<gid_t> {
    const group* g = ::getgrnam(name);
    return g != nullptr ? std::optional<gid_t>(g->gr_gid) : std::nullopt;
  };
  const auto control_gid = gid_of("daemon");
  const auto reader_gid = gid_of("nogroup");
  const auto other_gid = gid_of("users");
  if (nobody == nullptr || !control_gid || !reader_gid || !other_gid)
    GTEST_SKIP() << "no nobody/daemon/nogroup/users";
  options_.unix_group = "daemon";
  options_.unix_read_group = "nogroup";
  start_server();
  const uid_t uid = nobody->pw_uid;
  const auto write = make_request("PUT", "/v1/mode", R"({"mode":"idle"})");
  const auto read = make_request("GET", "/v1/status");
  const auto metrics = make_request("GET", "/metrics");
  EXPECT_EQ(status_as(socket_path_, uid, *reader_gid, read), 200u);
  EXPECT_EQ(status_as(socket_path_, uid, *reader_gid, metrics), 200u);
  EXPECT_EQ(status_as(socket_path_, uid, *reader_gid, write), 403u);
  EXPECT_EQ(status_as(socket_path_, uid, *other_gid, read), 403u);
  EXPECT_EQ(status_as(socket_path_, uid, *other_gid, metrics), 403u);
  EXPECT_EQ(status_as(socket_path_, uid, *other_gid, read, {*reader_gid}), 200u);
  EXPECT_EQ(status_as(socket_path_, uid, *control_gid, write), 200u);
  EXPECT_EQ(on_io([this] { return facade_.mode_requests.size(); }), 1u);
}

// Red team 36b F7: a reload that turns TCP off leaves an authenticated keep-alive connection
// open; its next request is told why (503), and it is no failed authentication.
TEST_F(Server, TcpTurnedOffByAReloadIsNotAFailedAuthentication) {
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const int fd = connect_tcp(port);
  ASSERT_GE(fd, 0);
  const std::string auth = "Authorization: Bearer " + std::string(kTestToken) + "\r\n";
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/health", "", auth)));
  auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  auto reloaded = options_;
  reloaded.tcp_enabled = false;
  on_io([&] {
    server_->update_options(reloaded, std::nullopt, std::nullopt);
    return 0;
  });
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/health", "", auth)));
  r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503u);
  EXPECT_THAT(r->body, HasSubstr("turned off by a configuration reload"));
  ::close(fd);
}

TEST_F(Server, TokenScopesOverTcp) {
  options_.tokens = {{"grafana", Scope::read, "read-only-secret-0123456789"},
                     {"ops", Scope::control, kTestToken}};
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const auto once = [&](const std::string& raw) {
    const int fd = connect_tcp(port);
    std::optional<RawResponse> r;
    if (send_all(fd, raw)) r = read_response(fd);
    ::close(fd);
    return r;
  };
  const std::string reader = "Authorization: Bearer read-only-secret-0123456789\r\n";
  const std::string operator_ = "Authorization: Bearer " + std::string(kTestToken) + "\r\n";
  for (const char* path : {"/v1/status", "/metrics", "/v1/config", "/v1/events"}) {
    const auto r = once(make_request("GET", path, "", reader));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200u) << path;
  }
  auto r = once(make_request("PUT", "/v1/mode", R"({"mode":"idle"})", reader));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("PUT /v1/mode needs the control scope"));
  EXPECT_THAT(r->body, HasSubstr("token grafana"));
  r = once(make_request("POST", "/v1/faults/ack", "{}", reader));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403u);
  r = once(make_request("PUT", "/v1/mode", R"({"mode":"idle"})", operator_));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;
  const auto requests = on_io([this] { return facade_.mode_requests; });
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].second.credential, "ops");
  EXPECT_EQ(requests[0].second.scope, Scope::control);
  EXPECT_THAT(requests[0].second.describe(), HasSubstr("token ops via tcp 127.0.0.1:"));
}

TEST(ServerOptions, NonLoopbackTcpNeedsAllowRemote) {
  EXPECT_TRUE(http::check_tcp_address("127.0.0.1", false).has_value());
  EXPECT_TRUE(http::check_tcp_address("::1", false).has_value());
  const auto refused = http::check_tcp_address("0.0.0.0", false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message, HasSubstr("api.tcp.allow_remote"));
  EXPECT_THAT(refused.error().message, HasSubstr("TLS"));
  EXPECT_TRUE(http::check_tcp_address("0.0.0.0", true).has_value());
  EXPECT_FALSE(http::check_tcp_address("not-an-address", true).has_value());
  config::ApiConfig api;
  api.tcp.enabled = true;
  api.tcp.address = "192.0.2.1";
  api.tcp.token_file = "/nonexistent/bessd-token";
  const auto o = http::ServerOptions::from_config(api);
  ASSERT_FALSE(o.has_value());
  EXPECT_THAT(o.error().message, HasSubstr("allow_remote"));
  EXPECT_EQ(o.error().config_pointer, "/api/tcp/address");
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(http::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(http::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(http::constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(http::constant_time_equal("", "a"));
  EXPECT_TRUE(http::constant_time_equal("", ""));
}

TEST(ServerOptions, FromConfigNeedsAReadableTokenForTcp) {
  config::ApiConfig api;
  api.tcp.enabled = true;
  api.tcp.token_file = "/nonexistent/bessd-token";
  const auto o = http::ServerOptions::from_config(api);
  ASSERT_FALSE(o.has_value());
  EXPECT_THAT(o.error().message, HasSubstr("/nonexistent/bessd-token"));
  EXPECT_EQ(o.error().config_pointer, "/api/tcp/token_file");
  api.tcp.enabled = false;
  const auto ok = http::ServerOptions::from_config(api);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->unix_mode, 0660u);
  EXPECT_EQ(ok->max_body_bytes, 65536u);
}

}  // namespace
}  // namespace bessd::api::test
