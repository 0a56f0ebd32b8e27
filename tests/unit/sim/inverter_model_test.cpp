#include <bessd/sim/inverter_model.hpp>

#include <gtest/gtest.h>

namespace bessd::sim {
namespace {

InverterInputs house(double load, double pv) {
  InverterInputs in;
  in.load_w = load;
  in.pv_w = pv;
  in.pack_voltage_v = 50.0;
  in.charge_current_limit_a = 100.0;
  in.discharge_current_limit_a = 100.0;
  return in;
}

double settle(InverterModel& inv, const InverterInputs& in, double& now, double seconds) {
  for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
    now += 0.1;
    inv.step(in, now, 0.1);
  }
  return inv.battery_power_w();
}

TEST(InverterModel, SelfUseCoversTheLoad) {
  InverterModel inv({});
  double now = 0;
  EXPECT_NEAR(settle(inv, house(1500, 0), now, 5), -1500, 1e-6);
  EXPECT_NEAR(inv.grid_power_w(), 1500 - 1500 * 0.96, 1e-6);  // only the conversion loss imported
}

TEST(InverterModel, RemoteSetpointHeldWithinRatingAndBmsLimits) {
  InverterModel inv({});
  double now = 0;
  inv.command(3000, now);
  EXPECT_NEAR(settle(inv, house(500, 0), now, 5), 3000, 1e-6);
  EXPECT_GT(inv.grid_power_w(), 3000);  // charging from the grid
  inv.command(-9000, now);
  EXPECT_NEAR(settle(inv, house(500, 0), now, 10), -5000, 1e-6);  // rating
  auto limited = house(500, 0);
  limited.discharge_current_limit_a = 20;
  EXPECT_NEAR(settle(inv, limited, now, 5), -1000, 1e-6);  // 20 A × 50 V
}

TEST(InverterModel, RampsInsteadOfJumping) {
  InverterModel inv({});
  double now = 0;
  inv.command(5000, now);
  now += 0.1;
  inv.step(house(0, 0), now, 0.1);
  EXPECT_NEAR(inv.battery_power_w(), 250, 1e-6);
}

TEST(InverterModel, RevertsToSelfUseWhenWritesStop) {
  InverterParams p;
  p.revert_timeout_s = 60;
  InverterModel inv(p);
  double now = 0;
  inv.command(2000, now);
  settle(inv, house(800, 0), now, 59);
  EXPECT_EQ(inv.mode(), InverterMode::remote);
  settle(inv, house(800, 0), now, 5);
  EXPECT_EQ(inv.mode(), InverterMode::self_use);
  EXPECT_NEAR(inv.battery_power_w(), -800, 1e-6);
}

TEST(InverterModel, RestartLosesTheSetpoint) {
  InverterModel inv({});
  double now = 0;
  inv.command(2000, now);
  settle(inv, house(0, 0), now, 2);
  inv.restart();
  EXPECT_EQ(inv.mode(), InverterMode::self_use);
  EXPECT_EQ(inv.setpoint_w(), 0.0);
}

TEST(InverterModel, IgnoringCommandsKeepsSelfUse) {
  InverterModel inv({});
  double now = 0;
  inv.set_ignore_commands(true);
  inv.command(3000, now);
  EXPECT_EQ(inv.setpoint_w(), 3000);  // the register reads back
  EXPECT_NEAR(settle(inv, house(1000, 0), now, 5), -1000, 1e-6);
}

TEST(InverterModel, IgnoringCommandsLeavesRemoteControl) {
  InverterModel inv({});
  double now = 0;
  inv.command(3000, now);
  EXPECT_EQ(inv.mode(), InverterMode::remote);
  inv.set_ignore_commands(true);
  inv.command(3000, now);
  EXPECT_EQ(inv.mode(), InverterMode::self_use);
  EXPECT_NEAR(settle(inv, house(1000, 0), now, 5), -1000, 1e-6);
}

}  // namespace
}  // namespace bessd::sim
