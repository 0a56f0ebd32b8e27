// Property: over thousands of random snapshots fed in sequence (fixed seed), the command never
// exceeds the envelope, a safe-state command is 0 W with zero limits, and nothing is written
// before the inverter was read.
#include <random>

#include <gtest/gtest.h>

#include "harness.hpp"

namespace bessd::control {
namespace {

TEST(ControlProperty, CommandNeverExceedsTheEnvelope) {
  std::mt19937 rng(4242);
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto coin = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  int set_power_steps = 0;
  for (int run = 0; run < 40; ++run) {
    testing::Harness h;
    h.plant_follows = coin(0.5);
    if (coin(0.5)) h.limits.inverter_rated_power_w = uni(1000, 6000);
    if (coin(0.3)) h.limits.grid_export_limit_w = uni(0, 3000);
    if (coin(0.3)) h.limits.grid_import_limit_w = uni(2000, 9000);
    h.build();
    bool read_once = false;
    for (int i = 0; i < 100; ++i) {
      auto& p = h.in.snapshot.pack;
      const int mode = static_cast<int>(uni(0, 3));
      h.in.request.mode = static_cast<config::OperatingMode>(mode);
      h.in.request.manual_setpoint_w = uni(-12000, 12000);
      h.house_load_w = uni(-5000, 5000);
      p.soc_pct = uni(0, 100);
      const double vmin = uni(2.6, 3.6);
      p.cell_voltage_min_v = vmin;
      p.cell_voltage_max_v = vmin + uni(0, 0.1);
      p.cell_temperature_min_c = uni(-5, 50);
      p.cell_temperature_max_c = *p.cell_temperature_min_c + uni(0, 5);
      p.limits.charge_current_limit_a = uni(0, 120);
      p.limits.discharge_current_limit_a = uni(0, 120);
      h.bms_silent = coin(0.05) ? !h.bms_silent : h.bms_silent;
      h.inverter_silent = coin(0.03) ? !h.inverter_silent : h.inverter_silent;
      if (!h.plant_follows) {
        h.in.snapshot.inverter.battery_power_w = uni(-4000, 4000);
        h.in.snapshot.inverter.grid_power_w = uni(-4000, 4000);
      }
      h.in.ack_faults = coin(0.1);
      const auto& out = h.step(std::chrono::milliseconds{static_cast<int>(uni(100, 3000))});
      read_once = read_once || !h.inverter_silent;
      const auto& cmd = out.command;
      SCOPED_TRACE("run " + std::to_string(run) + " step " + std::to_string(i));
      if (!read_once) {
        ASSERT_EQ(cmd.kind, core::CommandKind::none);
      }
      if (cmd.kind == core::CommandKind::set_power) {
        ++set_power_steps;
        ASSERT_LE(cmd.battery_power_w, out.envelope.charge_power_max_w.value + 1e-9);
        ASSERT_GE(cmd.battery_power_w, -out.envelope.discharge_power_max_w.value - 1e-9);
        ASSERT_LE(cmd.charge_power_max_w, out.envelope.charge_power_max_w.value + 1e-9);
        ASSERT_LE(cmd.discharge_power_max_w, out.envelope.discharge_power_max_w.value + 1e-9);
        ASSERT_TRUE(out.state == ControlState::running || out.state == ControlState::standby);
      }
      if (cmd.kind == core::CommandKind::safe_state) {
        ASSERT_EQ(cmd.battery_power_w, 0.0);
        ASSERT_EQ(cmd.charge_power_max_w, 0.0);
        ASSERT_EQ(cmd.discharge_power_max_w, 0.0);
      }
      if (out.state == ControlState::fault || out.state == ControlState::lockout) {
        ASSERT_EQ(cmd.kind, core::CommandKind::safe_state);
      }
    }
  }
  EXPECT_GT(set_power_steps, 400);
}

}  // namespace
}  // namespace bessd::control
