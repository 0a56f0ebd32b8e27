// docs/api.md "GET /v1/status", power_flow: the house is what grid, PV and battery add up to,
// and every figure says where it comes from.
#include <gtest/gtest.h>

#include <bessd/api/power_flow.hpp>

namespace bessd::api {
namespace {

TEST(PowerFlow, TheHouseIsGridPlusPvLessTheBattery) {
  StatusDto s;
  s.inverter.grid_power_w = 300.0;  // importing
  s.inverter.pv_power_w = 2000.0;
  s.inverter.battery_power_w = 1200.0;  // charging
  const PowerFlow f = power_flow(s);
  ASSERT_TRUE(f.house_w);
  EXPECT_DOUBLE_EQ(*f.house_w, 1100.0);
  EXPECT_EQ(f.grid_source, "inverter");
  EXPECT_EQ(f.battery_source, "inverter");
}

TEST(PowerFlow, WithoutTheInvertersBatteryReadingTheBmsStandsIn) {
  StatusDto s;
  s.inverter.grid_power_w = -500.0;  // exporting
  s.inverter.pv_power_w = 0.0;
  s.pack.voltage_v = 50.0;
  s.pack.current_a = -20.0;  // discharging 1 kW
  const PowerFlow f = power_flow(s);
  EXPECT_EQ(f.battery_source, "bms");
  ASSERT_TRUE(f.battery_w);
  EXPECT_DOUBLE_EQ(*f.battery_w, -1000.0);
  EXPECT_DOUBLE_EQ(*f.house_w, 500.0);
}

TEST(PowerFlow, AMissingFigureLeavesTheHouseUnknown) {
  StatusDto s;
  s.inverter.battery_power_w = 100.0;
  s.inverter.grid_power_w = 100.0;  // no PV reading
  const PowerFlow f = power_flow(s);
  EXPECT_FALSE(f.house_w);
  EXPECT_TRUE(f.pv_source.empty());
}

}  // namespace
}  // namespace bessd::api
