// A short run of the simulated site for a daemon built for another architecture: the arm64 or
// armhf package's bessd under qemu-user against the native simulator (tests/foreign sets
// BESSD_TEST_BESSD and BESSD_TEST_EMULATOR; docs/operations.md "Boards and architectures").
// Without them it runs this build's own bessd, which gives the same run's native figures. The
// battery follows manual commands both ways, the status answers with the simulator's truth,
// telemetry reaches SQLite and comes back, and SIGTERM leaves the inverter in its safe state. It
// prints the daemon's peak resident memory (VmHWM; under qemu-user that includes the emulator and
// its code cache).

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace foreign_daemon_test {

using namespace std::chrono_literals;

// "VmHWM:" or "VmRSS:" of a process, in KiB; -1 when unreadable.
long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + field.size(), nullptr, 10);
  }
  return -1;
}

std::string which_daemon() {
  std::string text;
  for (const auto& part : bessd_command()) text += (text.empty() ? "" : " ") + part;
  return text;
}

TEST(ForeignDaemon, AnswersFollowsCommandsBothWaysAndStopsSafe) {
  Site site;
  // Emulated, the daemon starts several times slower than natively: a generous bound, still
  // bounded.
  ASSERT_TRUE(site.start_bessd(60s)) << which_daemon() << "\n" << site.bessd_output();

  // Power flows both ways at the commanded power, measured by the simulator: the signs and
  // scale factors of every register on the way survived the architecture.
  nlohmann::json status;
  nlohmann::json truth;
  for (const double setpoint_w : {-1200.0, 900.0}) {
    const auto put = site.api(
        "PUT", "/v1/mode", nlohmann::json{{"mode", "manual"}, {"setpoint_w", setpoint_w}}.dump());
    ASSERT_EQ(put.status, 200) << put.body.dump();
    const int sign = setpoint_w > 0 ? 1 : -1;
    ASSERT_TRUE(wait_until([&] { return site.battery_at_command(sign, 150, status, truth); }, 60s))
        << which_daemon() << " at " << setpoint_w << " W\n"
        << status.dump() << "\n"
        << truth.dump() << "\n"
        << site.bessd_output();
  }

  // The status answers with the simulator's truth.
  truth = site.sim_status();
  status = site.api("GET", "/v1/status").body;
  const auto& pack = status.at("pack");
  EXPECT_NEAR(pack.at("soc_pct").get<double>(), truth.at("soc_pct").get<double>(), 1.5);
  EXPECT_NEAR(pack.at("voltage_v").get<double>(), truth.at("pack_v").get<double>(), 0.5);
  EXPECT_GT(pack.at("current_a").get<double>(), 0.0) << "charging is positive in bessd";
  EXPECT_NEAR(pack.at("power_w").get<double>(), truth.at("battery_w").get<double>(), 400);
  EXPECT_NEAR(status.at("inverter").at("pv_power_w").get<double>(), truth.at("pv_w").get<double>(),
              400);
  EXPECT_EQ(status.at("mode"), "manual");
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // Telemetry went through SQLite and back out of the history endpoint with its signs.
  nlohmann::json history;
  ASSERT_TRUE(wait_until(
      [&] {
        history =
            site.api("GET", "/v1/history?from=-2m&resolution=raw&fields=soc_pct,power_w").body;
        return history.contains("points") && history.at("points").size() >= 3 &&
               history.at("points").back().at("power_w").is_number() &&
               history.at("points").back().at("power_w").get<double>() > 0.0;
      },
      20s))
      << history.dump();

  const pid_t pid = site.bessd()->pid();
  std::cout << "daemon: " << which_daemon()
            << "\npeak resident memory: " << status_kib(pid, "VmHWM:") << " KiB (now "
            << status_kib(pid, "VmRSS:") << " KiB)\n";

  // Emulated, the last writes and the database's close take longer: 20 s rather than 5.
  expect_safe_state_before_exit(site, 20s);
  if (HasFatalFailure()) return;
  EXPECT_TRUE(site.battery_settles_at_zero(50.0, 10s)) << site.sim_status().dump();
}

}  // namespace foreign_daemon_test
}  // namespace bessd::systest
