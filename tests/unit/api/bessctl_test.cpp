// The real bessctl binary against the API test server (FakeFacade) over a Unix socket and TCP.

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct RunResult {
  int exit_code{-1};
  std::string out;
  std::string err;
};

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

/// Runs a program to completion (optionally as another user) and captures its output.
RunResult run(std::vector<std::string> args, const std::vector<std::string>& env = {},
              std::optional<std::pair<uid_t, gid_t>> as = std::nullopt) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) return {};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    for (auto& e : env_copy) ::putenv(e.data());
    if (as &&
        (::setgroups(0, nullptr) != 0 || ::setgid(as->second) != 0 || ::setuid(as->first) != 0))
      ::_exit(120);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  RunResult r;
  // Small outputs: reading stdout fully, then stderr, cannot deadlock here.
  r.out = read_all(out_pipe[0]);
  r.err = read_all(err_pipe[0]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

/// The API test server as a child process; waits (bounded) for its READY line.
class TestServer {
 public:
  explicit TestServer(std::vector<std::string> extra) {
    char tmpl[] = "/tmp/bessctl-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ::chmod(dir_.c_str(), 0755);
    socket_ = dir_ + "/api.sock";
    token_file_ = dir_ + "/token";
    std::ofstream(token_file_) << "bessctl-test-token-0123456789\n";
    ::chmod(token_file_.c_str(), 0600);
    std::vector<std::string> args{BESSD_API_TEST_SERVER, "--socket", socket_, "--tcp-port", "0",
                                  "--token-file",        token_file_};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int p[2];
    if (::pipe(p) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(p[1], 1);
      ::close(p[0]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(p[1]);
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{p[0], POLLIN, 0};
      if (::poll(&pfd, 1, 100) == 1) {
        char buf[64];
        const auto n = ::read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
      }
    }
    ::close(p[0]);
    if (line.rfind("READY ", 0) == 0) port_ = std::stoi(line.substr(6));
  }
  ~TestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool ready() const { return port_ > 0; }
  const std::string& socket() const { return socket_; }
  const std::string& token_file() const { return token_file_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  std::string socket_;
  std::string token_file_;
  pid_t pid_{-1};
  int port_{0};
};

class Bessctl : public ::testing::Test {
 protected:
  RunResult ctl(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {BESSCTL_PATH, "--socket", server_.socket()});
    return run(std::move(args), env);
  }
  void SetUp() override { ASSERT_TRUE(server_.ready()) << "test server did not start"; }
  TestServer server_{{"--latched-fault", "ALM-01"}};
};

TEST_F(Bessctl, StatusHumanAndJson) {
  auto r = ctl({"status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SOC 55.0 %"));
  EXPECT_THAT(r.out, HasSubstr("+1200 W (charging)"));
  EXPECT_THAT(r.out, HasSubstr("OP-T-02: Charging is reduced because the cells are cold"));
  EXPECT_THAT(r.out, HasSubstr("ALM-01 (critical, latched"));
  EXPECT_THAT(r.out, HasSubstr("Power:      grid -12 W (inverter)  PV 2400 W (inverter)  battery "
                               "+1195 W (inverter)  house 1193 W"));
  EXPECT_THAT(r.out, HasSubstr("Energy:     battery in 12.50 kWh, out 10.25 kWh  grid in 3.12 kWh, "
                               "out 8.00 kWh  PV 30.75 kWh  house 25.00 kWh  (since 2025-12-01"));
  EXPECT_THAT(r.out, HasSubstr("Today:      battery in 3.20 kWh, out 4.10 kWh  grid in 1.50 kWh, "
                               "out 2.00 kWh  PV 9.50 kWh  house 8.60 kWh\n"))
      << "no prices: no money";
  r = ctl({"--json", "status"});
  EXPECT_EQ(r.exit_code, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["pack"]["soc_pct"], 55.0);
}

// With prices configured, status says today's saving (docs/api.md "Energy counters").
TEST(BessctlPrices, StatusSaysTodaysSavingInTheCurrency) {
  for (const auto& [currency, said] : {std::pair{"£", "saved £0.84 (an estimate"},
                                       std::pair{"EUR", "saved 0.84 EUR (an estimate"}}) {
    TestServer server{{"--prices", currency}};
    ASSERT_TRUE(server.ready());
    const auto r = run({BESSCTL_PATH, "--socket", server.socket(), "status"}, {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(said)) << r.out;
  }
}

TEST_F(Bessctl, ReadCommands) {
  auto r = ctl({"limits"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("charge_voltage_max_v"));
  r = ctl({"events", "--level", "warning", "--since", "-1d", "--limit", "10"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("COM-01"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("control.started")));
  r = ctl({"health"});
  EXPECT_THAT(r.out, HasSubstr("derived"));
  r = ctl({"compliance"});
  EXPECT_THAT(r.out, HasSubstr("PAS-LOC-01"));
  r = ctl({"config"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("<redacted>"));
  r = ctl({"history", "soc_pct", "--from", "-6h", "--height", "5", "--width", "40"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(minute, 240 points)"));
  EXPECT_THAT(r.out, HasSubstr("*"));
  EXPECT_THAT(r.out, HasSubstr("+----------------------------------------\n"));
}

TEST_F(Bessctl, ApiErrorsAreReportedWithExitCode1) {
  const auto r = ctl({"history", "nonsense_field"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("400: invalid query: fields: unknown field \"nonsense_field\""));
}

TEST_F(Bessctl, WritesAndAudit) {
  auto r = ctl({"mode", "manual", "-1500"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("accepted"));
  r = ctl({"mode", "self"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = ctl({"ack"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 fault(s) acknowledged"));
  r = ctl({"self-test"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Self-test PASSED"));
  r = ctl({"audit"});
  EXPECT_THAT(r.out, HasSubstr(R"(mode {"mode":"manual","setpoint_w":-1500.0} -> accepted)"));
  EXPECT_THAT(r.out, HasSubstr("mode {\"mode\":\"self_consumption\"}"));
}

TEST_F(Bessctl, ModeForSendsTheExpiryInSeconds) {
  auto r = ctl({"mode", "idle", "--for", "2h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = ctl({"mode", "manual", "--for", "90", "--", "-500"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = ctl({"audit"});
  EXPECT_THAT(r.out, HasSubstr(R"(mode {"expires_in_s":7200,"mode":"idle"} -> accepted)"));
  EXPECT_THAT(r.out, HasSubstr(R"(mode {"expires_in_s":90,"mode":"manual","setpoint_w":-500.0})"));
  EXPECT_EQ(ctl({"mode", "idle", "--for", "2w"}).exit_code, 2);
  EXPECT_EQ(ctl({"mode", "idle", "--for", "31d"}).exit_code, 2);
  EXPECT_EQ(ctl({"mode", "idle", "--for", "0"}).exit_code, 2);
}

// Over the write rate limit (429) is "try again later" (6), not an API error (1). The server
// earns a token per 100 s so the burst runs out however slowly bessctl starts (ASan, busy CI).
TEST(BessctlRate, OverTheWriteRateLimitExits6) {
  TestServer server({"--writes-per-second", "0.01"});
  ASSERT_TRUE(server.ready());
  int later = 0;
  int accepted = 0;
  for (int i = 0; i < 15 && later == 0; ++i) {
    const auto r = run({BESSCTL_PATH, "--socket", server.socket(), "ack"});
    if (r.exit_code == 6) {
      ++later;
      EXPECT_THAT(r.err, HasSubstr("429"));
    } else {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      ++accepted;
    }
  }
  EXPECT_EQ(later, 1);
  EXPECT_EQ(accepted, 10);  // the default burst
}

TEST_F(Bessctl, UsageErrorsExit2) {
  EXPECT_EQ(ctl({"mode", "manual"}).exit_code, 2);
  EXPECT_EQ(ctl({"mode", "idle", "100"}).exit_code, 2);
  EXPECT_EQ(ctl({"mode", "turbo"}).exit_code, 2);
  EXPECT_EQ(ctl({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(ctl({"status", "--url", "ftp://x"}).exit_code, 2);
}

TEST_F(Bessctl, DaemonNotRunningExit3) {
  const auto r = run({BESSCTL_PATH, "--socket", "/nonexistent/api.sock", "status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("is bessd running?"));
}

// A restart of bessd (an upgrade) must not end the view: it waits and says so.
TEST_F(Bessctl, WatchWaitsForTheDaemonInsteadOfQuitting) {
  const auto r = run({BESSCTL_PATH, "--socket", "/nonexistent/api.sock", "watch", "--interval",
                      "0.2", "--count", "3"});
  EXPECT_EQ(r.exit_code, 3) << "the last refresh failed";
  std::size_t waits = 0;
  for (auto at = r.out.find("not reachable"); at != std::string::npos;
       at = r.out.find("not reachable", at + 1))
    ++waits;
  EXPECT_EQ(waits, 3U) << r.out;
}

TEST_F(Bessctl, TimesAreLocalUnlessUtcIsAsked) {
  // A POSIX TZ string needs no time zone database: nine hours east of UTC.
  auto r = ctl({"events"}, {"TZ=JST-9"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" JST "));
  EXPECT_EQ(r.out.find('Z'), std::string::npos) << r.out;
  r = ctl({"--utc", "events"}, {"TZ=JST-9"});
  EXPECT_THAT(r.out, HasSubstr(" UTC "));
  // The same event, nine hours apart on the clock.
  const auto hour = [](const std::string& text, const char* zone) {
    const auto at = text.find(zone);
    return at == std::string::npos ? -1 : std::stoi(text.substr(at - 8, 2));
  };
  const int utc = hour(r.out, " UTC ");
  const int jst = hour(ctl({"events"}, {"TZ=JST-9"}).out, " JST ");
  EXPECT_EQ((utc + 9) % 24, jst);
}

TEST_F(Bessctl, AnEndedEventSaysItEnded) {
  const auto r = ctl({"events"});
  EXPECT_THAT(r.out, HasSubstr("COM-03           ended: the current sign agrees"));
  EXPECT_THAT(r.out, Not(HasSubstr("ended: the current sign disagrees")));
}

TEST_F(Bessctl, LimitsShowEachBoundOnce) {
  const auto r = ctl({"limits"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* bound :
       {"charge_power_max_w", "discharge_power_max_w", "charge_voltage_max_v"}) {
    const std::string line = "\n" + std::string(bound) + " ";
    const std::string out = "\n" + r.out;
    const auto first = out.find(line);
    ASSERT_NE(first, std::string::npos) << bound;
    EXPECT_EQ(out.find(line, first + 1), std::string::npos) << bound << "\n" << r.out;
    EXPECT_EQ(out.find(" " + std::string(bound)), std::string::npos) << bound << "\n" << r.out;
  }
}

TEST(BessctlNumbers, AZeroHasNoSign) {
  TestServer server({"--grid-power-w", "-0.3"});
  ASSERT_TRUE(server.ready());
  const auto r = run({BESSCTL_PATH, "--socket", server.socket(), "status"});
  EXPECT_THAT(r.out, HasSubstr("grid 0 W")) << r.out;
  EXPECT_EQ(r.out.find("-0 W"), std::string::npos) << r.out;
}

TEST_F(Bessctl, WatchRefreshes) {
  const auto r = ctl({"watch", "--interval", "0.2", "--count", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto first = r.out.find("refreshing every");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(r.out.find("refreshing every", first + 1), std::string::npos);
}

TEST_F(Bessctl, TcpNeedsTheToken) {
  auto r = run({BESSCTL_PATH, "--url", server_.url(), "status"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("--token-file FILE, BESSD_TOKEN_FILE or BESSD_TOKEN"));
  r = run(
      {BESSCTL_PATH, "--url", server_.url(), "--token-file", server_.token_file(), "mode", "idle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run({BESSCTL_PATH, "--url", server_.url(), "status"},
          {"BESSD_TOKEN=bessctl-test-token-0123456789"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run({BESSCTL_PATH, "--url", server_.url(), "status"},
          {"BESSD_TOKEN_FILE=" + server_.token_file()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A token in argv is readable by every local user (ps): refused, with the reason and the ways
// that work, before anything is sent.
// "localhost" is 127.0.0.1, where bessd (and systemd's socket) listens: a local user who binds
// [::1] on the same port must not receive the token, even where the resolver tries ::1 first.
TEST_F(Bessctl, LocalhostNeverReachesASquatterOnIpv6Loopback) {
  const int squatter = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (squatter < 0) GTEST_SKIP() << "no IPv6 here";
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const int port = std::stoi(server_.url().substr(server_.url().rfind(':') + 1));
  a.sin6_port = htons(static_cast<std::uint16_t>(port));
  const int one = 1;
  ::setsockopt(squatter, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(squatter, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(squatter, 8) != 0) {
    ::close(squatter);
    GTEST_SKIP() << "cannot bind [::1]:" << port << " here";
  }
  const auto r = run({BESSCTL_PATH, "--url", "http://localhost:" + std::to_string(port),
                      "--token-file", server_.token_file(), "status"});
  const int stolen = ::accept(squatter, nullptr, nullptr);
  if (stolen >= 0) ::close(stolen);
  ::close(squatter);
  EXPECT_LT(stolen, 0) << "bessctl connected to the squatter on [::1]";
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(Bessctl, TokenOnTheCommandLineIsRefused) {
  auto r = run(
      {BESSCTL_PATH, "--url", server_.url(), "--token=bessctl-test-token-0123456789", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--token is refused"));
  EXPECT_THAT(r.err, HasSubstr("ps"));
  EXPECT_THAT(r.err, HasSubstr("--token-file FILE"));
  r = run(
      {BESSCTL_PATH, "--url", server_.url(), "--token", "bessctl-test-token-0123456789", "status"});
  EXPECT_EQ(r.exit_code, 2);
}

// A client may use a file in the daemon's format: the first token's secret.
TEST_F(Bessctl, TokenFileInTheDaemonsFormat) {
  const std::string file = server_.token_file() + ".named";
  std::ofstream(file) << "# mine\nops control bessctl-test-token-0123456789\n";
  const auto r = run({BESSCTL_PATH, "--url", server_.url(), "--token-file", file, "status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Red team 36b F5: a FIFO as the token file hung bessctl for ever, and a BESSD_TOKEN ending in
// a newline went into the header and came back as an unexplained 400.
TEST_F(Bessctl, TokenSourcesThatAreNotATokenAreNamed) {
  const std::string fifo = server_.token_file() + ".fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = run({BESSCTL_PATH, "--url", server_.url(), "--token-file", fifo, "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a regular file"));
  ::unlink(fifo.c_str());
  r = run({BESSCTL_PATH, "--url", server_.url(), "status"},
          {"BESSD_TOKEN=bessctl-test-token-0123456789\n"});
  EXPECT_EQ(r.exit_code, 0) << "a trailing newline is not part of the token: " << r.err;
  r = run({BESSCTL_PATH, "--url", server_.url(), "status"},
          {"BESSD_TOKEN=bessctl-test\r\nX-Evil: 1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("BESSD_TOKEN is not a token"));
}

TEST_F(Bessctl, NonMemberIsDeniedWritesExit4) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run bessctl as nobody";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  const std::pair<uid_t, gid_t> as{nobody->pw_uid, nobody->pw_gid};
  // The build tree may sit where nobody cannot go (a clone in /root is mode 0700): nobody runs
  // a copy in a folder of its reach.
  char tmpl[] = "/tmp/bessctl-nobody-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path reachable(tmpl);
  ::chmod(tmpl, 0755);
  const auto bessctl = (reachable / "bessctl").string();
  std::filesystem::copy_file(BESSCTL_PATH, bessctl);
  ::chmod(bessctl.c_str(), 0755);
  auto r = run({bessctl, "--socket", server_.socket(), "status"}, {}, as);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run({bessctl, "--socket", server_.socket(), "mode", "idle"}, {}, as);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("403: PUT /v1/mode needs the control scope"));
  std::filesystem::remove_all(reachable);
}

TEST(BessctlRefused, ControllerRefusalExit5) {
  TestServer server({"--refuse-mode", "charging is blocked by PAS-LOC-01"});
  ASSERT_TRUE(server.ready());
  const auto r = run({BESSCTL_PATH, "--socket", server.socket(), "mode", "manual", "500"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_THAT(r.err, HasSubstr("charging is blocked by PAS-LOC-01"));
}

TEST(BessctlCheckSite, RunsBessdCheckSite) {
  auto r = run({BESSCTL_PATH, "check-site", "/etc/site.json"}, {"BESSCTL_BESSD=/bin/echo"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "check-site --config /etc/site.json\n");
  r = run({BESSCTL_PATH, "--json", "check-site", "--date", "2026-01-31", "/etc/site.json"},
          {"BESSCTL_BESSD=/bin/echo"});
  EXPECT_EQ(r.out, "check-site --config /etc/site.json --json --date 2026-01-31\n");
  r = run({BESSCTL_PATH, "--json", "check-site", "--format", "html", "s.json"},
          {"BESSCTL_BESSD=/bin/echo"});
  EXPECT_EQ(r.out, "check-site --config s.json --format html\n") << "--format wins over --json";
  r = run({BESSCTL_PATH, "check-site", "x.json"}, {"BESSCTL_BESSD=/nonexistent/bessd"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("set BESSCTL_BESSD"));
}

}  // namespace
