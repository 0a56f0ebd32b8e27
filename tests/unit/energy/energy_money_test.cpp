// Money at flat prices (docs/api.md "GET /v1/energy").
#include <gtest/gtest.h>

#include <bessd/energy/energy_money.hpp>

namespace bessd::energy {
namespace {

TEST(EnergyMoney, GridCostExportIncomeAndTheBatterysSaving) {
  EnergyTotals t;
  t.battery_charged_kwh = 4.0;
  t.battery_discharged_kwh = 3.5;
  t.grid_import_kwh = 10.0;
  t.grid_export_kwh = 2.0;
  t.measured_s = 86400.0;
  t.grid_measured_s = 86400.0;
  const FlatPrices p{"GBP", 0.25, 0.15};
  const auto m = money_of(t, p);
  ASSERT_TRUE(m.grid_cost && m.export_income && m.battery_saving);
  EXPECT_DOUBLE_EQ(*m.grid_cost, 2.5);
  EXPECT_DOUBLE_EQ(*m.export_income, 0.3);
  // 3.5 kWh not bought at 0.25, 4 kWh not sold at 0.15.
  EXPECT_DOUBLE_EQ(*m.battery_saving, 3.5 * 0.25 - 4.0 * 0.15);
}

TEST(EnergyMoney, WhatWasNotMeasuredHasNoFigure) {
  EnergyTotals t;
  t.battery_discharged_kwh = 1.0;
  t.measured_s = 600.0;
  const auto m = money_of(t, FlatPrices{"EUR", 0.3, 0.0});
  EXPECT_FALSE(m.grid_cost) << "no grid reading: no cost, not 0";
  EXPECT_FALSE(m.export_income);
  ASSERT_TRUE(m.battery_saving);
  EXPECT_DOUBLE_EQ(*m.battery_saving, 0.3);
  EXPECT_FALSE(money_of(EnergyTotals{}, FlatPrices{"EUR", 0.3, 0.0}).battery_saving)
      << "a period bessd did not run in";
}

}  // namespace
}  // namespace bessd::energy
