// Self-consumption: drive the grid power at the meter toward the target, rate-limited, inside
// a deadband, without oscillating; respect the SOC reserve and the export limit.
#include <cmath>

#include <gtest/gtest.h>

#include "harness.hpp"

namespace bessd::control {
namespace {

using testing::Harness;

int sign_changes_of_steps(const std::vector<double>& v) {
  int changes = 0;
  double last_dir = 0.0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const double d = v[i] - v[i - 1];
    if (std::abs(d) < 1e-9) continue;
    const double dir = d > 0 ? 1.0 : -1.0;
    if (last_dir != 0.0 && dir != last_dir) ++changes;
    last_dir = dir;
  }
  return changes;
}

TEST(SelfConsumption, ConvergesMonotonicallyWithTheRampAndNoOvershoot) {
  Harness h;
  h.house_load_w = 2000.0;  // the house imports 2 kW: the battery should discharge 2 kW
  h.in.request.mode = config::OperatingMode::self_consumption;
  std::vector<double> setpoints;
  for (int i = 0; i < 15; ++i) {
    h.step();
    setpoints.push_back(h.out.command.battery_power_w);
  }
  // Safe setpoint first, then the 500 W/s ramp: -500, -1000, -1500, -2000, then hold.
  EXPECT_EQ(setpoints[0], 0.0);
  EXPECT_NEAR(setpoints[1], -500.0, 1e-6);
  EXPECT_NEAR(setpoints[4], -2000.0, 1e-6);
  EXPECT_NEAR(setpoints.back(), -2000.0, 1e-6);
  for (double sp : setpoints) EXPECT_GE(sp, -2000.0 - 1e-6) << "overshoot";
  EXPECT_EQ(sign_changes_of_steps(setpoints), 0);
  EXPECT_NEAR(*h.in.snapshot.inverter.grid_power_w, 0.0, 1e-6);
}

TEST(SelfConsumption, DeadbandHoldsSmallErrors) {
  Harness h;
  h.house_load_w = 1000.0;
  h.start(config::OperatingMode::self_consumption);
  h.steps(6);
  const double settled = h.out.command.battery_power_w;
  for (double wobble : {10.0, -20.0, 15.0, -5.0, 24.0}) {
    h.house_load_w = 1000.0 + wobble;
    h.step();
    EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, settled) << wobble;
  }
}

TEST(SelfConsumption, LaggingInverterDoesNotCauseOscillation) {
  Harness h;
  h.plant_follows = false;
  h.start(config::OperatingMode::self_consumption);
  // The inverter reaches only half way to the command each step (first-order lag).
  double batt = 0.0;
  const double house = -3000.0;  // PV surplus exported: charge 3 kW
  std::vector<double> setpoints;
  for (int i = 0; i < 40; ++i) {
    h.in.snapshot.inverter.battery_power_w = batt;
    h.in.snapshot.pack.current_a = batt / 52.0;
    h.in.snapshot.inverter.grid_power_w = house + batt;
    h.step();
    const double cmd = h.out.command.battery_power_w;
    setpoints.push_back(cmd);
    batt += 0.5 * (cmd - batt);
  }
  EXPECT_NEAR(setpoints.back(), 3000.0, 1e-6);
  for (double sp : setpoints) EXPECT_LE(sp, 3000.0 + 1e-6);
  EXPECT_EQ(sign_changes_of_steps(setpoints), 0);
}

TEST(SelfConsumption, FollowsTheTarget) {
  Harness h;
  h.house_load_w = 500.0;
  h.in.request.target_grid_w = 200.0;  // keep importing 200 W
  h.start(config::OperatingMode::self_consumption);
  h.steps(5);
  EXPECT_NEAR(h.out.command.battery_power_w, -300.0, 1e-6);
}

TEST(SelfConsumption, RespectsSocReserve) {
  Harness h;
  h.house_load_w = 2000.0;
  h.in.snapshot.pack.soc_pct = 10.0;
  h.start(config::OperatingMode::self_consumption);
  h.steps(5);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);
  EXPECT_TRUE(h.out.clamp.clamped);
  EXPECT_EQ(h.out.clamp.cause.rule_id, "OP-SOC-01");
}

TEST(SelfConsumption, RespectsTheExportLimit) {
  Harness h;
  h.limits.grid_export_limit_w = 0.0;    // zero export
  h.in.request.target_grid_w = -1000.0;  // an operator asks to export 1 kW: not allowed
  h.house_load_w = 500.0;
  h.start(config::OperatingMode::self_consumption);
  h.steps(10);
  EXPECT_NEAR(h.out.command.battery_power_w, -500.0, 1e-6);
  EXPECT_GE(*h.in.snapshot.inverter.grid_power_w, -1e-6);
  EXPECT_EQ(h.out.clamp.cause.kind, core::CauseKind::site_grid_limit);
}

TEST(SelfConsumption, NoGridReadingHoldsZeroAndSaysSo) {
  Harness h;
  h.plant_follows = false;
  h.in.snapshot.inverter.grid_power_w.reset();
  h.start(config::OperatingMode::self_consumption);
  h.step();
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);
  bool raised = false;
  Harness h2;
  h2.plant_follows = false;
  h2.in.snapshot.inverter.grid_power_w.reset();
  h2.in.request.mode = config::OperatingMode::self_consumption;
  for (int i = 0; i < 3; ++i) {
    h2.step();
    raised = raised || h2.has_event("control.no_grid_reading", core::EventEdge::raised);
  }
  EXPECT_TRUE(raised);
}

TEST(SelfConsumption, MeterReadingWinsOverInverterReading) {
  Harness h;
  h.plant_follows = false;
  h.in.snapshot.inverter.grid_power_w = 5000.0;
  h.in.meter_grid_power_w = 400.0;
  h.start(config::OperatingMode::self_consumption);
  h.steps(3);
  EXPECT_NEAR(h.out.command.battery_power_w, -400.0, 1e-6);
}

}  // namespace
}  // namespace bessd::control
