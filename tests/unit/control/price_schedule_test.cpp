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
                                    double target = 100,
                                    std::optional<double> envelope_w = std::nullopt) {
    return schedule_.action_at(t, zone_, soc, reserve, target, envelope_w);
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

TEST_F(PriceScheduleTest, AGoNightHoldsTheCheapHoursThenChargesAtTheirEnd) {
  schedule_.set_prices(go_prices());
  // 18:00: nothing to do before midnight; the plan is for 07:00 tomorrow.
  EXPECT_FALSE(at(local_utc(2026, 12, 5, 18), 30));
  const auto plan = schedule_.plan();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->deadline, local_utc(2026, 12, 6, 7));
  EXPECT_NEAR(plan->charge_grid_kwh, 6, 1e-9);  // 30 % to 90 % of 10 kWh
  EXPECT_NEAR(plan->charge_cost, 45, 1e-9);
  // 00:30: cheap, but the charge comes at the end of the cheap hours (the pack spends the least
  // time full); meanwhile the battery is kept and the house runs on 7.5 p grid energy.
  auto a = at(local_utc(2026, 12, 6, 0, 30), 30);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::hold);
  EXPECT_THAT(a->window, HasSubstr("grid at 7.5 p/kWh"));
  // 03:30: charging, up to the plan's target at the configured power.
  a = at(local_utc(2026, 12, 6, 3, 30), 30);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::charge);
  EXPECT_EQ(a->action.target_soc_pct, std::optional<double>{90.0});
  EXPECT_EQ(a->action.power_w, std::optional<double>{3000.0});
  EXPECT_EQ(a->window, "by price, cheapest slots 03:30–05:30 at 7.5 p/kWh, 90 % by 07:00");
  // 05:30: charged; until 07:00 the battery is kept for the day (the house on the grid), or it
  // would be topped up again at 30 p and the losses.
  a = at(local_utc(2026, 12, 6, 5, 30), 90);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::hold);
  // Above the target there is energy to spare: self-consumption (the outside action).
  EXPECT_FALSE(at(local_utc(2026, 12, 6, 6, 10), 95));
}

TEST_F(PriceScheduleTest, APackThatTakesLessThanPlannedIsPlannedAgainEarlier) {
  schedule_.set_prices(go_prices());
  (void)at(local_utc(2026, 12, 5, 23), 30, 10, 100, 3000);
  EXPECT_EQ(schedule_.plans_made(), 1u);
  (void)at(local_utc(2026, 12, 5, 23, 1), 30, 10, 100, 2800);  // a little less: same plan
  EXPECT_EQ(schedule_.plans_made(), 1u);
  // A cold pack: the BMS lets 1 kW in. 6 kWh now need 12 slots from 23:30, not 4 from 03:30.
  (void)at(local_utc(2026, 12, 5, 23, 2), 30, 10, 100, 1000);
  EXPECT_EQ(schedule_.plans_made(), 2u);
  EXPECT_NEAR(schedule_.plan()->charge_grid_kwh, 6, 1e-9);
  const auto a = at(local_utc(2026, 12, 6, 0, 30), 30.5, 10, 100, 1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::charge);
}

TEST_F(PriceScheduleTest, PaidToUseEnergyItChargesToTheTargetInForce) {
  auto list = std::make_shared<energy::PriceList>(*go_prices());
  for (auto& s : list->slots)
    if (s.start >= local_utc(2026, 12, 6, 13) && s.start < local_utc(2026, 12, 6, 14))
      s.import_per_kwh = -4.2;
  schedule_.set_prices(list);
  const auto a = at(local_utc(2026, 12, 6, 13, 10), 95, 10, 100);  // above the plan's 90 %
  ASSERT_TRUE(a);
  EXPECT_EQ(a->action.kind, Kind::charge);
  EXPECT_EQ(a->action.target_soc_pct, std::optional<double>{100.0});
  EXPECT_EQ(a->window, "by price, paid 4.2 p/kWh to use energy");
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
  EXPECT_EQ(expected_soc_pct(plan, local_utc(2026, 12, 6, 0, 45)), 30.0);
  EXPECT_NEAR(*expected_soc_pct(plan, local_utc(2026, 12, 6, 3, 45)), 37.5, 1e-9);
  EXPECT_NEAR(*expected_soc_pct(plan, local_utc(2026, 12, 6, 5, 30)), 90, 1e-9);
  EXPECT_FALSE(expected_soc_pct(plan, local_utc(2026, 12, 6, 7)));
}

TEST_F(PriceScheduleTest, ThePlanInWords) {
  schedule_.set_prices(go_prices());
  (void)at(local_utc(2026, 12, 5, 18), 30);
  EXPECT_EQ(describe_plan(*schedule_.plan(), local_utc(2026, 12, 5, 18), zone_, "p"),
            "Charging 6.0 kWh from the grid 03:30–05:30 at 7.5 p/kWh for 90 % by 07:00. "
            "Expected cost 45.00 p.");
  (void)at(local_utc(2026, 12, 6, 3), 92);
  EXPECT_EQ(describe_plan(*schedule_.plan(), local_utc(2026, 12, 6, 3), zone_, "p"),
            "Nothing to buy for 90 % by 07:00.");
  // Prices only until 23:00: the night is planned at assumed prices until its own are out.
  auto evening = std::make_shared<energy::PriceList>(*go_prices());
  evening->slots.resize(22);  // 12:00 to 23:00
  schedule_.set_prices(evening);
  (void)at(local_utc(2026, 12, 5, 18), 30);
  EXPECT_THAT(describe_plan(*schedule_.plan(), local_utc(2026, 12, 5, 18), zone_, "p"),
              HasSubstr("Prices are known until 23:00; 6.0 kWh are planned at prices assumed "
                        "from the days before, until the real ones are out."));
  // A target out of reach says how far.
  auto s = settings();
  s.plan.ready_by_minute = 60;
  PriceSchedule short_night(s);
  short_night.set_prices(go_prices());
  (void)short_night.action_at(local_utc(2026, 12, 6, 0), zone_, 10, 10, 100);
  EXPECT_THAT(describe_plan(*short_night.plan(), local_utc(2026, 12, 6, 0), zone_, "p"),
              HasSubstr("90 % by 01:00 cannot be reached: 50 points short with every slot"));
}

TEST(PriceText, OnePriceARangeAndNoCurrency) {
  EXPECT_EQ(price_text(7.5, 7.5, "p"), "7.5 p/kWh");
  EXPECT_EQ(price_text(7.5, 8.12, "p"), "7.5–8.12 p/kWh");
  EXPECT_EQ(price_text(0.25, 0.25, ""), "0.25/kWh");
  EXPECT_EQ(price_text(-1.2, -1.2, "p"), "-1.2 p/kWh");
}

}  // namespace
}  // namespace bessd::control
