// A connection flood against the API's descriptors (red team 17). bessd.service sets
// LimitNOFILE=1024 from a count that takes "API connections: at most api.max_connections served
// plus as many being refused or closed" (docs/operations.md "Resource limits"). But a connection
// over its budget counts against no budget (http_server.cpp, Session with a refusal): it is
// answered 503 and then held for the lingering close, up to 1 s, while the client neither reads
// nor closes. A local user without any token who opens connections faster than that (13 000/s
// from two Python processes here) holds every descriptor of the daemon. Measured: accept() on the
// Unix socket fails with EMFILE, an operator's `PUT /v1/mode` is answered 503
// ("safety-state.json.tmp: create: Too many open files"), and a fire alarm during the flood latched
// FAULT-STORE ("could not persist a latched fault") and removed safety-state.json.

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

std::uint16_t free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::size_t open_descriptors(pid_t pid) {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
       !ec && it != end; it.increment(ec))
    ++n;
  return n;
}

// Connections that never send, never read and are closed by the client only after `hold`:
// what a local user without a token can open as fast as the loopback accepts them.
class HeldConnectionFlood {
 public:
  // `max_held`: what this process may hold, leaving room for the test's own requests.
  HeldConnectionFlood(std::uint16_t port, std::chrono::milliseconds hold, std::size_t max_held)
      : max_held_(max_held), thread_([this, port, hold] { run(port, hold); }) {}
  ~HeldConnectionFlood() { stop(); }
  HeldConnectionFlood(const HeldConnectionFlood&) = delete;
  HeldConnectionFlood& operator=(const HeldConnectionFlood&) = delete;
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run(std::uint16_t port, std::chrono::milliseconds hold) {
    std::deque<std::pair<std::chrono::steady_clock::time_point, int>> held;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::uint32_t source = 0;
    while (!stop_) {
      const auto now = std::chrono::steady_clock::now();
      while (!held.empty() && (now - held.front().first > hold || held.size() >= max_held_)) {
        ::close(held.front().second);
        held.pop_front();
      }
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0) {
        std::this_thread::sleep_for(1ms);  // out of descriptors here: let some expire
        continue;
      }
      // Many source addresses (all loopback), so that no 4-tuple is reused while in TIME_WAIT.
      sockaddr_in from{};
      from.sin_family = AF_INET;
      from.sin_addr.s_addr = htonl(0x7F000000U | (0x10000U + (source++ % 50000U)));
      ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from);
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);  // EINPROGRESS
      held.emplace_back(now, fd);
    }
    for (const auto& [at, fd] : held) ::close(fd);
  }

  std::size_t max_held_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ApiFlood, HeldConnectionsWithoutATokenLeaveTheSafetyStateItsDescriptors) {
  // The flood holds tens of thousands of sockets on this side.
  rlimit own{};
  ::getrlimit(RLIMIT_NOFILE, &own);
  own.rlim_cur = own.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &own);

  Site site;
  const auto port = free_tcp_port();
  const std::string token_path = site.dir() + "/api.token";
  std::ofstream(token_path) << "grafana read 0123456789abcdef0123456789abcdef\n";
  std::filesystem::permissions(
      token_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  site.patch_config({{"api",
                      {{"tcp",
                        {{"enabled", true},
                         {"address", "127.0.0.1"},
                         {"port", port},
                         {"token_file", token_path}}}}}});
  const auto since = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  // As the packaged unit runs it (bessd.service: LimitNOFILE=1024).
  const pid_t pid = site.bessd()->pid();
  const rlimit unit_limit{1024, 1024};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &unit_limit, nullptr), 0);
  ASSERT_TRUE(wait_for_write(
      site, since, [](double, double) { return true; }, 10s))
      << site.bessd_output();

  HeldConnectionFlood flood(port, 3s, static_cast<std::size_t>(own.rlim_cur) - 256);
  // bessd's descriptors, sampled all along the flood.
  std::atomic<std::size_t> most_descriptors{0};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      most_descriptors = std::max<std::size_t>(most_descriptors, open_descriptors(pid));
      std::this_thread::sleep_for(5ms);
    }
  });
  // Best effort: give the flood time to take what it can (a daemon that bounds it never gets
  // there, and the test goes on after 3 s).
  wait_until([&] { return open_descriptors(pid) >= 1000; }, 3s);

  // The operator changes the mode now and then (within the write rate limit), and the fire
  // alarm trips once: each is a write of the safety state.
  std::vector<int> statuses;
  std::vector<std::string> refusals;
  for (int i = 0; i < 8; ++i) {
    const auto r = site.api("PUT", "/v1/mode",
                            i % 2 == 0 ? R"({"mode":"manual","setpoint_w":-1400})"
                                       : R"({"mode":"manual","setpoint_w":-1500})");
    statuses.push_back(r.status);
    if (r.status != 200) refusals.push_back(r.body.dump());
    if (i == 3) {
      site.sim("fire-alarm on");
      wait_until([&] { return !fault_in(site.api("GET", "/v1/status").body, "ALM-01").is_null(); },
                 3s);
      site.sim("fire-alarm off");
    }
    std::this_thread::sleep_for(400ms);  // pacing of the operator, not a readiness wait
  }
  flood.stop();
  sampling = false;
  sampler.join();

  // docs/operations.md "Resource limits": 33 descriptors fixed, the connection budgets (32 Unix,
  // 16 TCP) and as many again being refused or closed; 1024 leaves room "so that the connection
  // budgets, not the descriptor limit, are what a flood runs into".
  EXPECT_LT(most_descriptors.load(), 1024u - 64u)
      << "the flood took bessd to its descriptor limit (LimitNOFILE=1024)";

  for (std::size_t i = 0; i < statuses.size(); ++i)
    EXPECT_EQ(statuses[i], 200) << "write " << i << " during the flood";
  for (const auto& r : refusals) ADD_FAILURE() << r;
  const auto status = site.api("GET", "/v1/status");
  EXPECT_FALSE(fault_in(status.body, "ALM-01").is_null()) << status.body.dump(2);
  EXPECT_TRUE(fault_in(status.body, "FAULT-STORE").is_null())
      << "the safety state could not be written during the flood:\n"
      << fault_in(status.body, "FAULT-STORE").dump(2);
  EXPECT_TRUE(std::filesystem::exists(site.dir() + "/safety-state.json"));
}

}  // namespace
}  // namespace bessd::systest
