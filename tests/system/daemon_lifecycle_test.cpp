// The daemon's life cycle as systemd and an installer see it: validation, readiness, reload,
// clean stop.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

const std::string kBessd = BESSD_BIN;
const std::string kExample = std::string(BESSD_SOURCE_DIR) + "/config/bessd.example.json";

// The example configuration with its paths moved into the test's directory.
// The example's inverter address has nothing behind it here: a stop waits 5 s for it to answer.
constexpr auto kStopWithoutInverter = 8s;

std::string local_config(const TempDir& dir) {
  std::string text = read_file(kExample);
  text = std::regex_replace(text, std::regex("/var/lib/bessd/bessd.db"), dir.path() + "/bessd.db");
  text = std::regex_replace(text, std::regex("/run/bessd/api.sock"), dir.path() + "/api.sock");
  text = std::regex_replace(text, std::regex("/usr/share/bessd/profiles"),
                            std::string(BESSD_SOURCE_DIR) + "/config/profiles");
  std::string path = dir.path() + "/bessd.json";
  write_file(path, text);
  return path;
}

TEST(DaemonLifecycle, VersionComesFromTheProject) {
  auto r = run({kBessd, "--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(^bessd \d+\.\d+\.\d+)"))) << r.output;
}

// --check-config loads the inverter profile too, so the example's installed profile folder is
// pointed at the source tree (the host need not have the package installed).
TEST(DaemonLifecycle, CheckConfigAcceptsTheExample) {
  TempDir dir;
  auto r = run({kBessd, "--check-config", local_config(dir)});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("configuration is valid"), std::string::npos);
}

// The files the broker connections need are read as the daemon reads them at start: a check
// that passes means the daemon starts.
TEST(DaemonLifecycle, CheckConfigReadsTheBrokerConnectionsFiles) {
  TempDir dir;
  const auto path = local_config(dir);
  auto config = nlohmann::json::parse(read_file(path), nullptr, true, /*ignore_comments=*/true);
  config["uplink"] = {{"host", "fleet.example.net"},
                      {"username", "site-7"},
                      {"password_file", dir.path() + "/missing.pass"}};
  config["mqtt"] = {{"host", "192.0.2.10"}, {"tls", {{"ca_file", dir.path() + "/missing-ca.pem"}}}};
  write_file(path, config.dump(2));
  auto r = run({kBessd, "--check-config", path});
  EXPECT_EQ(r.code, 78) << r.output;
  EXPECT_NE(r.output.find("/mqtt/tls/ca_file: cannot read"), std::string::npos) << r.output;
  config["mqtt"]["tls"]["ca_file"] = path;  // any readable file: its content is TLS's business
  write_file(path, config.dump(2));
  r = run({kBessd, "--check-config", path});
  EXPECT_EQ(r.code, 78) << r.output;
  EXPECT_NE(r.output.find("/uplink/password_file: cannot read"), std::string::npos) << r.output;
  write_file(dir.path() + "/missing.pass", "secret\n");
  r = run({kBessd, "--check-config", path});
  EXPECT_EQ(r.code, 0) << r.output;
}

TEST(DaemonLifecycle, CheckConfigExits78NamingEveryProblem) {
  TempDir dir;
  const std::string path = dir.path() + "/broken.json";
  write_file(
      path,
      R"({"site": {"jurisdiction": "GB", "location": "attic", "clearances_m": {"door": "one"}},
                       "battery": {"chemistry": "LFP", "nominal_energy_kwh": 5}, "bms": {"bitrat": 500000}})");
  auto r = run({kBessd, "--check-config", path});
  EXPECT_EQ(r.code, 78) << r.output;
  EXPECT_NE(r.output.find("3 problems"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/site/location"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/site/clearances_m/door: must be a number ≥ 0, got \"one\""),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("/bms/bitrat: unknown key (did you mean \"bitrate\"?)"),
            std::string::npos)
      << r.output;
}

TEST(DaemonLifecycle, InvalidConfigAtStartExits78) {
  TempDir dir;
  const std::string path = dir.path() + "/broken.json";
  write_file(path, "{}");
  auto r = run({kBessd, "--config", path});
  EXPECT_EQ(r.code, 78) << r.output;
  EXPECT_NE(r.output.find("/site: is required but missing"), std::string::npos) << r.output;
}

TEST(DaemonLifecycle, UsageErrorExits2) {
  auto r = run({kBessd, "--no-such-option"});
  EXPECT_EQ(r.code, 2) << r.output;
}

// Nothing answers at the example's inverter address: the stop waits its bound (5 s) for the
// inverter to be reached and the safe state written, then gives up and exits 0
// (docs/operations.md "Stop behaviour"; a stop with the inverter answering: sigterm_safe_state).
TEST(DaemonLifecycle, StartsReadyAndStopsOnSigtermWithinItsBoundWithoutAnInverter) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  Process bessd({kBessd, "--config", local_config(dir)}, {"NOTIFY_SOCKET=" + notify.path()});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << bessd.output();
  EXPECT_NE(bessd.output().find("ready"), std::string::npos) << bessd.output();
  const auto t0 = std::chrono::steady_clock::now();
  bessd.signal(SIGTERM);
  auto status = bessd.wait(kStopWithoutInverter);
  ASSERT_TRUE(status) << "bessd did not stop within its bound of SIGTERM\n" << bessd.output();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 4500ms);
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 0) << bessd.output();
  EXPECT_TRUE(notify.wait_for("STOPPING=1", 1s));
  EXPECT_NE(bessd.output().find("waiting up to 5 s for it"), std::string::npos) << bessd.output();
  EXPECT_NE(bessd.output().find("not confirmed by read-back (inverter offline)"), std::string::npos)
      << bessd.output();
}

