#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <bessd/control/lifetime_tracker.hpp>

namespace bessd::control {
namespace {

using std::chrono::seconds;

core::PackState pack(TimePoint at, double v, double i, double soc, double tmin = 25,
                     double tmax = 25) {
  core::PackState p;
  p.measured_at = at;
  p.voltage_v = v;
  p.current_a = i;
  p.soc_pct = soc;
  p.cell_temperature_min_c = tmin;
  p.cell_temperature_max_c = tmax;
  return p;
}

TEST(LifetimeTracker, ThroughputCyclesAndProvenance) {
  LifetimeSettings s;
  s.capacity_ah = 100.0;
  LifetimeTracker tr(s);
  TimePoint t{};
  // One hour at +50 A / 50 V, then one hour at -50 A / 50 V (1 s samples).
  for (int i = 0; i <= 3600; ++i) tr.update(pack(t + seconds{i}, 50.0, 50.0, 50.0));
  for (int i = 3601; i <= 7201; ++i) tr.update(pack(t + seconds{i}, 50.0, -50.0, 50.0));
  const auto d = tr.data();
  EXPECT_NEAR(*d.capacity_charged_ah.value, 50.0, 0.05);
  EXPECT_NEAR(*d.capacity_discharged_ah.value, 50.0, 0.05);
  EXPECT_NEAR(*d.energy_charged_kwh.value, 2.5, 0.01);
  EXPECT_EQ(d.energy_charged_kwh.provenance, Provenance::derived);
  EXPECT_NEAR(*d.full_equivalent_cycles.value, 0.5, 0.001);
  EXPECT_FALSE(d.soh_pct.value.has_value());
  EXPECT_FALSE(d.round_trip_efficiency_pct.value.has_value());  // < 1 cycle
}

TEST(LifetimeTracker, BmsCountersWinAndAreMarked) {
  LifetimeTracker tr(LifetimeSettings{});
  auto p = pack(TimePoint{}, 50, 0, 50);
  p.energy_charged_kwh = 1234.0;
  p.soh_pct = 92.0;
  p.capacity_ah = 100.0;
  tr.update(p);
  const auto d = tr.data();
  EXPECT_EQ(d.energy_charged_kwh.provenance, Provenance::reported_by_bms);
  EXPECT_DOUBLE_EQ(*d.energy_charged_kwh.value, 1234.0);
  EXPECT_EQ(d.soh_pct.provenance, Provenance::reported_by_bms);
  EXPECT_DOUBLE_EQ(*d.remaining_capacity_ah.value, 92.0);
  EXPECT_EQ(d.remaining_capacity_ah.provenance, Provenance::derived);
}

TEST(LifetimeTracker, DeepDischargesCountedOncePerEvent) {
  LifetimeTracker tr(LifetimeSettings{});
  TimePoint t{};
  int i = 0;
  for (double soc : {50.0, 6.0, 5.0, 4.0, 5.0, 3.0, 15.0, 4.0, 25.0, 4.5, 60.0})
    tr.update(pack(t + seconds{i++}, 50, 0, soc));
  // 5.0 (first), then 4.0 after only 15 % is the same event, re-armed at 25, then 4.5.
  EXPECT_DOUBLE_EQ(*tr.data().deep_discharge_count.value, 2.0);
}

TEST(LifetimeTracker, ExtremeTemperatureTime) {
  LifetimeTracker tr(LifetimeSettings{});
  TimePoint t{};
  for (int i = 0; i <= 100; ++i)
    tr.update(pack(t + seconds{i}, 50, i < 50 ? 0.0 : 10.0, 50, -5, 10));
  const auto d = tr.data();
  EXPECT_NEAR(*d.time_in_extreme_temperature_s.value, 100.0, 1e-9);
  EXPECT_NEAR(*d.time_charging_in_extreme_temperature_s.value, 50.0, 1.0);
}

TEST(LifetimeTracker, ResistanceFromCurrentSteps) {
  LifetimeTracker tr(LifetimeSettings{});
  TimePoint t{};
  // R = 20 mΩ: V = 52 + 0.02·I, current steps 0 -> 50 -> 0 -> -40.
  int i = 0;
  for (double cur : {0.0, 50.0, 50.0, 0.0, -40.0, -40.0})
    tr.update(pack(t + seconds{i++}, 52.0 + 0.02 * cur, cur, 50));
  ASSERT_TRUE(tr.data().ohmic_resistance_mohm.value);
  EXPECT_NEAR(*tr.data().ohmic_resistance_mohm.value, 20.0, 1e-6);
}

TEST(LifetimeTracker, RoundTripEfficiencyAfterAFullCycle) {
  LifetimeSettings s;
  s.capacity_ah = 100.0;
  LifetimeTracker tr(s);
  TimePoint t{};
  int i = 0;
  // Charge 100 Ah at 52 V, discharge 100 Ah at 48 V; SOC back where it started.
  // (a little more than one full-equivalent cycle each way)
  for (int k = 0; k <= 3700; ++k) tr.update(pack(t + seconds{i++}, 52.0, 100.0, 50.0));
  for (int k = 0; k <= 3700; ++k) tr.update(pack(t + seconds{i++}, 48.0, -100.0, 50.0));
  const auto d = tr.data();
  ASSERT_TRUE(d.round_trip_efficiency_pct.value);
  EXPECT_NEAR(*d.round_trip_efficiency_pct.value, 48.0 / 52.0 * 100.0, 0.5);
}

TEST(LifetimeTracker, RestoresCounters) {
  LifetimeCounters c;
  c.energy_charged_kwh = 10.0;
  c.deep_discharge_count = 3;
  LifetimeTracker tr(LifetimeSettings{}, c);
  EXPECT_DOUBLE_EQ(*tr.data().energy_charged_kwh.value, 10.0);
  EXPECT_DOUBLE_EQ(*tr.data().deep_discharge_count.value, 3.0);
  EXPECT_EQ(tr.counters(), c);
}

// A name once written (a log line, a message) must keep meaning its value: the words are pinned.
TEST(ProvenanceNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kProvenanceNames),
            (std::vector<std::string_view>{"reported_by_bms", "derived"}));
  EXPECT_EQ(enum_from_name(kProvenanceNames, "reported"), std::nullopt);
  EXPECT_EQ(enum_from_name(kProvenanceNames, "bms"), std::nullopt);
}

}  // namespace
}  // namespace bessd::control
