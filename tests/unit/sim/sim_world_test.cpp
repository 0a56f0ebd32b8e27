#include <bessd/sim/sim_world.hpp>

#include <gtest/gtest.h>

namespace bessd::sim {
namespace {

WorldParams night_params() {
  WorldParams p;
  p.pack.series_cells = 16;
  p.pack.capacity_ah = 100;
  p.pack.initial_soc_pct = 60;
  p.start_seconds_of_day = 2 * 3600;  // night: no PV
  return p;
}

TEST(SimWorld, SelfUseAtNightDischargesIntoTheLoadAndEnergyBalances) {
  SimWorld world(night_params());
  const double soc0 = world.pack().soc_pct();
  world.advance(600);
  const auto r = world.readings();
  EXPECT_LT(r.battery_power_w, 0.0);
  EXPECT_LT(world.pack().soc_pct(), soc0);
  EXPECT_EQ(r.pv_w, 0.0);
  // Meter balance: grid import = load − inverter AC output.
  EXPECT_NEAR(r.grid_power_w, r.load_w - r.ac_power_w, 1e-9);
  // Pack current sign agrees with battery power sign (+ = charging).
  EXPECT_LT(world.pack().current_a(), 0.0);
}

TEST(SimWorld, CommandedChargeRaisesSoc) {
  SimWorld world(night_params());
  const double soc0 = world.pack().soc_pct();
  world.command_battery_power(2000);
  world.advance(60);
  EXPECT_NEAR(world.readings().battery_power_w, 2000, 1e-6);
  EXPECT_GT(world.pack().soc_pct(), soc0);
  EXPECT_GT(world.pack().current_a(), 0.0);
}

TEST(SimWorld, TimeScaleCompressesTheDay) {
  auto p = night_params();
  p.time_scale = 60.0;
  SimWorld world(p);
  world.advance(60);  // one real minute = one simulated hour
  EXPECT_NEAR(world.sim_seconds(), 3600.0, 1e-6);
  EXPECT_NEAR(world.seconds_of_day(), 3 * 3600.0, 1e-6);
}

TEST(SimWorld, BmsReportFollowsThePack) {
  SimWorld world(night_params());
  world.command_battery_power(-1000);
  world.advance(30);
  const auto s = world.bms_report();
  ASSERT_TRUE(s.current_a && s.voltage_v);
  EXPECT_NEAR(*s.current_a * *s.voltage_v, -1000, 5);
}

}  // namespace
}  // namespace bessd::sim
