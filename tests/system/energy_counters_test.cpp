// The energy counters (docs/api.md "Energy counters") against the simulator's own integrals of
// its true flows, over a measured window in real time: bessd integrates on its own clock, so
// the simulator runs at time scale 1. Then a kill -9: the counters continue from the stored
// totals, never above what was counted and never more than the last 10 s below it.

#include <cmath>
#include <csignal>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

struct Totals {
  double battery_out_kwh{0.0};
  double battery_in_kwh{0.0};
  double grid_net_kwh{0.0};  // import - export
  double grid_gross_kwh{0.0};
  double pv_kwh{0.0};
  double house_kwh{0.0};  // bessd: grid + PV - battery; the sim: its load plus the losses
};

Totals of_bessd(const nlohmann::json& status) {
  const auto& e = status.at("energy");
  return {e.at("battery_discharged_kwh"),
          e.at("battery_charged_kwh"),
          e.at("grid_import_kwh").get<double>() - e.at("grid_export_kwh").get<double>(),
          e.at("grid_import_kwh").get<double>() + e.at("grid_export_kwh").get<double>(),
          e.at("pv_kwh"),
          e.at("house_kwh")};
}

Totals of_sim(const nlohmann::json& truth) {
  const auto& e = truth.at("energy");
  return {e.at("battery_discharged_kwh"),
          e.at("battery_charged_kwh"),
          e.at("grid_import_kwh").get<double>() - e.at("grid_export_kwh").get<double>(),
          e.at("grid_import_kwh").get<double>() + e.at("grid_export_kwh").get<double>(),
          e.at("pv_kwh"),
          e.at("load_kwh").get<double>() + e.at("losses_kwh").get<double>()};
}

// Within 1 % of the flow over the window, and half a watt-hour for the ends of the window
// (the API and the simulator are read a few milliseconds apart).
void expect_close(const char* what, double bessd_kwh, double sim_kwh, double scale_kwh) {
  EXPECT_NEAR(bessd_kwh, sim_kwh, 0.01 * std::abs(scale_kwh) + 0.0005)
      << what << ": bessd " << bessd_kwh << " kWh, simulator " << sim_kwh << " kWh";
  std::printf("%-12s bessd %.4f kWh  simulator %.4f kWh  (%+.2f %%)\n", what, bessd_kwh, sim_kwh,
              scale_kwh != 0.0 ? 100.0 * (bessd_kwh - sim_kwh) / std::abs(scale_kwh) : 0.0);
}

TEST(EnergyCounters, AgreeWithTheSimulatorAndSurviveAKill) {
  SiteOptions o;
  o.profile = "victron_ess";
  o.sim_args = {"--start-hour", "12", "--soc", "50"};  // midday: PV, a house load, a charge
  o.config_patch = {{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1500}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 1400; }, 20s))
      << site.sim_status().dump();

  const auto sim0 = of_sim(site.sim_status());
  const auto api0 = site.api("GET", "/v1/status");
  ASSERT_EQ(api0.status, 200);
  ASSERT_TRUE(api0.body.at("energy").at("since").is_string()) << api0.body.at("energy").dump();
  const auto ours0 = of_bessd(api0.body);
  std::this_thread::sleep_for(90s);  // the measured window
  const auto sim1 = of_sim(site.sim_status());
  const auto api1 = site.api("GET", "/v1/status");
  const auto ours1 = of_bessd(api1.body);

  const double battery = sim1.battery_in_kwh - sim0.battery_in_kwh;
  ASSERT_GT(battery, 0.03) << "the window charged";
  expect_close("battery in", ours1.battery_in_kwh - ours0.battery_in_kwh, battery, battery);
  expect_close("battery out", ours1.battery_out_kwh - ours0.battery_out_kwh,
               sim1.battery_out_kwh - sim0.battery_out_kwh, battery);
  expect_close("grid net", ours1.grid_net_kwh - ours0.grid_net_kwh,
               sim1.grid_net_kwh - sim0.grid_net_kwh, sim1.grid_gross_kwh - sim0.grid_gross_kwh);
  expect_close("pv", ours1.pv_kwh - ours0.pv_kwh, sim1.pv_kwh - sim0.pv_kwh,
               sim1.pv_kwh - sim0.pv_kwh);
  expect_close("house", ours1.house_kwh - ours0.house_kwh, sim1.house_kwh - sim0.house_kwh,
               sim1.house_kwh - sim0.house_kwh);
  EXPECT_EQ(api1.body.at("energy").at("unmeasured_s"), 0) << "no gap in the window";

  // kill -9 and start again: the stored totals come back (at most 10 s of counting lost).
  const auto before_kill = of_bessd(site.api("GET", "/v1/status").body);
  const auto since = api1.body.at("energy").at("since");
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(2s));
  site.forget_bessd();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto after = site.api("GET", "/v1/status").body;
  EXPECT_EQ(after.at("energy").at("since"), since) << "counting goes on, not a new start";
  const auto restored = of_bessd(after);
  const double ten_seconds_kwh = 1.6 * 10.0 / 3600.0;  // a 1.5 kW charge
  EXPECT_LE(restored.battery_in_kwh, before_kill.battery_in_kwh + 1.6 / 3600.0)
      << "never above what was counted before the kill";
  EXPECT_GE(restored.battery_in_kwh, before_kill.battery_in_kwh - ten_seconds_kwh)
      << "at most the last 10 s lost";
  EXPECT_GE(restored.pv_kwh, before_kill.pv_kwh - 10.0 * 10.0 / 3600.0);
}

}  // namespace
}  // namespace bessd::systest
