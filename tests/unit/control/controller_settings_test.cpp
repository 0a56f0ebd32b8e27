// ControllerSettings::from_config: the protection tuning keys (docs/configuration.md, `limits` and
// `inverter`) reach the controller, and their defaults follow the pack (docs/protection.md).
#include <bessd/control/controller.hpp>

#include <gtest/gtest.h>

#include <bessd/limits/limits_settings.hpp>

namespace bessd::control {
namespace {

config::Config pack_of_10_kwh() {
  config::Config cfg;
  cfg.battery.capacity_ah = 200.0;
  cfg.battery.nominal_voltage_v = 51.2;  // 10.24 kWh
  return cfg;
}

TEST(ControllerSettingsFromConfig, DefaultsFollowThePackSize) {
  const auto s = ControllerSettings::from_config(pack_of_10_kwh());
  EXPECT_NEAR(s.recovery_charge_power_w, 1024.0, 1e-6);  // 0.1 C
  EXPECT_NEAR(s.obey.standby_tolerance_w, 204.8, 1e-6);  // 0.02 C, above the 200 W tolerance
  EXPECT_DOUBLE_EQ(s.obey.inverter_ramp_w_per_s, 200.0);
  EXPECT_DOUBLE_EQ(s.recovery_soc_margin_pct, 5.0);
  EXPECT_EQ(s.repeat_trip_count, 3);
  EXPECT_EQ(s.repeat_trip_window, std::chrono::hours{1});
}

TEST(ControllerSettingsFromConfig, ConfiguredValuesWin) {
  auto cfg = pack_of_10_kwh();
  cfg.limits.recovery_charge_power_w = 300.0;
  cfg.limits.recovery_soc_margin_pct = 2.0;
  cfg.limits.repeat_trip_count = 5;
  cfg.limits.repeat_trip_window_s = 600.0;
  cfg.inverter.standby_tolerance_w = 50.0;  // below 0.02 C: the installer measured it
  cfg.inverter.ramp_w_per_s = 1000.0;
  const auto s = ControllerSettings::from_config(cfg);
  EXPECT_DOUBLE_EQ(s.recovery_charge_power_w, 300.0);
  EXPECT_DOUBLE_EQ(s.recovery_soc_margin_pct, 2.0);
  EXPECT_EQ(s.repeat_trip_count, 5);
  EXPECT_EQ(s.repeat_trip_window, std::chrono::minutes{10});
  EXPECT_DOUBLE_EQ(s.obey.standby_tolerance_w, 50.0);
  EXPECT_DOUBLE_EQ(s.obey.inverter_ramp_w_per_s, 1000.0);
}

TEST(ControllerSettingsFromConfig, RecoveryMarginsReachTheLimits) {
  auto cfg = pack_of_10_kwh();
  cfg.limits.voltage_recovery_margin_v = 0.1;
  cfg.limits.temperature_hysteresis_c = 3.0;
  cfg.limits.soc_recovery_hysteresis_pct = 4.0;
  const auto ls = limits::LimitsSettings::from_config(cfg);
  EXPECT_DOUBLE_EQ(ls.voltage_recovery_margin_v, 0.1);
  EXPECT_DOUBLE_EQ(ls.temperature_hysteresis_c, 3.0);
  EXPECT_DOUBLE_EQ(ls.soc_recovery_hysteresis_pct, 4.0);
}

}  // namespace
}  // namespace bessd::control
