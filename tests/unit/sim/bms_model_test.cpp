#include <bessd/sim/bms_model.hpp>

#include <gtest/gtest.h>

namespace bessd::sim {
namespace {

using core::BmsCondition;
using core::FlagState;

PackParams pack_at(double soc) {
  PackParams p;
  p.series_cells = 15;
  p.capacity_ah = 100;
  p.initial_soc_pct = soc;
  return p;
}

TEST(BmsModel, NormalPackReportsFullLimitsAndOkFlags) {
  PackModel pack(pack_at(50));
  BmsModel bms({});
  const auto s = bms.report(pack);
  EXPECT_DOUBLE_EQ(*s.limits.charge_current_limit_a, 50.0);  // warm, mid SOC: rated
  EXPECT_DOUBLE_EQ(*s.limits.discharge_current_limit_a, 50.0);
  EXPECT_DOUBLE_EQ(*s.limits.charge_voltage_limit_v, 53.3);  // 15 × 3.55 rounded to 0.1 V
  EXPECT_EQ(s.protections.get(BmsCondition::cell_over_voltage), FlagState::ok);
  EXPECT_FALSE(s.protections.any_active());
  EXPECT_TRUE(*s.requests.charge_enable);
  EXPECT_TRUE(*s.requests.discharge_enable);
  EXPECT_DOUBLE_EQ(*s.soc_pct, 50.0);
}

TEST(BmsModel, TapersChargeNearFullAndDischargeNearEmpty) {
  BmsModel bms({});
  PackModel full(pack_at(98));
  PackModel empty(pack_at(4));
  EXPECT_LT(*bms.report(full).limits.charge_current_limit_a, 25.0);
  EXPECT_LT(*bms.report(empty).limits.discharge_current_limit_a, 20.0);
}

TEST(BmsModel, ColdBlocksCharging) {
  PackModel pack(pack_at(50));
  pack.set_temperature_c(-5);
  pack.step(0, 0.001);
  BmsModel bms({});
  const auto s = bms.report(pack);
  EXPECT_EQ(*s.limits.charge_current_limit_a, 0.0);
  EXPECT_FALSE(*s.requests.charge_enable);
  EXPECT_EQ(s.warnings.get(BmsCondition::under_temperature), FlagState::active);
}

TEST(BmsModel, InjectedFaultsTripProtections) {
  PackModel pack(pack_at(50));
  BmsModel bms({});
  bms.overrides().force_over_temperature = true;
  auto s = bms.report(pack);
  EXPECT_EQ(s.protections.get(BmsCondition::over_temperature), FlagState::active);
  EXPECT_EQ(*s.limits.charge_current_limit_a, 0.0);
  EXPECT_EQ(*s.limits.discharge_current_limit_a, 0.0);
  bms.overrides() = {};
  bms.overrides().force_cell_over_voltage = true;
  s = bms.report(pack);
  EXPECT_EQ(s.protections.get(BmsCondition::cell_over_voltage), FlagState::active);
  EXPECT_EQ(*s.limits.charge_current_limit_a, 0.0);
  EXPECT_GT(*s.limits.discharge_current_limit_a, 0.0);
}

TEST(BmsModel, AdmitsCurrentWithinItsLimits) {
  PackModel pack(pack_at(50));
  BmsModel bms({});
  EXPECT_NEAR(bms.admit_current_a(pack, 200.0), 52.5, 1e-9);
  EXPECT_NEAR(bms.admit_current_a(pack, -10.0), -10.0, 1e-9);
}

}  // namespace
}  // namespace bessd::sim
