// One rule for the site's flows, shared by the status and the energy counters.
#include <gtest/gtest.h>

#include <bessd/energy/site_flows.hpp>

namespace bessd::energy {
namespace {

TEST(SiteFlows, TheInvertersBatteryReadingComesFirstAndTheHouseIsTheBalance) {
  const SiteFlows f = site_flows(500.0, 3000.0, 1500.0, 1400.0);
  EXPECT_EQ(f.battery_w, 1500.0);
  EXPECT_EQ(f.battery_from, BatteryReading::inverter);
  EXPECT_EQ(f.house_w, 500.0 + 3000.0 - 1500.0);
}

TEST(SiteFlows, WithoutTheInvertersReadingTheBmsStandsInAndNothingIsGuessed) {
  const SiteFlows f = site_flows(std::nullopt, 0.0, std::nullopt, -800.0);
  EXPECT_EQ(f.battery_w, -800.0);
  EXPECT_EQ(f.battery_from, BatteryReading::bms);
  EXPECT_FALSE(f.house_w) << "no grid reading, no house";
  const SiteFlows none = site_flows(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(none.battery_from, BatteryReading::none);
  EXPECT_FALSE(none.battery_w);
}

}  // namespace
}  // namespace bessd::energy
