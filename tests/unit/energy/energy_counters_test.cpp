// Energy counters (docs/architecture.md, `energy`): integrated from measured power, never
// guessed over a gap, every counter only growing.
#include <gtest/gtest.h>

#include <bessd/energy/energy_counters.hpp>

namespace bessd::energy {
namespace {

using std::chrono::seconds;

PowerSample at(int s, std::optional<double> battery, std::optional<double> grid = std::nullopt) {
  PowerSample p;
  p.at = TimePoint{} + seconds{s};
  p.battery_w = battery;
  p.grid_w = grid;
  return p;
}

TEST(EnergyCounters, ASteadyChargeForAnHourIsItsPowerInKwh) {
  EnergyCounters c;
  for (int s = 0; s <= 3600; s += 5) c.add(at(s, 1000.0, 250.0));
  EXPECT_NEAR(c.totals().battery_charged_kwh, 1.0, 1e-9);
  EXPECT_NEAR(c.totals().grid_import_kwh, 0.25, 1e-9);
  EXPECT_DOUBLE_EQ(c.totals().battery_discharged_kwh, 0.0);
  EXPECT_DOUBLE_EQ(c.totals().measured_s, 3600.0);
}

// A site without a grid or PV reading: those flows are unknown, not 0 kWh; a reading of 0 W is.
TEST(EnergyCounters, AFlowNeverReadIsUnknownAndOneReadAtZeroIsNot) {
  EnergyCounters c;
  for (int s = 0; s <= 60; s += 5) c.add(at(s, -500.0));
  EXPECT_FALSE(c.totals().grid_known());
  EXPECT_FALSE(c.totals().pv_known());
  EXPECT_FALSE(c.totals().house_known());
  for (int s = 65; s <= 120; s += 5) c.add(at(s, -500.0, 0.0));
  EXPECT_TRUE(c.totals().grid_known());
  EXPECT_DOUBLE_EQ(c.totals().grid_measured_s, 55.0);
  EXPECT_DOUBLE_EQ(c.totals().grid_import_kwh, 0.0);
}

TEST(EnergyCounters, ASignChangeBetweenSamplesIsSplitNotNetted) {
  EnergyCounters c;
  c.add(at(0, 1000.0));
  c.add(at(2, -1000.0));  // crosses zero at 1 s: 1000 W x 1 s / 2 each way
  EXPECT_NEAR(c.totals().battery_charged_kwh, 1000.0 * 1.0 / 2.0 / 3.6e6, 1e-12);
  EXPECT_NEAR(c.totals().battery_discharged_kwh, 1000.0 * 1.0 / 2.0 / 3.6e6, 1e-12);
}

TEST(EnergyCounters, AGapIsNotGuessedAt) {
  EnergyCounters c(seconds{10});
  c.add(at(0, -2000.0));
  c.add(at(5, -2000.0));
  c.add(at(605, -2000.0));  // the daemon was down for 10 min
  c.add(at(610, -2000.0));
  EXPECT_NEAR(c.totals().battery_discharged_kwh, 2000.0 * 10.0 / 3.6e6, 1e-12);
  EXPECT_DOUBLE_EQ(c.totals().unmeasured_s, 600.0);
  EXPECT_DOUBLE_EQ(c.totals().measured_s, 10.0);
}

TEST(EnergyCounters, AMissingReadingSkipsThatFlowOnly) {
  EnergyCounters c;
  c.add(at(0, 1000.0, 100.0));
  c.add(at(10, 1000.0, std::nullopt));
  c.add(at(20, 1000.0, 100.0));
  EXPECT_NEAR(c.totals().battery_charged_kwh, 1000.0 * 20.0 / 3.6e6, 1e-12);
  EXPECT_DOUBLE_EQ(c.totals().grid_import_kwh, 0.0);
}

TEST(EnergyCounters, CountersOnlyGrowAndContinueFromTheStoredTotals) {
  EnergyTotals stored;
  stored.pv_kwh = 12.5;
  EnergyCounters c(seconds{10}, stored);
  PowerSample a;
  a.pv_w = 0.0;
  PowerSample b = a;
  b.at = TimePoint{} + seconds{1};
  b.pv_w = -3.0;  // a sensor offset at night
  c.add(a);
  c.add(b);
  EXPECT_DOUBLE_EQ(c.totals().pv_kwh, 12.5);
  c.add(at(0, 500.0));  // older than the last: ignored
  EXPECT_DOUBLE_EQ(c.totals().battery_charged_kwh, 0.0);
}

}  // namespace
}  // namespace bessd::energy
