// A battery reading the profile says is taken at the battery is checked against the BMS's
// (red team 26m N3: a GX whose battery monitor is the Multi reports the Multi's own power).
#include <gtest/gtest.h>

#include <bessd/control/battery_reading_check.hpp>

#include "harness.hpp"

namespace bessd::control {
namespace {

using std::chrono::seconds;

TEST(BatteryReadingCheck, AReadingThatStaysApartFromTheBmsIsNotAtTheBattery) {
  BatteryReadingCheck c(200.0);
  TimePoint t{};
  EXPECT_TRUE(c.at_battery()) << "until seen otherwise";
  // A ramp sampled at different moments: apart by less than a tenth, never counted.
  for (int i = 0; i < 60; ++i) EXPECT_FALSE(c.update(-2000.0, -2150.0, t += seconds{1}));
  EXPECT_TRUE(c.at_battery());
  // The Multi's own 0 W while a 1 kW DC load draws from the pack: apart for 30 s.
  for (int i = 0; i < 30; ++i) EXPECT_FALSE(c.update(0.0, -1000.0, t += seconds{1})) << i;
  EXPECT_TRUE(c.at_battery());
  EXPECT_TRUE(c.update(0.0, -1000.0, t += seconds{1}));
  EXPECT_FALSE(c.at_battery());
  EXPECT_DOUBLE_EQ(c.apart_w(), 1000.0);
  // A gap in either reading keeps the verdict; agreeing again for 30 s clears it.
  EXPECT_FALSE(c.update(std::nullopt, -1000.0, t += seconds{1}));
  EXPECT_FALSE(c.at_battery());
  for (int i = 0; i < 29; ++i) EXPECT_FALSE(c.update(-500.0, -520.0, t += seconds{1}));
  EXPECT_FALSE(c.update(0.0, -1000.0, t += seconds{1})) << "apart again: the wait starts over";
  for (int i = 0; i < 31; ++i) c.update(-500.0, -520.0, t += seconds{1});
  EXPECT_TRUE(c.at_battery());
}

// In the controller: a GX profile whose reading turns out not to be at the battery is said, and
// the target is then no longer taken for the battery's own power.
TEST(BatteryReadingCheck, TheControllerSaysSoAndStopsTakingTheTargetAtTheBattery) {
  bessd::testing::Harness h;
  h.start(config::OperatingMode::manual, -500.0);
  const double volts = h.measure_at_battery();
  h.in.snapshot.inverter.battery_power_includes_dc_loads = true;
  h.in.snapshot.inverter.target_at_battery = true;
  bool raised = false;
  int steps = 0;
  for (; steps < 80 && !raised; ++steps) {
    h.in.snapshot.inverter.battery_power_w = -500.0;  // the Multi's own DC power
    h.in.snapshot.pack.current_a = -1500.0 / volts;   // and a 1 kW DC load it does not see
    h.step();
    raised = h.has_event("inverter.reading_not_at_battery", core::EventEdge::raised);
  }
  ASSERT_TRUE(raised);
  EXPECT_GE(steps, 30) << "only after the reading has stayed apart for 30 s";
}

}  // namespace
}  // namespace bessd::control
