// Schedule windows (docs/schedules.md): which action holds at a local reading, and what each
// action asks of the battery.

#include <bessd/control/schedule_calendar.hpp>
#include <bessd/control/scheduled_power.hpp>

#include <gtest/gtest.h>

namespace bessd::control {
namespace {

using config::ScheduleActionKind;

config::ScheduleWindow window(std::uint8_t days, int start, int end, ScheduleActionKind kind) {
  config::ScheduleWindow w;
  w.days = days;
  w.start_minute = start;
  w.end_minute = end;
  w.action.kind = kind;
  return w;
}

config::ScheduleConfig octopus_go() {
  config::ScheduleConfig s;
  s.outside.kind = ScheduleActionKind::self_consumption;
  auto night = window(0x7f, 30, 4 * 60 + 30, ScheduleActionKind::charge);
  night.action.target_soc_pct = 90.0;
  night.action.power_w = 3000.0;
  s.windows.push_back(night);
  // Weekday evenings held for the peak; a Friday window past midnight into Saturday.
  s.windows.push_back(window(0x1f, 16 * 60, 19 * 60, ScheduleActionKind::hold));
  s.windows.push_back(window(0x10, 23 * 60, 30, ScheduleActionKind::idle));
  return s;
}

TEST(ScheduleCalendar, WindowsHoldOnTheirDaysAndPastMidnight) {
  const auto s = octopus_go();
  EXPECT_EQ(scheduled_at(s, {0, 30}).action.kind, ScheduleActionKind::charge);
  EXPECT_EQ(scheduled_at(s, {0, 30}).window, "daily 00:30–04:30");
  EXPECT_EQ(scheduled_at(s, {6, 4 * 60 + 29}).action.kind, ScheduleActionKind::charge);
  EXPECT_EQ(scheduled_at(s, {6, 4 * 60 + 30}).action.kind, ScheduleActionKind::self_consumption);
  EXPECT_TRUE(scheduled_at(s, {6, 4 * 60 + 30}).window.empty());
  EXPECT_EQ(scheduled_at(s, {2, 17 * 60}).action.kind, ScheduleActionKind::hold);
  EXPECT_EQ(scheduled_at(s, {5, 17 * 60}).action.kind, ScheduleActionKind::self_consumption);
  // Friday 23:00 to Saturday 00:30: the Saturday-morning part belongs to Friday's window.
  EXPECT_EQ(scheduled_at(s, {4, 23 * 60 + 15}).action.kind, ScheduleActionKind::idle);
  EXPECT_EQ(scheduled_at(s, {5, 10}).action.kind, ScheduleActionKind::idle);
  EXPECT_EQ(scheduled_at(s, {5, 10}).window, "Fri 23:00–00:30");
  EXPECT_EQ(scheduled_at(s, {0, 10}).action.kind, ScheduleActionKind::self_consumption);
  // A window ending at 24:00 holds to the last minute of the day.
  config::ScheduleConfig all_day;
  all_day.windows.push_back(window(0x40, 0, 24 * 60, ScheduleActionKind::hold));
  EXPECT_EQ(scheduled_at(all_day, {6, 1439}).action.kind, ScheduleActionKind::hold);
  EXPECT_EQ(scheduled_at(all_day, {0, 0}).action.kind, ScheduleActionKind::self_consumption);
}

// The local clock decides: on the 23-hour night the window 00:30–04:30 lasts 3 hours, on the
// 25-hour night 5, as the wall clock reads (the London readings are in local_time_test.cpp).
TEST(ScheduleCalendar, ANightWindowFollowsTheWallClockAcrossTheChanges) {
  const auto s = octopus_go();
  const auto zone = TimeZone::named("Europe/London");
  ASSERT_TRUE(zone) << zone.error().message;
  using namespace std::chrono;
  const auto minutes_charging = [&](sys_days day) {
    int n = 0;
    for (WallTime t = day + hours{-2}; t < day + hours{8}; t += minutes{1})
      n += scheduled_at(s, zone->reading(t)).action.kind == ScheduleActionKind::charge ? 1 : 0;
    return n;
  };
  EXPECT_EQ(minutes_charging(sys_days{year{2026} / March / 29}), 3 * 60);
  EXPECT_EQ(minutes_charging(sys_days{year{2026} / October / 25}), 5 * 60);
  EXPECT_EQ(minutes_charging(sys_days{year{2026} / December / 6}), 4 * 60);
}

ScheduledAction charge_to(double target, std::optional<double> power_w) {
  ScheduledAction a;
  a.action.kind = ScheduleActionKind::charge;
  a.action.target_soc_pct = target;
  a.action.power_w = power_w;
  a.window = "daily 00:30–04:30";
  return a;
}

TEST(ScheduledPower, ChargeRunsToItsTargetThenHoldsWithHysteresis) {
  ScheduledPowerPlanner planner;
  auto p = planner.plan(charge_to(90.0, 3000.0), 50.0, 10.0, 100.0, -400.0);
  EXPECT_DOUBLE_EQ(p.wanted_w, 3000.0);
  EXPECT_FALSE(p.follows_house);
  EXPECT_FALSE(p.up_to_envelope);
  EXPECT_DOUBLE_EQ(p.goal_pct, 90.0);
  p = planner.plan(charge_to(90.0, 3000.0), 90.0, 10.0, 100.0, -400.0);
  EXPECT_TRUE(p.done);
  EXPECT_DOUBLE_EQ(p.wanted_w, 0.0) << "held: the house is not supplied from the battery";
  // Settling back below the target does not restart the charge until the hysteresis.
  p = planner.plan(charge_to(90.0, 3000.0), 89.0, 10.0, 100.0, 500.0);
  EXPECT_TRUE(p.done);
  EXPECT_DOUBLE_EQ(p.wanted_w, 500.0) << "solar surplus may still charge";
  p = planner.plan(charge_to(90.0, 3000.0), 87.9, 10.0, 100.0, 0.0);
  EXPECT_FALSE(p.done);
  EXPECT_DOUBLE_EQ(p.wanted_w, 3000.0);
  // More sun than the window's power: stored, not exported.
  p = planner.plan(charge_to(90.0, 3000.0), 60.0, 10.0, 100.0, 4200.0);
  EXPECT_DOUBLE_EQ(p.wanted_w, 4200.0);
}

// A gateway without a real-time clock starts in 1970 after a power cut: no window is told from
// that, self-consumption runs (it buys and sells nothing on purpose).
TEST(ScheduleCalendar, AClockThatIsNotSetRunsSelfConsumption) {
  EXPECT_FALSE(clock_is_set(WallTime{} + std::chrono::hours{24}));
  EXPECT_TRUE(clock_is_set(WallTime{} + std::chrono::seconds{1'796'000'000}));
  ScheduledPowerPlanner planner;
  const auto p = planner.plan(without_clock(), 50.0, 10.0, 100.0, -700.0);
  EXPECT_DOUBLE_EQ(p.wanted_w, -700.0);
  EXPECT_TRUE(p.clock_unset);
}

TEST(ScheduledPower, TheOwnersTargetAndReserveBoundTheWindowsGoals) {
  ScheduledPowerPlanner planner;
  // The owner's charge target (80 %) is below the window's 90 %.
  auto p = planner.plan(charge_to(90.0, std::nullopt), 50.0, 10.0, 80.0, 0.0);
  EXPECT_DOUBLE_EQ(p.goal_pct, 80.0);
  EXPECT_TRUE(p.up_to_envelope);
  EXPECT_GT(p.wanted_w, 1e6);
  // A discharge floor below the reserve in force stops at the reserve.
  ScheduledAction d;
  d.action.kind = ScheduleActionKind::discharge;
  d.action.floor_soc_pct = 5.0;
  d.action.power_w = 2000.0;
  p = planner.plan(d, 60.0, 30.0, 100.0, 0.0);
  EXPECT_DOUBLE_EQ(p.goal_pct, 30.0);
  EXPECT_DOUBLE_EQ(p.wanted_w, -2000.0);
  // The house takes more than the window's power: covered from the battery, not the grid.
  EXPECT_DOUBLE_EQ(planner.plan(d, 60.0, 30.0, 100.0, -2600.0).wanted_w, -2600.0);
  p = planner.plan(d, 30.0, 30.0, 100.0, -700.0);
  EXPECT_TRUE(p.done);
  EXPECT_DOUBLE_EQ(p.wanted_w, 0.0);
}

TEST(ScheduledPower, WithoutASocReadingNothingIsBoughtOrSoldBlind) {
  ScheduledPowerPlanner planner;
  auto p = planner.plan(charge_to(90.0, 3000.0), std::nullopt, 10.0, 100.0, -300.0);
  EXPECT_DOUBLE_EQ(p.wanted_w, 0.0);
  EXPECT_NE(p.reason.find("no SOC reading"), std::string::npos) << p.reason;
}

TEST(ScheduledPower, HoldAndSelfConsumptionFollowTheHouse) {
  ScheduledPowerPlanner planner;
  ScheduledAction hold;
  hold.action.kind = ScheduleActionKind::hold;
  EXPECT_DOUBLE_EQ(planner.plan(hold, 50.0, 10.0, 100.0, -900.0).wanted_w, 0.0);
  EXPECT_DOUBLE_EQ(planner.plan(hold, 50.0, 10.0, 100.0, 900.0).wanted_w, 900.0);
  ScheduledAction own;
  own.action.kind = ScheduleActionKind::self_consumption;
  EXPECT_DOUBLE_EQ(planner.plan(own, 50.0, 10.0, 100.0, -900.0).wanted_w, -900.0);
  ScheduledAction idle;
  idle.action.kind = ScheduleActionKind::idle;
  EXPECT_DOUBLE_EQ(planner.plan(idle, 50.0, 10.0, 100.0, -900.0).wanted_w, 0.0);
}

}  // namespace
}  // namespace bessd::control
