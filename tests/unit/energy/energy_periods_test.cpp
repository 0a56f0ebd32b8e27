// Energy per calendar period (docs/api.md "GET /v1/energy").
#include <gtest/gtest.h>

#include <bessd/energy/energy_periods.hpp>

namespace bessd::energy {
namespace {

Date d(const char* text) {
  return *parse_date(text);
}

DayEnergy day(const char* text, double charged_kwh, double measured_s = 86400.0) {
  DayEnergy e{d(text), {}};
  e.increase.battery_charged_kwh = charged_kwh;
  e.increase.measured_s = measured_s;
  return e;
}

TEST(EnergyPeriods, WeeksBeginOnMondayMonthsAndYearsOnTheFirst) {
  // 2026-12-05 is a Saturday.
  EXPECT_EQ(period_start(PeriodKind::week, d("2026-12-05")), d("2026-11-30"));
  EXPECT_EQ(period_start(PeriodKind::week, d("2026-11-30")), d("2026-11-30"));
  EXPECT_EQ(period_start(PeriodKind::week, d("2026-12-06")), d("2026-11-30")) << "Sunday";
  EXPECT_EQ(period_start(PeriodKind::week, d("2027-01-01")), d("2026-12-28")) << "across a year";
  EXPECT_EQ(period_start(PeriodKind::month, d("2026-12-05")), d("2026-12-01"));
  EXPECT_EQ(period_start(PeriodKind::year, d("2026-12-05")), d("2026-01-01"));
  EXPECT_EQ(next_period_start(PeriodKind::month, d("2026-12-01")), d("2027-01-01"));
  EXPECT_EQ(next_period_start(PeriodKind::month, d("2028-02-01")), d("2028-03-01"));
  EXPECT_EQ(next_period_start(PeriodKind::day, d("2028-02-28")), d("2028-02-29")) << "leap day";
  EXPECT_EQ(next_period_start(PeriodKind::year, d("2026-01-01")), d("2027-01-01"));
}

TEST(EnergyPeriods, DaysAreAddedIntoTheirPeriodsOldestFirst) {
  const std::vector<DayEnergy> days{day("2026-11-29", 1.0), day("2026-11-30", 2.0),
                                    day("2026-12-01", 3.0), day("2026-12-05", 4.0, 3600.0)};
  const auto weeks = energy_by_period(days, PeriodKind::week, d("2026-12-05"), 2);
  ASSERT_EQ(weeks.size(), 2U);
  EXPECT_EQ(weeks[0].start, d("2026-11-23"));
  EXPECT_EQ(weeks[0].end, d("2026-11-30"));
  EXPECT_DOUBLE_EQ(weeks[0].increase.battery_charged_kwh, 1.0);
  EXPECT_EQ(weeks[0].days_with_data, 1);
  EXPECT_EQ(weeks[1].start, d("2026-11-30"));
  EXPECT_DOUBLE_EQ(weeks[1].increase.battery_charged_kwh, 9.0);
  EXPECT_DOUBLE_EQ(weeks[1].increase.measured_s, 2 * 86400.0 + 3600.0);
  EXPECT_EQ(weeks[1].days_with_data, 3);

  const auto months = energy_by_period(days, PeriodKind::month, d("2026-12-05"), 3);
  ASSERT_EQ(months.size(), 3U);
  EXPECT_EQ(months[0].start, d("2026-10-01"));
  EXPECT_EQ(months[0].days_with_data, 0) << "a period bessd did not run in";
  EXPECT_DOUBLE_EQ(months[1].increase.battery_charged_kwh, 3.0);
  EXPECT_DOUBLE_EQ(months[2].increase.battery_charged_kwh, 7.0);
}

TEST(EnergyPeriods, DaysOutsideTheRangeAreLeftOut) {
  const std::vector<DayEnergy> days{day("2026-12-03", 1.0), day("2026-12-04", 2.0),
                                    day("2026-12-06", 8.0)};  // a clock set back since
  const auto out = energy_by_period(days, PeriodKind::day, d("2026-12-05"), 2);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].start, d("2026-12-04"));
  EXPECT_DOUBLE_EQ(out[0].increase.battery_charged_kwh, 2.0);
  EXPECT_EQ(out[1].days_with_data, 0);
  EXPECT_TRUE(energy_by_period(days, PeriodKind::day, d("2026-12-05"), 0).empty());
  const auto years = energy_by_period(days, PeriodKind::year, d("2026-12-05"), 2);
  EXPECT_EQ(years[0].start, d("2025-01-01"));
  EXPECT_DOUBLE_EQ(years[1].increase.battery_charged_kwh, 3.0);
}

TEST(EnergyPeriods, TheIncreaseBetweenTwoSavesCountsEachCounter) {
  EnergyTotals before;
  before.battery_charged_kwh = 10.0;
  before.grid_import_kwh = 5.0;
  before.measured_s = 100.0;
  EnergyTotals after = before;
  after.battery_charged_kwh = 10.5;
  after.grid_import_kwh = 5.25;
  after.measured_s = 110.0;
  after.pv_measured_s = 10.0;
  const auto inc = increase_between(before, after);
  EXPECT_DOUBLE_EQ(inc.battery_charged_kwh, 0.5);
  EXPECT_DOUBLE_EQ(inc.grid_import_kwh, 0.25);
  EXPECT_DOUBLE_EQ(inc.measured_s, 10.0);
  EXPECT_DOUBLE_EQ(inc.pv_measured_s, 10.0);
  EXPECT_DOUBLE_EQ(inc.house_kwh, 0.0);
  // Counters that start again from 0 (a new store) count from there, never negative.
  EnergyTotals reset;
  reset.battery_charged_kwh = 0.2;
  EXPECT_DOUBLE_EQ(increase_between(after, reset).battery_charged_kwh, 0.2);
  EXPECT_DOUBLE_EQ(plus(inc, inc).grid_import_kwh, 0.5);
}

// The day status shows: each save adds to the running day; the first save of a new day (or the
// first at all) starts it from that save's increase alone.
TEST(EnergyPeriods, TheRunningDayAddsEachSaveAndStartsAgainAtMidnight) {
  const auto first = add_to_day(std::nullopt, d("2026-12-05"), day("2026-12-05", 0.5).increase);
  EXPECT_EQ(first, day("2026-12-05", 0.5));
  const auto second = add_to_day(first, d("2026-12-05"), day("2026-12-05", 0.25, 10).increase);
  EXPECT_EQ(second.day, d("2026-12-05"));
  EXPECT_DOUBLE_EQ(second.increase.battery_charged_kwh, 0.75);
  EXPECT_DOUBLE_EQ(second.increase.measured_s, 86410.0);
  const auto next = add_to_day(second, d("2026-12-06"), day("2026-12-06", 0.1, 10).increase);
  EXPECT_EQ(next, day("2026-12-06", 0.1, 10));
}

TEST(EnergyPeriods, PeriodNamesRoundTrip) {
  for (const auto k : {PeriodKind::day, PeriodKind::week, PeriodKind::month, PeriodKind::year})
    EXPECT_EQ(parse_period_kind(to_string(k)), k);
  EXPECT_FALSE(parse_period_kind("days"));
  EXPECT_FALSE(parse_period_kind(""));
}

}  // namespace
}  // namespace bessd::energy
