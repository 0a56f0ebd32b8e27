// Happy path: self-consumption follows the house load (grid near 0 W while the battery covers
// the evening load); SOC and signs agree between the simulator's truth, the API and the
// database (history and an integrity check).

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace happy_path_test {

using namespace std::chrono_literals;

TEST(HappyPath, SelfConsumptionFollowsTheLoadAndEveryViewAgrees) {
  Site site(evening_self_consumption("victron_ess"));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // Converged: the battery covers the load, the grid is near 0 W.
  nlohmann::json truth;
  ASSERT_TRUE(wait_battery_covers_house(site, truth, 500, 150, 15s)) << truth.dump() << "\n"
                                                                     << site.bessd_output();

  // Follows a change: the load moves with the time of day; the grid stays near 0 W. Judged over
  // 4 s, most samples and the median, so one slow poll on a loaded machine is not a failure, but
  // a loop that stops following (grid near the house load, 500 W and more) still is.
  std::vector<double> grid_w;
  for (int i = 0; i < 40; ++i) {
    wait_until([] { return false; }, 100ms);
    truth = site.sim_status();
    grid_w.push_back(std::abs(truth.at("grid_w").get<double>()));
  }
  const auto near_zero =
      std::count_if(grid_w.begin(), grid_w.end(), [](double w) { return w < 250; });
  EXPECT_GE(near_zero, 28) << truth.dump();
  std::nth_element(grid_w.begin(), grid_w.begin() + 20, grid_w.end());
  EXPECT_LT(grid_w[20], 200) << "median |grid| " << grid_w[20] << " W; " << truth.dump();

  const auto status = site.api("GET", "/v1/status");
  ASSERT_EQ(status.status, 200) << status.body.dump();
  truth = site.sim_status();
  const auto& pack = status.body.at("pack");
  const auto& inv = status.body.at("inverter");
  EXPECT_NEAR(pack.at("soc_pct").get<double>(), truth.at("soc_pct").get<double>(), 1.5);
  EXPECT_LT(pack.at("current_a").get<double>(), 0.0) << "discharging is negative in bessd";
  EXPECT_LT(pack.at("power_w").get<double>(), 0.0);
  EXPECT_NEAR(pack.at("voltage_v").get<double>(), truth.at("pack_v").get<double>(), 0.5);
  EXPECT_NEAR(inv.at("battery_power_w").get<double>(), truth.at("battery_w").get<double>(), 400);
  EXPECT_NEAR(inv.at("grid_power_w").get<double>(), truth.at("grid_w").get<double>(), 400);
  // The house is what grid, PV and battery add up to: the simulator's own load.
  const auto& flow = status.body.at("power_flow");
  ASSERT_TRUE(flow.at("house_w").is_number()) << flow.dump();
  EXPECT_NEAR(flow.at("house_w").get<double>(), truth.at("load_w").get<double>(), 400)
      << flow.dump() << "\n"
      << truth.dump();
  EXPECT_NEAR(flow.at("pv_w").get<double>(), truth.at("pv_w").get<double>(), 50) << flow.dump();
  EXPECT_EQ(flow.at("pv_source"), "inverter") << flow.dump();
  EXPECT_LT(status.body.at("commanded_power_w").get<double>(), 0.0);
  EXPECT_EQ(status.body.at("mode"), "self_consumption");
  EXPECT_GT(truth.at("discharged_kwh").get<double>(), 0.0);
  // A healthy site has no link errors (the BMS link coming up is a notice, not an error).
  for (const auto& l : status.body.at("links")) EXPECT_EQ(l.at("error_count"), 0) << l.dump();

  // The database: telemetry rows with the same signs, readable through the history endpoint.
  nlohmann::json history;
  ASSERT_TRUE(wait_until(
      [&] {
        history =
            site.api("GET", "/v1/history?from=-2m&resolution=raw&fields=soc_pct,power_w").body;
        return history.contains("points") && history.at("points").size() >= 3;
      },
      5s))
      << history.dump();
  const auto& last = history.at("points").back();
  ASSERT_TRUE(last.at("power_w").is_number()) << last.dump();
  EXPECT_LT(last.at("power_w").get<double>(), 0.0);
  EXPECT_NEAR(last.at("soc_pct").get<double>(), truth.at("soc_pct").get<double>(), 2.0);
  const auto integrity = run({"/usr/bin/sqlite3", site.db_path(), "PRAGMA integrity_check;"});
  EXPECT_EQ(integrity.output, "ok\n");
}

// GET /metrics as a Prometheus server reads it: the parser of python3-prometheus-client accepts
// it, and no series repeats (a repeated series makes Prometheus reject the whole scrape).
TEST(HappyPath, MetricsAreAValidScrapeWithoutRepeatedSeries) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until(
      [&] {
        const auto s = site.api("GET", "/v1/status");
        return s.status == 200 && s.body.at("pack").at("soc_pct").is_number() &&
               s.body.at("inverter").at("online").get<bool>();
      },
      10s))
      << site.bessd_output();
  (void)site.api("GET", "/v1/status");  // an API request counter to export
  const auto r = run({"/bin/sh", "-c",
                      "curl -sf --unix-socket '" + site.api_socket() +
                          "' http://localhost/metrics | /usr/bin/python3 '" BESSD_SOURCE_DIR
                          "/tests/system/check_metrics.py'"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find(" 0 problems"), std::string::npos) << r.output;
}

// docs/protection.md "Self-test": it runs on a copy of the decision logic, at any time. While the
// real battery discharges, it passes and the live command is untouched.
TEST(HappyPath, SelfTestRunsWhileDischargingWithoutTouchingTheBattery) {
  Site site;
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", -1000}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 15s)) << site.sim("writes");
  const std::int64_t before = Site::now_us();
  const auto r = site.api("POST", "/v1/self-test");
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.value("passed", false), true) << r.body.dump();
  std::this_thread::sleep_for(2s);
  EXPECT_FALSE(first_write_after(site.sim_writes(), before, [](double lo, double hi) {
    return !discharging(lo, hi);
  })) << site.sim("writes");
  EXPECT_LT(status_of(site).at("commanded_power_w").get<double>(), -100.0);
}

}  // namespace happy_path_test
}  // namespace bessd::systest
