// Connection budgets and failed authentications (docs/api.md "Connection budgets" and "Failed
// authentications"): a flood of TCP clients without a token never locks out the Unix operator.

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <poll.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_test_support.hpp"

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

using Budget = ServerFixture;

std::optional<RawResponse> once_tcp(std::uint16_t port, const std::string& raw) {
  const int fd = connect_tcp(port);
  if (fd < 0) return std::nullopt;
  std::optional<RawResponse> r;
  if (send_all(fd, raw)) r = read_response(fd);
  ::close(fd);
  return r;
}

std::string bearer() {
  return "Authorization: Bearer " + std::string(kTestToken) + "\r\n";
}

// The lock-out: 40 TCP clients without a token repeat requests on their connections
// (a server that kept a connection open after 401 let them hold every shared slot) while an
// operator in the API group writes over the Unix socket.
TEST_F(Budget, NoTokenFloodOverTcpNeverLocksOutTheUnixOperator) {
  options_.max_connections = 32;
  options_.auth_throttle.max_failures = 1'000'000;  // the budgets alone must protect the operator
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  ASSERT_NE(port, 0);
  constexpr int kFlooders = 40;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> flood;
  flood.reserve(kFlooders);
  for (int i = 0; i < kFlooders; ++i) {
    flood.emplace_back([&] {
      bool counted = false;
      while (!stop) {
        const int fd = connect_tcp(port);
        if (fd < 0) continue;
        while (!stop && send_all(fd, make_request("GET", "/v1/status"))) {
          if (!read_response(fd)) break;
          if (!counted) {
            counted = true;
            ++answered;
          }
        }
        ::close(fd);
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (answered < kFlooders && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(answered, kFlooders);
  std::vector<unsigned> statuses;
  // As many writes as one client may send at once (the write rate limit's burst).
  for (std::uint32_t i = 0; i < WriteRateSettings{}.burst; ++i) {
    const auto r = request_unix(socket_path_, make_request("POST", "/v1/faults/ack", "{}"));
    statuses.push_back(r ? r->status : 0);
  }
  stop = true;
  for (auto& t : flood) t.join();
  EXPECT_THAT(statuses, ::testing::Each(200u));
}

TEST_F(Budget, A401ClosesTheConnection) {
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const int fd = connect_tcp(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/status")));
  const auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401u);
  EXPECT_THAT(r->head, HasSubstr("connection: close"));
  EXPECT_TRUE(closed_without_data(fd, 4s));
  ::close(fd);
}

// The token is checked on the header: a client without one never gets "100 Continue" and is
// answered without the server waiting for (or reading) its body.
TEST_F(Budget, AuthenticationComesBeforeTheBodyAndBefore100Continue) {
  options_.read_timeout = 10s;  // waiting for the body would outlast the test's patience
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const int fd = connect_tcp(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd,
                       "PUT /v1/mode HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                       "Content-Type: application/json\r\nContent-Length: 3000\r\n\r\n"));
  const auto r = read_response(fd);  // gives up after 5 s
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401u);
  ::close(fd);
  EXPECT_TRUE(on_io([this] { return facade_.mode_requests.empty(); }));
}

// Authorisation too: a read-only token's write is answered 403 before its body is read and
// without 100 Continue (the body would be read only to be refused).
TEST_F(Budget, AReadOnlyWriteIs403BeforeTheBodyAndBefore100Continue) {
  options_.read_timeout = 10s;
  options_.tokens.push_back({"viewer", Scope::read, "fedcba9876543210-read-token"});
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const int fd = connect_tcp(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd,
                       "PUT /v1/mode HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                       "Authorization: Bearer fedcba9876543210-read-token\r\n"
                       "Content-Type: application/json\r\nContent-Length: 3000\r\n\r\n"));
  const auto r = read_response(fd);  // the first answer: 403, not 100
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("read-only"));
  ::close(fd);
  EXPECT_TRUE(on_io([this] { return facade_.mode_requests.empty(); }));
}

TEST_F(Budget, AnUnauthenticatedTcpConnectionHasAShortDeadline) {
  options_.read_timeout = 10s;
  options_.auth_timeout = 200ms;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const int idle = connect_tcp(port);
  ASSERT_GE(idle, 0);
  EXPECT_TRUE(closed_without_data(idle, 4s));  // not after read_timeout (10 s)
  ::close(idle);
  // An authenticated connection keeps read_timeout between its requests.
  const int fd = connect_tcp(port);
  ASSERT_TRUE(send_all(fd, make_request("GET", "/v1/status", "", bearer())));
  const auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  EXPECT_FALSE(closed_without_data(fd, 600ms));
  ::close(fd);
}

// Red team 17: a few connections that never send a token, reopened as they time out, refused
// every token holder (503). The budget for connections waiting to authenticate is small, and
// when it is full the oldest of them is closed to serve the newcomer.
TEST_F(Budget, IdleConnectionsWithoutATokenNeverLockOutATokenHolder) {
  options_.max_unauthenticated_tcp = 2;
  options_.max_tcp_connections = 8;
  options_.read_timeout = 10s;
  options_.auth_timeout = 5s;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  // An authenticated connection does not count against the unauthenticated budget.
  const int authed = connect_tcp(port);
  ASSERT_TRUE(send_all(authed, make_request("GET", "/v1/status", "", bearer())));
  ASSERT_EQ(read_response(authed)->status, 200u);
  const int idle1 = connect_tcp(port);
  const int idle2 = connect_tcp(port);
  ASSERT_GE(idle1, 0);
  ASSERT_GE(idle2, 0);
  // The server sees the two idle ones before the next: wait until it counts them.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (on_io([this] { return server_->active_connections(); }) < 3 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  const int holder = connect_tcp(port);
  ASSERT_TRUE(send_all(holder, make_request("GET", "/v1/status", "", bearer())));
  const auto served = read_response(holder);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->status, 200u) << served->body;
  EXPECT_TRUE(closed_without_data(idle1, 2s));  // the oldest waiting one made room
  EXPECT_FALSE(closed_without_data(idle2, 300ms));
  // The Unix socket is not affected.
  const auto r = request_unix(socket_path_, make_request("GET", "/v1/status"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  ::close(idle1);
  ::close(idle2);
  ::close(holder);
  ::close(authed);
}

// A browser opens several connections at once and sends its requests on them together: the
// accept that asks for room and a waiting connection's whole request can be handled in the same
// pass of the event loop. The connection whose request is already read must be answered, not
// evicted, and the budget's count must come back to zero (a connection evicted and then
// authenticated was once counted out twice: the count wrapped and every newcomer got 503).
TEST_F(Budget, RequestsSentTogetherWithANewcomerAreAnsweredAndTheCountRecovers) {
  options_.max_unauthenticated_tcp = 2;
  options_.max_tcp_connections = 8;
  options_.auth_timeout = 5s;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  for (int round = 0; round < 30; ++round) {
    const int a = connect_tcp(port);
    const int b = connect_tcp(port);
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (on_io([this] { return server_->active_connections(); }) < 2 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    // Hold the event loop while both requests and a third connection arrive together.
    std::promise<void> release;
    std::promise<void> held;
    boost::asio::post(io_, [&] {
      held.set_value();
      release.get_future().wait();
    });
    held.get_future().wait();
    ASSERT_TRUE(send_all(a, make_request("GET", "/v1/status", "", bearer())));
    ASSERT_TRUE(send_all(b, make_request("GET", "/v1/status", "", bearer())));
    const int c = connect_tcp(port);
    ASSERT_GE(c, 0);
    std::this_thread::sleep_for(5ms);
    release.set_value();
    for (const int fd : {a, b}) {
      const auto r = read_response(fd);
      ASSERT_TRUE(r.has_value()) << "round " << round << ": a request already sent was dropped";
      EXPECT_EQ(r->status, 200u) << r->body;
    }
    ::close(a);
    ::close(b);
    ::close(c);
  }
  const auto settled = std::chrono::steady_clock::now() + 5s;
  while (on_io([this] { return server_->active_connections(); }) > 0 &&
         std::chrono::steady_clock::now() < settled)
    std::this_thread::sleep_for(1ms);
  // Three newcomers at once, one over the budget of two: the oldest idle one makes room. With
  // the count wrapped, every one of them would be refused.
  const int x = connect_tcp(port);
  const int y = connect_tcp(port);
  ASSERT_TRUE(send_all(x, make_request("GET", "/v1/status", "", bearer())));
  ASSERT_EQ(read_response(x)->status, 200u);
  ASSERT_TRUE(send_all(y, make_request("GET", "/v1/status", "", bearer())));
  const auto r = read_response(y);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;
  ::close(x);
  ::close(y);
}

TEST_F(Budget, TcpConnectionsHaveABudgetSeparateFromTheUnixSocket) {
  options_.max_connections = 1;
  options_.max_tcp_connections = 1;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const int tcp_fd = connect_tcp(port);
  ASSERT_TRUE(send_all(tcp_fd, make_request("GET", "/v1/status", "", bearer())));
  ASSERT_EQ(read_response(tcp_fd)->status, 200u);  // kept alive: holds the TCP slot
  const auto unix_r = request_unix(socket_path_, make_request("GET", "/v1/status"));
  ASSERT_TRUE(unix_r.has_value());
  EXPECT_EQ(unix_r->status, 200u);
  const auto over = once_tcp(port, make_request("GET", "/v1/status", "", bearer()));
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(over->status, 503u);
  EXPECT_THAT(over->body, HasSubstr("over TCP"));
  ::close(tcp_fd);
}

// Red team 36b F3: dashboards with a read token holding keep-alive connections filled the TCP
// budget, and a control token holder's `mode idle` got 503. A read-scope connection idle between
// requests now makes room; one held by the control scope does not.
TEST_F(Budget, IdleReadConnectionsMakeRoomInAFullTcpBudget) {
  constexpr const char* kReadToken = "fedcba9876543210-read-token";
  options_.tokens.push_back({"dashboard", Scope::read, kReadToken});
  options_.max_tcp_connections = 2;
  options_.read_timeout = 10s;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const std::string read_auth = "Authorization: Bearer " + std::string(kReadToken) + "\r\n";
  const int read1 = connect_tcp(port);
  ASSERT_TRUE(send_all(read1, make_request("GET", "/v1/status", "", read_auth)));
  ASSERT_EQ(read_response(read1)->status, 200u);
  const int read2 = connect_tcp(port);
  ASSERT_TRUE(send_all(read2, make_request("GET", "/v1/status", "", read_auth)));
  ASSERT_EQ(read_response(read2)->status, 200u);
  const int control = connect_tcp(port);
  ASSERT_TRUE(send_all(control, make_request("GET", "/v1/status", "", bearer())));
  const auto served = read_response(control);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->status, 200u) << served->body;
  EXPECT_TRUE(closed_without_data(read1, 2s)) << "the oldest idle read connection made room";
  // The next newcomer again takes an idle read connection's place, never the control one's.
  const int read3 = connect_tcp(port);
  ASSERT_TRUE(send_all(read3, make_request("GET", "/v1/status", "", read_auth)));
  const auto third = read_response(read3);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->status, 200u) << "read2 made room";
  const auto over = once_tcp(port, make_request("GET", "/v1/status", "", bearer()));
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(over->status, 200u) << "read3, idle again, made room";
  EXPECT_FALSE(closed_without_data(control, 300ms)) << "a control connection keeps its slot";
  ::close(read1);
  ::close(read2);
  ::close(read3);
  ::close(control);
}

// Any web page in the owner's browser can send requests without a credential, and the owner's
// tabs send ended session cookies after a restart: neither is a guess, neither may get the
// address refused.
TEST_F(Budget, RequestsWithoutASecretAreNotCountedAsFailedAuthentications) {
  options_.auth_throttle.max_failures = 3;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  for (int i = 0; i < 10; ++i) {
    const auto bare = once_tcp(port, make_request("GET", "/v1/status"));
    ASSERT_TRUE(bare.has_value());
    EXPECT_EQ(bare->status, 401u);
    const auto ended =
        once_tcp(port, make_request("GET", "/v1/status", "",
                                    "Cookie: bessd_session=" + std::string(64, 'a') + "\r\n"));
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->status, 401u);
  }
  const auto r = once_tcp(port, make_request("GET", "/v1/status", "", bearer()));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;
}

TEST_F(Budget, FailedAuthenticationsAreThrottledAndLoggedOncePerPeer) {
  std::ostringstream log_text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
  options_.logger = std::make_shared<spdlog::logger>("api", sink);
  options_.auth_throttle.max_failures = 5;
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  for (int i = 0; i < 5; ++i) {
    const auto r =
        once_tcp(port, make_request("GET", "/v1/status", "", "Authorization: Bearer nope\r\n"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 401u);
  }
  // Refused now, even with the right token (the peer, not the token, is throttled).
  const auto r = once_tcp(port, make_request("GET", "/v1/status", "", bearer()));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 429u);
  EXPECT_THAT(r->head, HasSubstr("retry-after: "));
  EXPECT_THAT(r->body, HasSubstr("too_many_failures"));
  // The Unix socket is not throttled.
  EXPECT_EQ(request_unix(socket_path_, make_request("GET", "/v1/status"))->status, 200u);
  stop_server();
  const std::string text = log_text.str();
  std::size_t lines = 0;
  for (std::size_t p = 0; (p = text.find("failed authentication", p)) != std::string::npos; ++p)
    ++lines;
  EXPECT_EQ(lines, 2u) << text;  // the first failure, then the start of the block with a count
  EXPECT_THAT(text, HasSubstr("1 failed authentication(s) from 127.0.0.1 (last: invalid token)"));
  EXPECT_THAT(text, HasSubstr("4 failed authentication(s) from 127.0.0.1"));
  EXPECT_THAT(text, HasSubstr("refusing it for 60 s"));
}

}  // namespace
}  // namespace bessd::api::test
