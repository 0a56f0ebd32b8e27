// What one moment's flows are made of (docs/api.md "Energy counters"): fresh readings only, the
// inverter's battery reading first, the house from the other three.
#include <gtest/gtest.h>

#include <bessd/energy/power_sample.hpp>

namespace bessd::energy {
namespace {

using std::chrono::seconds;

struct Readings {
  TimePoint now = TimePoint{} + seconds{1000};
  core::PackState pack;
  core::InverterState inverter;
  Readings() {
    pack.voltage_v = 50.0;
    pack.current_a = -20.0;  // 1 kW discharge measured at the BMS
    pack.measured_at = now - seconds{1};
    inverter.online = true;
    inverter.read_at = now - seconds{2};
    inverter.battery_power_w = -900.0;
    inverter.grid_power_w = 300.0;
    inverter.pv_power_w = 1200.0;
  }
  PowerSample sample() const { return power_sample(pack, inverter, now, seconds{10}); }
};

TEST(PowerSample, TheInverterFirstAndTheHouseFromTheRest) {
  Readings r;
  const auto s = r.sample();
  EXPECT_EQ(s.at, r.now);
  EXPECT_EQ(s.battery_w, -900.0);
  EXPECT_EQ(s.grid_w, 300.0);
  EXPECT_EQ(s.pv_w, 1200.0);
  ASSERT_TRUE(s.house_w);
  EXPECT_DOUBLE_EQ(*s.house_w, 300.0 + 1200.0 + 900.0);
}

TEST(PowerSample, WithoutAnInverterReadingTheBmsGivesTheBattery) {
  Readings r;
  r.inverter.battery_power_w.reset();
  const auto s = r.sample();
  EXPECT_EQ(s.battery_w, -1000.0);
  EXPECT_DOUBLE_EQ(*s.house_w, 300.0 + 1200.0 + 1000.0);
}

TEST(PowerSample, StaleOrOfflineReadingsAreLeftOut) {
  Readings r;
  r.inverter.read_at = r.now - seconds{11};
  auto s = r.sample();
  EXPECT_FALSE(s.grid_w);
  EXPECT_FALSE(s.pv_w);
  EXPECT_FALSE(s.house_w);
  EXPECT_EQ(s.battery_w, -1000.0) << "the BMS still measures";
  r.inverter.read_at = r.now;
  r.inverter.online = false;
  EXPECT_FALSE(r.sample().grid_w);
  r.pack.measured_at = r.now - seconds{30};
  EXPECT_FALSE(r.sample().battery_w);
  r.pack.measured_at = r.now + seconds{5};  // from a clock ahead: not trusted
  EXPECT_FALSE(r.sample().battery_w);
}

}  // namespace
}  // namespace bessd::energy
