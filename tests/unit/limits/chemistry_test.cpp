#include <gtest/gtest.h>

#include <bessd/limits/breakpoints.hpp>
#include <bessd/limits/chemistry.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::limits {
namespace {

using config::Chemistry;

TEST(Chemistry, DefaultsOfStandardsTable41) {
  struct Row {
    Chemistry c;
    double max_v;
    double min_v;
  };
  for (const Row& r : {Row{Chemistry::LFP, 3.65, 2.50}, Row{Chemistry::NMC, 4.20, 2.50},
                       Row{Chemistry::NCA, 4.20, 2.50}, Row{Chemistry::LiPo, 4.20, 3.00},
                       Row{Chemistry::LiHV, 4.35, 3.00}}) {
    const auto& d = chemistry_defaults(r.c);
    EXPECT_DOUBLE_EQ(d.cell_voltage_max_v, r.max_v) << config::to_string(r.c);
    EXPECT_DOUBLE_EQ(d.cell_voltage_min_v, r.min_v) << config::to_string(r.c);
    EXPECT_DOUBLE_EQ(d.charge_temperature_min_c, 0.0);
    EXPECT_DOUBLE_EQ(d.charge_temperature_max_c, 45.0);
    EXPECT_DOUBLE_EQ(d.discharge_temperature_min_c, -20.0);
    EXPECT_DOUBLE_EQ(d.discharge_temperature_max_c, 60.0);
    EXPECT_TRUE(is_valid_factor_table(d.charge_taper_rel_max));
    EXPECT_TRUE(is_valid_factor_table(d.discharge_taper_rel_min));
    EXPECT_TRUE(is_valid_factor_table(d.charge_temperature_c));
    EXPECT_TRUE(is_valid_factor_table(d.discharge_temperature_c));
  }
}

TEST(Chemistry, LfpRelativeTaperReproducesTheProtectionTable) {
  const auto& d = chemistry_defaults(Chemistry::LFP);
  struct Row {
    double v;
    double charge;
  };
  for (const Row& r :
       {Row{3.30, 1.0}, Row{3.42, 1.0}, Row{3.48, 0.5}, Row{3.53, 0.1}, Row{3.56, 0.0}}) {
    EXPECT_NEAR(interpolate(d.charge_taper_rel_max, r.v - 3.65), r.charge, 1e-9) << r.v;
  }
  for (const Row& r : {Row{3.10, 1.0}, Row{2.90, 0.5}, Row{2.80, 0.1}, Row{2.70, 0.0}}) {
    EXPECT_NEAR(interpolate(d.discharge_taper_rel_min, r.v - 2.50), r.charge, 1e-9) << r.v;
  }
}

TEST(Chemistry, TemperatureTablesOfTheProtectionPolicy) {
  const auto& d = chemistry_defaults(Chemistry::LFP);
  struct Row {
    double t;
    double charge;
    double discharge;
  };
  // docs/protection.md: a room-temperature pack gets full power.
  for (const Row& r :
       {Row{-20, 0, 0}, Row{0, 0, 0.2}, Row{2, 0.1, 0.24}, Row{5, 0.25, 0.3}, Row{10, 0.5, 0.4},
        Row{15, 1, 1}, Row{19, 1, 1}, Row{20, 1, 1}, Row{35, 1, 1}, Row{40, 1, 1}, Row{45, 0.4, 1},
        Row{50, 0, 0.5}, Row{55, 0, 0}}) {
    EXPECT_NEAR(interpolate(d.charge_temperature_c, r.t), r.charge, 1e-9) << r.t;
    EXPECT_NEAR(interpolate(d.discharge_temperature_c, r.t), r.discharge, 1e-9) << r.t;
  }
}

TEST(Settings, PackOverridesWinOverChemistry) {
  config::Config cfg;
  cfg.battery.chemistry = Chemistry::NMC;
  cfg.battery.cell_voltage_max_v = 4.10;
  cfg.battery.charge_temperature_min_c = 5.0;
  cfg.limits.charge_temperature_c = {{0.0, 0.0}, {30.0, 1.0}};
  cfg.limits.discharge_temperature_c = {{5.0, 1.0}, {0.0, 0.0}};  // invalid: default kept
  const auto s = LimitsSettings::from_config(cfg);
  EXPECT_DOUBLE_EQ(s.cell_voltage_max_v, 4.10);
  EXPECT_DOUBLE_EQ(s.cell_voltage_min_v, 2.50);
  EXPECT_DOUBLE_EQ(s.cell_voltage_practical_min_v, 3.00);
  EXPECT_DOUBLE_EQ(s.charge_temperature_min_c, 5.0);
  EXPECT_EQ(s.charge_temperature_c, cfg.limits.charge_temperature_c);
  EXPECT_EQ(s.discharge_temperature_c, chemistry_defaults(Chemistry::NMC).discharge_temperature_c);
  EXPECT_EQ(s.stale_after, std::chrono::milliseconds{3000});
  EXPECT_EQ(s.lost_after, std::chrono::milliseconds{5000});
  EXPECT_EQ(s.hysteresis_hold, std::chrono::seconds{30});
}

}  // namespace
}  // namespace bessd::limits
