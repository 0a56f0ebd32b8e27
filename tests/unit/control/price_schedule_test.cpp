// Mode schedule by price (docs/schedules.md "Planning by price"): what the plan asks for at each
// moment of an Octopus Go night, when it plans again, and the words it uses.

#include <bessd/control/price_schedule.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bessd::control {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;
using Kind = config::ScheduleActionKind;

WallTime local_utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi};
}

// Saturday 5 December 2026, London (GMT): 30 p all day, 7.5 p from 00:30 to 05:30, export 15 p
// from 16:00 to 19:00 and 4 p otherwise; 48 hours of half-hours from Saturday 12:00.
std::shared_ptr<const energy::PriceList> go_prices() {
  auto list = std::make_shared<energy::PriceList>();
  list->currency = "p";
  const auto start = local_utc(2026, 12, 5, 12);
  for (int i = 0; i < 96; ++i) {
    energy::PriceSlot s;
    s.start = start + minutes{30 * i};
    s.end = s.start + minutes{30};
    const int minute = (12 * 60 + 30 * i) % (24 * 60);
    s.import_per_kwh = minute >= 30 && minute < 330 ? 7.5 : 30.0;
    s.export_per_kwh = minute >= 16 * 60 && minute < 19 * 60 ? 15.0 : 4.0;
    list->slots.push_back(s);
  }
  return list;
}

PriceScheduleSettings settings() {
  PriceScheduleSettings s;
  s.plan.file = "/var/lib/bessd/prices.json";
  s.plan.ready_by_minute = 7 * 60;
  s.plan.target_soc_pct = 90;
  s.plan.charge_power_w = 3000;
  s.plan.round_trip_efficiency_pct = 100;
  s.capacity_kwh = 10;
  s.charge_power_w = 3000;
  return s;
}

class PriceScheduleTest : public ::testing::Test {
 protected:
  PriceScheduleTest() : zone_(*TimeZone::named("Europe/London")) {}
  std::optional<ScheduledAction> at(WallTime t, std::optional<double> soc, double reserve = 10,
                                    double target = 100) {
    return schedule_.action_at(t, zone_, soc, reserve, target);
  }
  TimeZone zone_;
  PriceSchedule schedule_{settings()};
};

TEST_F(PriceScheduleTest, WithoutPricesOrSocTheWindowsOutsideActionHolds) {
  EXPECT_FALSE(at(local_utc(2026, 12, 6, 1), 40));
  schedule_.set_prices(go_prices());
  EXPECT_FALSE(at(local_utc(2026, 12, 6, 1), std::nullopt));
  EXPECT_EQ(schedule_.plans_made(), 0u);
}

TEST_F(PriceScheduleTest, AGoNightChargesAtTheStartOfTheCheapHoursAndHoldsTheRest) {
  schedule_.set_prices(go_prices());
  // 18:00: nothing to do before midnight; the plan is for 07:00 tomorrow.
  EXPECT_FALSE(at(local_utc(2026, 12, 5, 18), 30));
  const auto plan = schedule_.plan();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->deadline, local_utc(2026, 12, 6, 7));
  EXPECT_NEAR(plan->charge_grid_kwh, 6, 1e-9);  // 30 % to 90 % of 10 kWh
  EXPECT_NEAR(plan->charge_cost, 45, 1e-9);
  // 00:30: charging, up to the plan's target at the configured power.
  auto a = at(local_utc(2026, 12, 6, 0, 30), 30);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::charge);
  EXPECT_EQ(a->action.target_soc_pct, std::optional<double>{90.0});
  EXPECT_EQ(a->action.power_w, std::optional<double>{3000.0});
  EXPECT_EQ(a->window, "by price, cheapest slots 00:30–02:30 at 7.5 p/kWh, 90 % by 07:00");
  // 03:00: charged, the rest of the cheap hours hold the battery.
  a = at(local_utc(2026, 12, 6, 3), 90);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::hold);
  EXPECT_THAT(a->window, HasSubstr("grid at 7.5 p/kWh"));
  // 06:00: dear again, but the target is due at 07:00: what the house took now would have to
  // be bought back before then at the same price and the losses, so the battery holds.
  a = at(local_utc(2026, 12, 6, 6), 90);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::hold);
  // Above the target there is energy to spare: self-consumption (the outside action).
  EXPECT_FALSE(at(local_utc(2026, 12, 6, 6, 10), 95));
}

