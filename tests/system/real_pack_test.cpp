// What real packs do on real nights, end to end against the simulator (docs/protection.md):
// a cold pack may discharge but not charge, and nothing latches; an empty pack whose BMS asks for
// a charge is recharged to the reserve even with the operator's mode idle.

#include <cmath>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace real_pack_test {

using namespace std::chrono_literals;

// -5 °C: charging stops (LFP must not be charged below 0 °C), discharging goes on, no fault
// latches; once warm again charging resumes by itself.
TEST(RealPack, ColdNightBlocksChargingOnlyAndRecovers) {
  Site site;
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 2000}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, charging, 10s)) << site.bessd_output();

  const std::int64_t cold = Site::now_us();
  ASSERT_EQ(site.sim("temperature -5").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_for_write(site, cold, holds_zero, 5s)) << site.sim("writes");
  std::this_thread::sleep_for(2s);
  const auto s = status_of(site);
  EXPECT_EQ(s.at("envelope").at("charge_power_max_w").get<double>(), 0.0) << s.dump();
  EXPECT_GT(s.at("envelope").at("discharge_power_max_w").get<double>(), 0.0) << s.dump();
  EXPECT_FALSE(any_latched(s)) << s.dump();
  EXPECT_NE(s.value("state", ""), "fault") << s.dump();

  const std::int64_t discharge_asked = Site::now_us();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1000})").status, 200);
  EXPECT_TRUE(wait_for_write(site, discharge_asked, discharging, 5s)) << site.sim("writes");

  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":2000})").status, 200);
  const std::int64_t warm = Site::now_us();
  ASSERT_EQ(site.sim("temperature 15").rfind("ok", 0), 0U);
  EXPECT_TRUE(wait_for_write(site, warm, charging, 40s)) << site.sim("writes");
  EXPECT_FALSE(any_latched(status_of(site)));
}

// The pack sits below its reserve and the BMS sets its force-charge request (0x35C): bessd
// recharges it although the operator's mode is idle, and says why.
TEST(RealPack, EmptyPackIsRechargedWhenTheBmsAsks) {
  Site site;
  site.patch_config({{"control", {{"mode", "idle"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, holds_zero, 10s)) << site.bessd_output();
  const std::int64_t emptied = Site::now_us();
  ASSERT_EQ(site.sim("soc 3").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_for_write(site, emptied, charging, 10s)) << site.sim("writes");
  // The event is stored by the storage thread, which may come after the write on the wire.
  std::string events;
  EXPECT_TRUE(wait_until(
      [&] {
        events = site.api("GET", "/v1/events?limit=200").body.dump();
        return events.find("OP-REC-01") != std::string::npos;
      },
      5s))
      << events;
  EXPECT_NE(events.find("the BMS asked for a charge"), std::string::npos) << events;
  // Above the reserve again: the recovery charge ends and idle holds.
  ASSERT_EQ(site.sim("soc 30").rfind("ok", 0), 0U);
  const std::int64_t refilled = Site::now_us();
  ASSERT_TRUE(wait_for_write(site, refilled, holds_zero, 10s)) << site.sim("writes");
  std::this_thread::sleep_for(2s);
  EXPECT_FALSE(first_write_after(site.sim_writes(), Site::now_us() - 1'000'000, charging))
      << site.sim("writes");
}

// A cold pack (2 °C) on a site whose cells may be charged only from 5 °C, with a 1.2 kW DC load:
// the BMS would let the pack give 50 A, bessd's own temperature table a quarter of that. The
// pack is held to bessd's limit and the inverter covers the rest although charging is blocked
// (the cells do not take any of it); when the load stops, the cover ends within a few samples
// (docs/protection.md "Discharge current guard", "Covering a DC load").
TEST(RealPack, ACooledPacksDcLoadIsHeldToTheCellsLimitAndCovered) {
  Site site;
  site.patch_config({{"control", {{"mode", "idle"}}},
                     {"battery",
                      {{"dc_load_max_w", 1200},
                       {"charge_temperature_min_c", 5},
                       {"max_discharge_current_a", 50}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, holds_zero, 10s)) << site.bessd_output();
  ASSERT_EQ(site.sim("temperature 2").rfind("ok", 0), 0U);
  std::this_thread::sleep_for(3s);
  // OP-T-02's discharge table gives 0.24 of the 50 A rating at 2 °C.
  const double limit_a = 0.24 * 50.0;
  ASSERT_EQ(site.sim("dc-load 1200").rfind("ok", 0), 0U);
  std::this_thread::sleep_for(8s);
  // The pack's current over a few samples: the most it gave and the most it took.
  auto pack_range = [&site](int samples) {
    std::pair<double, double> r{0.0, 0.0};
    for (int i = 0; i < samples; ++i) {
      const double a = site.sim_status().at("pack_a").get<double>();
      r.first = std::min(r.first, a);
      r.second = std::max(r.second, a);
      std::this_thread::sleep_for(250ms);
    }
    return r;
  };
  const auto covered = pack_range(8);
  const auto truth = site.sim_status();
  EXPECT_LE(-covered.first, limit_a * 1.05 + 1.0) << truth.dump();
  EXPECT_GT(-covered.first, limit_a * 0.5) << "the cells give what they may: " << truth.dump();
  EXPECT_LE(covered.second, 1.0) << "the cells take none of the cover: " << truth.dump();
  EXPECT_GT(truth.at("battery_w").get<double>(), 100.0)
      << "the inverter charges to cover the load: " << truth.dump();
  const auto events = site.api("GET", "/v1/events?limit=200").body.dump();
  EXPECT_EQ(events.find("control.discharge_uncovered"), std::string::npos) << events;
  EXPECT_FALSE(any_latched(status_of(site)));

  ASSERT_EQ(site.sim("dc-load 0").rfind("ok", 0), 0U);
  std::this_thread::sleep_for(3s);
  const auto after = pack_range(8);
  EXPECT_LE(after.second, 1.5) << "the cover ended with the load: " << site.sim("status");
}

}  // namespace real_pack_test
}  // namespace bessd::systest
