// The API's listeners as a service (docs/operations.md "API listeners", "Socket activation",
// "Reloading"): sockets passed by systemd are adopted and outlive bessd; a listener that cannot
// be opened never stops the controller and is retried; SIGHUP applies the api section or
// refuses the whole reload.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace api_listener_test {

using namespace std::chrono_literals;

// A descriptor the test owns.
struct Fd {
  int fd{-1};
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A TCP listener on 127.0.0.1 (port 0: a free one), as a squatter or as systemd would hold it.
int tcp_listener(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto a = loopback(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

std::uint16_t free_port() {
  Fd probe{tcp_listener(0)};
  return port_of(probe.fd);
}

int unix_listener(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A connected client socket; -1 when the connection is refused.
int tcp_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto a = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string request_text(std::uint16_t port, const std::string& token) {
  return "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n";
}

// Reads a whole response (the server closes); its status code, 0 when there is none.
int read_status(int fd) {
  std::string in;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) in.append(buf, static_cast<std::size_t>(n));
  if (in.rfind("HTTP/1.1 ", 0) != 0 || in.size() < 12) return 0;
  return std::stoi(in.substr(9, 3));
}

// GET /v1/status over TCP with a bearer token; 0 when the connection is refused or fails.
int tcp_get_status(std::uint16_t port, const std::string& token) {
  Fd c{tcp_connect(port)};
  if (c.fd < 0) return 0;
  const auto req = request_text(port, token);
  if (::write(c.fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 0;
  return read_status(c.fd);
}

// The token file in the format bessd's loader reads (api.tcp.token_file); owner-only.
void write_token_file(const std::string& path, const std::string& secret) {
  std::ofstream(path, std::ios::trunc) << secret << "\n";
  ::chmod(path.c_str(), 0600);
}

nlohmann::json find_named(const nlohmann::json& list, const std::string& key,
                          const std::string& value) {
  if (!list.is_array()) return nullptr;
  for (const auto& item : list)
    if (item.value(key, "") == value) return item;
  return nullptr;
}

nlohmann::json service_fault(Site& site, const std::string& code) {
  return find_named(site.api("GET", "/v1/status").body["service_faults"], "code", code);
}

nlohmann::json link(Site& site, const std::string& name) {
  return find_named(site.api("GET", "/v1/status").body["links"], "name", name);
}

const std::string kTokenA = "0123456789abcdef0123456789abcdef";
const std::string kTokenB = "fedcba9876543210fedcba9876543210";

nlohmann::json tcp_patch(Site& site, std::uint16_t port) {
  return {{"api",
           {{"tcp",
             {{"enabled", true},
              {"address", "127.0.0.1"},
              {"port", port},
              {"token_file", site.dir() + "/api.token"}}}}}};
}

// Finding: a local user who bound 127.0.0.1:8470 first made bessd exit ("Address already in
// use"), and after five tries systemd gave up: no controller at all. Now the controller runs,
// the listener is a service fault, and bessd takes the port once it is free.
TEST(ApiListener, PortTakenFirstKeepsTheControllerAndIsTakenWhenFree) {
  Fd squatter{tcp_listener(0)};
  ASSERT_GE(squatter.fd, 0);
  const auto port = port_of(squatter.fd);
  Site site;
  write_token_file(site.dir() + "/api.token", kTokenA);
  site.patch_config(tcp_patch(site, port));
  const auto since = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // Controlling: the inverter receives commands.
  EXPECT_TRUE(wait_for_write(
      site, since, [](double, double) { return true; }, 10s))
      << site.bessd_output();
  const auto fault = service_fault(site, "API-TCP");
  ASSERT_FALSE(fault.is_null()) << site.api("GET", "/v1/status").body.dump(2);
  EXPECT_NE(fault.value("message", "").find("Address already in use"), std::string::npos)
      << fault.dump();
  EXPECT_EQ(link(site, "api_tcp").value("state", ""), "down");
  EXPECT_NE(site.bessd_output().find("retrying every 5 s"), std::string::npos)
      << site.bessd_output();

  squatter.reset();
  EXPECT_TRUE(wait_until([&] { return tcp_get_status(port, kTokenA) == 200; }, 12s))
      << site.bessd_output();
  EXPECT_TRUE(service_fault(site, "API-TCP").is_null());
  EXPECT_EQ(link(site, "api_tcp").value("state", ""), "up");
  EXPECT_TRUE(site.bessd()->wait(0ms) == std::nullopt) << "bessd exited";
}

// Socket activation: bessd serves on the sockets it was passed (a request sent before bessd was
// ready is answered, not refused) and leaves them to their owner when it stops. Before, bessd
// ignored LISTEN_FDS, found "another process" on its socket path and exited.
TEST(ApiListener, AdoptsSocketsPassedBySystemdAndLeavesThemOpen) {
  Site site;
  const std::string unix_path = site.api_socket();
  Fd unix_sock{unix_listener(unix_path)};
  Fd tcp_sock{tcp_listener(0)};
  ASSERT_GE(unix_sock.fd, 0);
  ASSERT_GE(tcp_sock.fd, 0);
  const auto port = port_of(tcp_sock.fd);
  write_token_file(site.dir() + "/api.token", kTokenA);
  site.patch_config(tcp_patch(site, port));

  // Queued in the passed socket's backlog before bessd runs, as during a restart under systemd.
  Fd early{tcp_connect(port)};
  ASSERT_GE(early.fd, 0);
  const auto req = request_text(port, kTokenA);
  ASSERT_EQ(::write(early.fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));

  ASSERT_TRUE(site.start_bessd({unix_sock.fd, tcp_sock.fd}, {"LISTEN_FDNAMES=api-unix:api-tcp"}))
      << site.bessd_output();
  EXPECT_EQ(read_status(early.fd), 200) << site.bessd_output();
  EXPECT_EQ(site.api("GET", "/v1/status").status, 200);
  EXPECT_EQ(link(site, "api_tcp").value("detail", "").find("from systemd") != std::string::npos,
            true)
      << link(site, "api_tcp").dump();
  EXPECT_NE(site.bessd_output().find("passed by systemd"), std::string::npos);

  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(15s));
  // The socket file is systemd's: still there, still listening (our descriptor).
  struct stat st {};
  EXPECT_EQ(::lstat(unix_path.c_str(), &st), 0) << "bessd removed a socket it was passed";
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  Fd after{tcp_connect(port)};
  EXPECT_GE(after.fd, 0) << "the passed TCP socket was closed";
}

// A passed socket the configuration does not want is named in the log and left alone; the
// configured Unix socket is bound by bessd itself.
TEST(ApiListener, PassedSocketTheConfigurationDoesNotWantIsLogged) {
  Site site;
  Fd tcp_sock{tcp_listener(0)};
  ASSERT_GE(tcp_sock.fd, 0);
  ASSERT_TRUE(site.start_bessd({tcp_sock.fd}, {"LISTEN_FDNAMES=api-tcp"})) << site.bessd_output();
  EXPECT_EQ(site.api("GET", "/v1/status").status, 200);
  const auto out = site.bessd_output();
  EXPECT_NE(out.find("systemd passed the socket \"api-tcp\" (tcp:127.0.0.1:" +
                     std::to_string(port_of(tcp_sock.fd)) + ")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("bound by bessd: systemd passed no socket for it"), std::string::npos) << out;
  EXPECT_EQ(link(site, "api_tcp").value("state", ""), "disabled");
}

// Finding: SIGHUP ignored the api section ("configuration reloaded" while a rotated token left
// the old one working and tcp.enabled false left the port open).
TEST(ApiListener, ReloadRotatesTheTokenAndClosesTheTcpPort) {
  Site site;
  const auto port = free_port();
  const std::string token_file = site.dir() + "/api.token";
  write_token_file(token_file, kTokenA);
  site.patch_config(tcp_patch(site, port));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_EQ(tcp_get_status(port, kTokenA), 200);

  write_token_file(token_file, kTokenB);
  site.bessd()->signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return tcp_get_status(port, kTokenA) == 401; }, 10s))
      << site.bessd_output();
  EXPECT_EQ(tcp_get_status(port, kTokenB), 200);

  site.patch_config({{"api", {{"tcp", {{"enabled", false}}}}}});
  site.bessd()->signal(SIGHUP);
  EXPECT_TRUE(wait_until(
      [&] {
        Fd c{tcp_connect(port)};
        return c.fd < 0;
      },
      10s))
      << site.bessd_output();
  EXPECT_EQ(link(site, "api_tcp").value("state", ""), "disabled");
  EXPECT_EQ(site.api("GET", "/v1/status").status, 200);
}

// A reload whose api section cannot be applied is refused as a whole: the old token and
// listener stay, and the refusal is in the log and in /v1/status until a reload succeeds.
TEST(ApiListener, ReloadThatCannotApplyTheApiSectionIsRefusedWhole) {
  Site site;
  const auto port = free_port();
  write_token_file(site.dir() + "/api.token", kTokenA);
  site.patch_config(tcp_patch(site, port));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_EQ(tcp_get_status(port, kTokenA), 200);

  // The port moves to one another process holds, together with a changed control period.
  Fd squatter{tcp_listener(0)};
  const auto taken = port_of(squatter.fd);
  site.patch_config({{"api", {{"tcp", {{"port", taken}}}}}});
  site.bessd()->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return !service_fault(site, "CONFIG-RELOAD").is_null(); }, 10s))
      << site.bessd_output();
  const auto fault = service_fault(site, "CONFIG-RELOAD");
  EXPECT_NE(fault.value("message", "").find(std::to_string(taken)), std::string::npos)
      << fault.dump();
  EXPECT_EQ(tcp_get_status(port, kTokenA), 200) << "the old listener must stay";
  EXPECT_NE(site.bessd_output().find("reload rejected, keeping the running configuration"),
            std::string::npos);

  // A token file that cannot be read: refused too.
  site.patch_config({{"api", {{"tcp", {{"port", port}, {"token_file", site.dir() + "/none"}}}}}});
  site.bessd()->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto f = service_fault(site, "CONFIG-RELOAD");
        return !f.is_null() && f.value("message", "").find("/none") != std::string::npos;
      },
      10s))
      << site.bessd_output();
  EXPECT_EQ(tcp_get_status(port, kTokenA), 200);

  // Fixed: the fault clears.
  site.patch_config({{"api", {{"tcp", {{"token_file", site.dir() + "/api.token"}}}}}});
  site.bessd()->signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return service_fault(site, "CONFIG-RELOAD").is_null(); }, 10s))
      << site.bessd_output();
}

}  // namespace api_listener_test
}  // namespace bessd::systest