TEST_F(PriceScheduleTest, ItPlansAgainOnNewPricesSlotEndsSocDriftAndANewTarget) {
  schedule_.set_prices(go_prices());
  (void)at(local_utc(2026, 12, 5, 18), 30);
  EXPECT_EQ(schedule_.plans_made(), 1u);
  (void)at(local_utc(2026, 12, 5, 18, 10), 30.5);  // same slot, SOC where expected
  EXPECT_EQ(schedule_.plans_made(), 1u);
  (void)at(local_utc(2026, 12, 5, 18, 30), 30.5);  // the slot ended
  EXPECT_EQ(schedule_.plans_made(), 2u);
  (void)at(local_utc(2026, 12, 5, 18, 40), 28.0);  // the house took 2.5 points
  EXPECT_EQ(schedule_.plans_made(), 3u);
  EXPECT_NEAR(schedule_.plan()->charge_grid_kwh, 6.2, 1e-9);
  (void)at(local_utc(2026, 12, 5, 18, 41), 28.0, 10, 80);  // the owner's target is lower
  EXPECT_EQ(schedule_.plans_made(), 4u);
  EXPECT_EQ(schedule_.plan()->target_soc_pct, 80);
  (void)at(local_utc(2026, 12, 5, 18, 42), 28.0, 20, 80);  // and the reserve higher
  EXPECT_EQ(schedule_.plans_made(), 5u);
  schedule_.set_prices(go_prices());
  (void)at(local_utc(2026, 12, 5, 18, 43), 28.0, 20, 80);
  EXPECT_EQ(schedule_.plans_made(), 6u);
}

TEST_F(PriceScheduleTest, SalesDischargeAtTheSalePowerDownToTheReserve) {
  auto s = settings();
  s.plan.sell_power_w = 2000;
  PriceSchedule schedule(s);
  schedule.set_prices(go_prices());
  // 16:00: 15 p for export, 7.5 p to buy back after midnight: worth it.
  const auto a = schedule.action_at(local_utc(2026, 12, 5, 16), zone_, 60, 20, 100);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::discharge);
  EXPECT_EQ(a->action.power_w, std::optional<double>{2000.0});
  EXPECT_FALSE(a->action.floor_soc_pct);  // the reserve in force
  EXPECT_THAT(a->window, HasSubstr("selling at 15 p/kWh, bought back cheaper by 07:00"));
  EXPECT_GT(schedule.plan()->sale_income, 0);
}

TEST_F(PriceScheduleTest, TheExpectedSocFollowsThePlanSlotBySlot) {
  schedule_.set_prices(go_prices());
  (void)at(local_utc(2026, 12, 6, 0, 30), 30);
  const auto& plan = *schedule_.plan();
  EXPECT_EQ(expected_soc_pct(plan, local_utc(2026, 12, 6, 0, 30)), 30.0);
  EXPECT_NEAR(*expected_soc_pct(plan, local_utc(2026, 12, 6, 0, 45)), 37.5, 1e-9);
  EXPECT_NEAR(*expected_soc_pct(plan, local_utc(2026, 12, 6, 4)), 90, 1e-9);
  EXPECT_FALSE(expected_soc_pct(plan, local_utc(2026, 12, 6, 7)));
}

TEST_F(PriceScheduleTest, ThePlanInWords) {
  schedule_.set_prices(go_prices());
  (void)at(local_utc(2026, 12, 5, 18), 30);
  EXPECT_EQ(describe_plan(*schedule_.plan(), local_utc(2026, 12, 5, 18), zone_, "p"),
            "Charging 6.0 kWh from the grid 00:30–02:30 at 7.5 p/kWh for 90 % by 07:00. "
            "Expected cost 45.00 p.");
  (void)at(local_utc(2026, 12, 6, 3), 92);
  EXPECT_EQ(describe_plan(*schedule_.plan(), local_utc(2026, 12, 6, 3), zone_, "p"),
            "Nothing to buy for 90 % by 07:00.");
  // Prices only until 23:00: most of the charge waits for the night's prices.
  auto evening = std::make_shared<energy::PriceList>(*go_prices());
  evening->slots.resize(22);  // 12:00 to 23:00
  schedule_.set_prices(evening);
  (void)at(local_utc(2026, 12, 5, 18), 30);
  EXPECT_EQ(describe_plan(*schedule_.plan(), local_utc(2026, 12, 5, 18), zone_, "p"),
            "The prices end at 23:00: 6.0 kWh for 90 % by 07:00 wait for the next prices.");
  // A target out of reach says how far.
  auto s = settings();
  s.plan.ready_by_minute = 60;
  PriceSchedule short_night(s);
  short_night.set_prices(go_prices());
  (void)short_night.action_at(local_utc(2026, 12, 6, 0), zone_, 10, 10, 100);
  EXPECT_THAT(describe_plan(*short_night.plan(), local_utc(2026, 12, 6, 0), zone_, "p"),
              HasSubstr("90 % by 01:00 cannot be reached: 50 points short"));
}

TEST(PriceText, OnePriceARangeAndNoCurrency) {
  EXPECT_EQ(price_text(7.5, 7.5, "p"), "7.5 p/kWh");
  EXPECT_EQ(price_text(7.5, 8.12, "p"), "7.5–8.12 p/kWh");
  EXPECT_EQ(price_text(0.25, 0.25, ""), "0.25/kWh");
  EXPECT_EQ(price_text(-1.2, -1.2, "p"), "-1.2 p/kWh");
}

}  // namespace
}  // namespace bessd::control