// SigBlk of one thread of a process, as /proc shows it (a hexadecimal mask, bit n-1 for signal
// n).
unsigned long long blocked_signals(const std::filesystem::path& task) {
  std::ifstream status(task / "status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("SigBlk:")) return std::stoull(line.substr(7), nullptr, 16);
  ADD_FAILURE() << "no SigBlk in " << (task / "status");
  return 0;
}

// docs/architecture.md "Signals": the stop and reload signals are blocked in every thread and
// read from a signalfd, so no handler ever interrupts a thread; they still stop the daemon.
TEST(DaemonLifecycle, StopAndReloadSignalsAreBlockedInEveryThreadAndStillRead) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  Process bessd({kBessd, "--config", local_config(dir)}, {"NOTIFY_SOCKET=" + notify.path()});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << bessd.output();
  constexpr unsigned long long kDaemonSignals =
      (1ULL << (SIGHUP - 1)) | (1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1));
  const std::filesystem::path tasks = "/proc/" + std::to_string(bessd.pid()) + "/task";
  int threads = 0;
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    ++threads;
    EXPECT_EQ(blocked_signals(task.path()) & kDaemonSignals, kDaemonSignals)
        << "thread " << task.path().filename() << " can be handed a daemon signal";
  }
  EXPECT_GE(threads, 4);  // control, storage, API, Modbus link at least
  // At once after READY=1: the signal is pending until the loop reads it, never lost.
  bessd.signal(SIGTERM);
  auto status = bessd.wait(10s);
  ASSERT_TRUE(status) << bessd.output();
  EXPECT_EQ(status->code, 0);
  EXPECT_NE(bessd.output().find("received SIGTERM"), std::string::npos) << bessd.output();
}

TEST(DaemonLifecycle, BlockedSiteStaysUpAndExplains) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  const std::string config = local_config(dir);
  write_file(config,
             std::regex_replace(read_file(config), std::regex("\"outdoor_wall\""), "\"bedroom\""));
  Process bessd({kBessd, "--config", config}, {"NOTIFY_SOCKET=" + notify.path()});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << bessd.output();
  const std::string out = bessd.output();
  EXPECT_NE(out.find("PAS-LOC-01 block"), std::string::npos) << out;
  EXPECT_NE(out.find("installation blocked"), std::string::npos) << out;
  bessd.signal(SIGTERM);
  auto status = bessd.wait(kStopWithoutInverter);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
}

TEST(DaemonLifecycle, ReloadKeepsTheOldConfigWhenTheNewOneIsInvalid) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  const std::string config = local_config(dir);
  const std::string good = read_file(config);
  Process bessd({kBessd, "--config", config}, {"NOTIFY_SOCKET=" + notify.path()});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << bessd.output();

  write_file(config, R"({"site": {"jurisdiction": "GB"}})");
  const std::size_t before = notify.received().size();
  bessd.signal(SIGHUP);
  ASSERT_TRUE(notify.wait_for("RELOADING=1", 5s)) << bessd.output();
  // After the reload finishes the daemon reports READY=1 again; wait for that second READY.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  bool ready_again = false;
  while (!ready_again && std::chrono::steady_clock::now() < deadline) {
    notify.wait_for("__never__", 50ms);
    for (std::size_t i = before; i < notify.received().size(); ++i)
      ready_again = ready_again || notify.received()[i].find("READY=1") != std::string::npos;
  }
  ASSERT_TRUE(ready_again) << bessd.output();
  EXPECT_NE(bessd.output().find("reload rejected, keeping the running configuration"),
            std::string::npos)
      << bessd.output();
  EXPECT_NE(bessd.output().find("/site/location: is required but missing"), std::string::npos);

  write_file(config, good);
  bessd.signal(SIGHUP);
  const auto deadline2 = std::chrono::steady_clock::now() + 5s;
  while (bessd.output().find("configuration reloaded") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline2) {
    notify.wait_for("__never__", 20ms);
  }
  EXPECT_NE(bessd.output().find("configuration reloaded"), std::string::npos) << bessd.output();
  bessd.signal(SIGTERM);
  auto status = bessd.wait(kStopWithoutInverter);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
}

// A reload must not accept a file the next restart would refuse: a misspelt inverter profile is
// rejected at SIGHUP (the running configuration stays), not discovered at the next boot.
TEST(DaemonLifecycle, ReloadRefusesAProfileThatDoesNotExist) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  const std::string config = local_config(dir);
  Process bessd({kBessd, "--config", config}, {"NOTIFY_SOCKET=" + notify.path()});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << bessd.output();
  // The shipped profile is victron_ess.
  write_file(config, std::regex_replace(read_file(config), std::regex("\"profile\": \"[a-z_]+\""),
                                        "\"profile\": \"victron-ess\""));
  bessd.signal(SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (bessd.output().find("reload rejected") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    notify.wait_for("__never__", 20ms);
  const std::string out = bessd.output();
  EXPECT_NE(out.find("reload rejected, keeping the running configuration"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\"victron-ess\" does not exist"), std::string::npos) << out;
  bessd.signal(SIGTERM);
  auto status = bessd.wait(kStopWithoutInverter);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
}

}  // namespace
}  // namespace bessd::systest
