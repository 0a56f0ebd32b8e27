// The energy counters (docs/api.md "Energy counters") against the simulator's own integrals of
// its true flows, over a measured window in real time: bessd integrates on its own clock, so
// the simulator runs at time scale 1. Then a kill -9: the counters continue from the stored
// totals, never above what was counted and never more than the last 10 s below it.

#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

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

// "2026-12-04T21:00:00.123Z" as Unix milliseconds.
std::int64_t unix_ms(const nlohmann::json& time) {
  std::tm tm{};
  int ms = 0;
  const std::string text = time.get<std::string>();
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000 + ms;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct SimSample {
  std::int64_t at_ms;
  Totals totals;
};

// The simulator's totals at `at_ms`, between the two samples around it.
Totals sim_at(const std::vector<SimSample>& samples, std::int64_t at_ms) {
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const auto& a = samples[i - 1];
    const auto& b = samples[i];
    if (b.at_ms < at_ms) continue;
    const double f = b.at_ms == a.at_ms ? 0.0
                                        : static_cast<double>(at_ms - a.at_ms) /
                                              static_cast<double>(b.at_ms - a.at_ms);
    const auto mix = [&](double Totals::*m) {
      return a.totals.*m + f * (b.totals.*m - a.totals.*m);
    };
    return {mix(&Totals::battery_out_kwh), mix(&Totals::battery_in_kwh), mix(&Totals::grid_net_kwh),
            mix(&Totals::grid_gross_kwh),  mix(&Totals::pv_kwh),         mix(&Totals::house_kwh)};
  }
  ADD_FAILURE() << "no simulator sample around " << at_ms;
  return {};
}

// The status shows the totals counted up to `energy.as_of` (the save before the last, so that a
// total never goes down across a crash): the simulator's integrals are taken at that moment.
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

  std::vector<SimSample> samples;
  nlohmann::json api0;
  nlohmann::json api1;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 110s) {
    samples.push_back({wall_ms(), of_sim(site.sim_status())});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (api0.is_null() && elapsed > 25s) api0 = site.api("GET", "/v1/status").body;
    std::this_thread::sleep_for(200ms);
  }
  api1 = site.api("GET", "/v1/status").body;
  samples.push_back({wall_ms(), of_sim(site.sim_status())});
  ASSERT_TRUE(api0.at("energy").at("as_of").is_string()) << api0.at("energy").dump();
  const std::int64_t as_of0 = unix_ms(api0.at("energy").at("as_of"));
  const std::int64_t as_of1 = unix_ms(api1.at("energy").at("as_of"));
  ASSERT_GT(as_of1 - as_of0, 60'000) << "a window of a minute at least";
  const auto ours0 = of_bessd(api0);
  const auto ours1 = of_bessd(api1);
  const auto sim0 = sim_at(samples, as_of0);
  const auto sim1 = sim_at(samples, as_of1);

  const double battery = sim1.battery_in_kwh - sim0.battery_in_kwh;
  ASSERT_GT(battery, 0.02) << "the window charged";
  expect_close("battery in", ours1.battery_in_kwh - ours0.battery_in_kwh, battery, battery);
  expect_close("battery out", ours1.battery_out_kwh - ours0.battery_out_kwh,
               sim1.battery_out_kwh - sim0.battery_out_kwh, battery);
  expect_close("grid net", ours1.grid_net_kwh - ours0.grid_net_kwh,
               sim1.grid_net_kwh - sim0.grid_net_kwh, sim1.grid_gross_kwh - sim0.grid_gross_kwh);
  expect_close("pv", ours1.pv_kwh - ours0.pv_kwh, sim1.pv_kwh - sim0.pv_kwh,
               sim1.pv_kwh - sim0.pv_kwh);
  expect_close("house", ours1.house_kwh - ours0.house_kwh, sim1.house_kwh - sim0.house_kwh,
               sim1.house_kwh - sim0.house_kwh);
  EXPECT_EQ(api1.at("energy").at("unmeasured_s"), 0) << "no gap in the window";

  // kill -9 and start again: the totals shown never go down, and the stored ones come back
  // (the save shown and the one after it).
  const auto status_before_kill = site.api("GET", "/v1/status").body;
  const auto before_kill = of_bessd(status_before_kill);
  const auto today_before_kill = status_before_kill.at("energy").at("today");
  ASSERT_TRUE(today_before_kill.is_object()) << status_before_kill.at("energy").dump();
  const auto since = api1.at("energy").at("since");
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(2s));
  site.forget_bessd();
  // Down for a while, as after a crash: the time since the last save is not counted. (A restart
  // at once can leave less than the half second the status rounds to.)
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto after = site.api("GET", "/v1/status").body;
  EXPECT_EQ(after.at("energy").at("since"), since) << "counting goes on, not a new start";
  const auto restored = of_bessd(after);
  EXPECT_GE(restored.battery_in_kwh, before_kill.battery_in_kwh) << "never below what was shown";
  EXPECT_LE(restored.battery_in_kwh, before_kill.battery_in_kwh + 1.6 * 25.0 / 3600.0);
  EXPECT_GE(restored.pv_kwh, before_kill.pv_kwh);
  EXPECT_GE(after.at("energy").at("unmeasured_s").get<double>(), 3.0)
      << "the restart's gap is counted as not measured";

  // Per day (docs/api.md "GET /v1/energy"): the days add up to the stored totals, across the
  // kill, with nothing counted twice (two days, should the test run over midnight).
  const auto days = site.api("GET", "/v1/energy?period=day&count=2");
  ASSERT_EQ(days.status, 200) << days.body.dump();
  double day_in_kwh = 0.0;
  double day_pv_kwh = 0.0;
  for (const auto& p : days.body.at("periods")) {
    if (p.at("battery_charged_kwh").is_number())
      day_in_kwh += p.at("battery_charged_kwh").get<double>();
    if (p.at("pv_kwh").is_number()) day_pv_kwh += p.at("pv_kwh").get<double>();
  }
  const double lag_kwh = 1.6 * 25.0 / 3600.0;  // the status shows the save before the last
  EXPECT_GE(day_in_kwh, restored.battery_in_kwh - 1e-6) << days.body.dump();
  EXPECT_LE(day_in_kwh, restored.battery_in_kwh + lag_kwh) << days.body.dump();
  EXPECT_GE(day_pv_kwh, restored.pv_kwh - 1e-6) << days.body.dump();
  EXPECT_LE(day_pv_kwh, restored.pv_kwh + lag_kwh) << days.body.dump();

  // Status's `today` is that day as stored, and a restart goes on counting it.
  const auto& today = after.at("energy").at("today");
  ASSERT_TRUE(today.is_object()) << after.at("energy").dump();
  const double today_in_kwh = today.at("battery_charged_kwh").get<double>();
  if (today.at("date") == today_before_kill.at("date")) {
    EXPECT_GE(today_in_kwh, today_before_kill.at("battery_charged_kwh").get<double>())
        << "the day goes on after the restart, not from 0";
  }
  const auto& last_day = days.body.at("periods").back();
  ASSERT_EQ(last_day.at("start"), today.at("date")) << days.body.dump();
  EXPECT_LE(today_in_kwh, last_day.at("battery_charged_kwh").get<double>() + 1e-6);
  EXPECT_GE(today_in_kwh, last_day.at("battery_charged_kwh").get<double>() - lag_kwh);
}

}  // namespace
}  // namespace bessd::systest
