// The energy counters between runs (docs/api.md "Energy counters"): what is stored is what comes
// back, and a damaged row never makes a counter go backwards from a wrong figure.
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/app/energy_records.hpp>

namespace bessd::app {
namespace {

using std::chrono::milliseconds;

TEST(EnergyRecords, WhatIsStoredComesBack) {
  energy::EnergyTotals t;
  t.battery_charged_kwh = 12.345678;
  t.battery_discharged_kwh = 11.0;
  t.grid_import_kwh = 3.5;
  t.grid_export_kwh = 7.25;
  t.pv_kwh = 20.0;
  t.house_kwh = 16.125;
  t.measured_s = 86'000.0;
  t.unmeasured_s = 400.0;
  t.grid_measured_s = 85'000.0;
  t.pv_measured_s = 84'000.0;
  t.house_measured_s = 83'000.0;
  const WallTime since = WallTime{} + milliseconds{1'764'547'200'123};
  const WallTime now = since + std::chrono::hours{24};
  const auto rows = energy_records(t, since, now);
  EXPECT_EQ(rows.size(), 12u);
  for (const auto& r : rows) EXPECT_EQ(r.updated_at, now) << r.key;
  const auto back = stored_energy(rows);
  EXPECT_EQ(back.totals, t);
  ASSERT_TRUE(back.since);
  EXPECT_EQ(*back.since, since);
}

TEST(EnergyRecords, OtherCountersAndDamagedRowsAreLeftAside) {
  std::vector<storage::LifetimeCounter> rows = {
      {"energy_charged_kwh", 99.0, storage::CounterOrigin::derived, {}},  // the pack's lifetime
      {"flow_pv_kwh", -5.0, storage::CounterOrigin::derived, {}},
      {"flow_house_kwh", std::numeric_limits<double>::quiet_NaN(), {}, {}},
      {"flow_grid_import_kwh", 4.0, storage::CounterOrigin::derived, {}},
  };
  const auto back = stored_energy(rows);
  EXPECT_EQ(back.totals.pv_kwh, 0.0);
  EXPECT_EQ(back.totals.house_kwh, 0.0);
  EXPECT_EQ(back.totals.grid_import_kwh, 4.0);
  EXPECT_EQ(back.totals.battery_charged_kwh, 0.0);
  EXPECT_FALSE(back.since) << "never counted here: counting begins now";
}

}  // namespace
}  // namespace bessd::app

namespace bessd::app {
namespace {

TEST(EnergyRecords, TheTimeOfTheLastSaveComesBack) {
  const WallTime since = WallTime{} + std::chrono::hours{480'000};
  const auto rows = energy_records({}, since, since + std::chrono::minutes{5});
  const auto back = stored_energy(rows);
  ASSERT_TRUE(back.saved_at);
  EXPECT_EQ(*back.saved_at, since + std::chrono::minutes{5});
}

}  // namespace
}  // namespace bessd::app

namespace bessd::app {
namespace {

TEST(LifetimeRecords, WhatIsStoredComesBack) {
  control::LifetimeCounters c;
  c.energy_charged_kwh = 1234.5;
  c.energy_discharged_kwh = 1100.25;
  c.capacity_charged_ah = 24'000.0;
  c.capacity_discharged_ah = 22'000.0;
  c.deep_discharge_count = 7;
  c.time_in_extreme_temperature_s = 7200.0;
  c.time_charging_in_extreme_temperature_s = 600.0;
  c.ohmic_resistance_ohm = 0.0123;
  c.deep_discharge_armed = false;  // the pack is still below the deep-discharge SOC
  c.first_soc_pct = 37.5;
  const auto rows = lifetime_records(c, WallTime{} + std::chrono::hours{480'000});
  EXPECT_EQ(rows.size(), 10u);
  EXPECT_EQ(stored_lifetime(rows), c);
}

// Red team: a gateway that restarts while the pack is still nearly empty must not count the same
// deep discharge again at every start.
TEST(LifetimeRecords, ARestartBelowTheDeepDischargeSocCountsNoNewDischarge) {
  control::LifetimeSettings settings;
  control::LifetimeTracker before(settings);
  core::PackState pack;
  pack.soc_pct = 4.0;
  pack.voltage_v = 48.0;
  pack.current_a = -2.0;
  pack.measured_at = TimePoint{} + std::chrono::hours{1};
  before.update(pack);
  ASSERT_EQ(before.counters().deep_discharge_count, 1);
  const auto rows = lifetime_records(before.counters(), WallTime{});
  control::LifetimeTracker after(settings, stored_lifetime(rows));
  pack.measured_at = TimePoint{} + std::chrono::minutes{1};  // steady time starts again
  after.update(pack);
  EXPECT_EQ(after.counters().deep_discharge_count, 1);
}

TEST(LifetimeRecords, AnOlderDatabaseWithoutTheArmedRowStartsArmed) {
  const std::vector<storage::LifetimeCounter> rows{
      {"deep_discharge_count", 2.0, storage::CounterOrigin::derived, WallTime{}}};
  EXPECT_TRUE(stored_lifetime(rows).deep_discharge_armed);
  EXPECT_FALSE(stored_lifetime(rows).first_soc_pct);
}

TEST(LifetimeRecords, AnUnmeasuredResistanceIsNoRowAndDamagedRowsAreSkipped) {
  const auto rows = lifetime_records({}, WallTime{});
  for (const auto& r : rows) EXPECT_NE(r.key, "ohmic_resistance_ohm");
  EXPECT_FALSE(stored_lifetime(rows).ohmic_resistance_ohm);
  const std::vector<storage::LifetimeCounter> damaged{
      {"energy_charged_kwh", -5.0, storage::CounterOrigin::derived, WallTime{}},
      {"deep_discharge_count", std::numeric_limits<double>::quiet_NaN(),
       storage::CounterOrigin::derived, WallTime{}},
      {"capacity_charged_ah", 10.0, storage::CounterOrigin::derived, WallTime{}}};
  const auto back = stored_lifetime(damaged);
  EXPECT_EQ(back.energy_charged_kwh, 0.0);
  EXPECT_EQ(back.deep_discharge_count, 0);
  EXPECT_EQ(back.capacity_charged_ah, 10.0);
}

// What is left aside is named (CounterKeeper writes each one to the journal); rows of other
// parts of bessd, and sound rows, are not.
TEST(DamagedCounters, NamesEveryCounterLeftAsideAndNothingElse) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<storage::LifetimeCounter> rows{
      {"energy_charged_kwh", -5.0, storage::CounterOrigin::derived, WallTime{}},
      {"deep_discharge_count", nan, storage::CounterOrigin::derived, WallTime{}},
      {"flow_pv_kwh", std::numeric_limits<double>::infinity(), storage::CounterOrigin::derived,
       WallTime{}},
      {"first_soc_pct", 140.0, storage::CounterOrigin::derived, WallTime{}},
      {"capacity_charged_ah", 10.0, storage::CounterOrigin::derived, WallTime{}},
      {"first_soc_pct_other", -1.0, storage::CounterOrigin::derived, WallTime{}}};
  std::vector<std::string> keys;
  for (const auto& c : damaged_counters(rows)) keys.push_back(c.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"energy_charged_kwh", "deep_discharge_count",
                                            "flow_pv_kwh", "first_soc_pct"}));
  EXPECT_TRUE(damaged_counters(lifetime_records({}, WallTime{})).empty());
}

}  // namespace
}  // namespace bessd::app
