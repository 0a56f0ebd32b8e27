// bessctl against a running daemon on the simulated site: the real client, the real daemon, the
// API over its Unix socket.

#include <algorithm>

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "site.hpp"

namespace bessd::systest {
namespace bessctl_test {

using namespace std::chrono_literals;

const std::string kBessctl = BESSCTL_BIN;

RunResult bessctl(const Site& site, std::vector<std::string> args) {
  std::vector<std::string> argv{kBessctl, "--socket", site.api_socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, 20s);
}

TEST(Bessctl, StatusModeAndAckAgainstTheRunningDaemon) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // Human status names the state and the envelope; --json is the API document.
  auto text = bessctl(site, {"status"});
  ASSERT_EQ(text.code, 0) << text.output;
  EXPECT_NE(text.output.find("SOC"), std::string::npos) << text.output;
  auto json = bessctl(site, {"--json", "status"});
  ASSERT_EQ(json.code, 0) << json.output;
  const auto status = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << json.output;
  EXPECT_TRUE(status.contains("envelope")) << json.output;

  // A mode request goes through the controller and shows up in the status and the audit log.
  auto mode = bessctl(site, {"mode", "manual", "800"});
  ASSERT_EQ(mode.code, 0) << mode.output;
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = site.api("GET", "/v1/status");
        return s.status == 200 && s.body.dump().find("\"manual\"") != std::string::npos;
      },
      5s));
  auto audit = bessctl(site, {"--json", "audit"});
  ASSERT_EQ(audit.code, 0) << audit.output;
  EXPECT_NE(audit.output.find("mode"), std::string::npos) << audit.output;

  auto ack = bessctl(site, {"ack"});
  EXPECT_EQ(ack.code, 0) << ack.output;
  auto limits = bessctl(site, {"limits"});
  EXPECT_EQ(limits.code, 0) << limits.output;
  auto health = bessctl(site, {"--json", "health"});
  EXPECT_EQ(health.code, 0) << health.output;
  EXPECT_NE(health.output.find("energy_charged_kwh"), std::string::npos) << health.output;
  // Energy per period: a header, one line per period, a bad period refused before any request.
  auto energy = bessctl(site, {"energy", "--period", "week", "--count", "2"});
  ASSERT_EQ(energy.code, 0) << energy.output;
  EXPECT_EQ(energy.output.rfind("week ", 0), 0U) << energy.output;
  EXPECT_EQ(std::count(energy.output.begin(), energy.output.end(), '\n'), 4) << energy.output;
  EXPECT_EQ(bessctl(site, {"energy", "--period", "fortnight"}).code, 2);
}

TEST(Bessctl, DaemonNotRunningIsExit3WithAClearMessage) {
  auto r = run({kBessctl, "--socket", "/nonexistent/bessd/api.sock", "status"}, 20s);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/bessd/api.sock"), std::string::npos) << r.output;
}

// `bessctl check-site FILE` runs the bessd installed next to it (here: the build tree's) with
// --config, and passes its exit code through: 0 nothing blocks, 3 a rule blocks, 78 invalid.
TEST(Bessctl, CheckSiteRunsTheRealBessd) {
  const std::string examples = std::string(BESSD_SOURCE_DIR) + "/config/examples/";
  auto ok = run({kBessctl, "check-site", examples + "garage_integral_rei30.json"}, 20s);
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("PAS-LOC"), std::string::npos) << ok.output;

  auto blocked = run({kBessctl, "--json", "check-site", examples + "bedroom_prohibited.json"}, 20s);
  EXPECT_EQ(blocked.code, 3) << blocked.output;
  const auto report = nlohmann::json::parse(blocked.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << blocked.output;
  EXPECT_NE(report.dump().find("PAS-LOC-01"), std::string::npos) << blocked.output;

  auto html = run({kBessctl, "check-site", "--format", "html", "--date", "2026-06-01",
                   examples + "garage_integral_rei30.json"},
                  20s);
  EXPECT_EQ(html.code, 0) << html.output;
  EXPECT_NE(html.output.find("<html"), std::string::npos) << html.output.substr(0, 400);

  const TempDir dir;
  const std::string bad = dir.path() + "/bad.json";
  std::ofstream(bad) << "{\"site\": ";
  auto invalid = run({kBessctl, "check-site", bad}, 20s);
  EXPECT_EQ(invalid.code, 78) << invalid.output;
  EXPECT_NE(invalid.output.find("bad.json"), std::string::npos) << invalid.output;
}

// The shipped example (SunSpec, self-consumption) has no grid power reading: status says so
// first, as the operating reason and as an active warning, not "Faults: none" alone.
TEST(Bessctl, StatusExplainsAnIdleBatteryWithoutAGridReading) {
  SiteOptions o;
  o.sim_args = {"--start-hour", "12"};
  o.config_patch = {{"control", {{"mode", "self_consumption"}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  nlohmann::json s;
  ASSERT_TRUE(wait_until(
      [&] {
        s = site.api("GET", "/v1/status").body;
        return s.at("operating_reason").at("code") == "no_grid_reading";
      },
      10s))
      << s.dump();
  EXPECT_NE(s.at("warnings").dump().find("control.no_grid_reading"), std::string::npos) << s.dump();
  auto text = bessctl(site, {"status"});
  ASSERT_EQ(text.code, 0) << text.output;
  EXPECT_EQ(text.output.rfind("Now:        Idle: no grid power reading", 0), 0U) << text.output;
  EXPECT_NE(text.output.find("Warning:    control.no_grid_reading"), std::string::npos)
      << text.output;
}

}  // namespace bessctl_test
}  // namespace bessd::systest
