// Planning by price (docs/schedules.md "Planning by price"): the target reached by the deadline
// in the cheapest slots within the charge power, sales only when buying back earns the margin,
// holds where the grid is as cheap as the plan's charge, nights of 23 and 25 hours, gaps in the
// prices, and invariants over random price curves.

#include <bessd/control/price_plan.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <bessd/common/local_time.hpp>

namespace bessd::control {
namespace {

using namespace std::chrono;
using energy::PriceList;
using energy::PriceSlot;

WallTime utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi};
}

// Half-hour slots from `start`, one per price.
PriceList half_hours(WallTime start, const std::vector<double>& import,
                     const std::vector<double>& export_prices = {}) {
  PriceList list;
  list.currency = "p";
  for (std::size_t i = 0; i < import.size(); ++i) {
    PriceSlot s;
    s.start = start + minutes{30} * static_cast<int>(i);
    s.end = s.start + minutes{30};
    s.import_per_kwh = import[i];
    if (i < export_prices.size()) s.export_per_kwh = export_prices[i];
    list.slots.push_back(s);
  }
  return list;
}

// 10 kWh pack, 3 kW charge, lossless unless a test says otherwise: 1.5 kWh (15 %) a slot.
PlanRequest request(WallTime now, WallTime deadline, double soc, double target) {
  PlanRequest r;
  r.now = now;
  r.deadline = deadline;
  r.soc_pct = soc;
  r.target_soc_pct = target;
  r.reserve_soc_pct = 10;
  r.capacity_kwh = 10;
  r.charge_power_w = 3000;
  r.charge_efficiency = 1.0;
  r.discharge_efficiency = 1.0;
  return r;
}

std::vector<std::size_t> charged(const PricePlan& plan) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < plan.slots.size(); ++i)
    if (plan.slots[i].action == PlannedAction::charge) out.push_back(i);
  return out;
}

const WallTime kEvening = utc(2026, 12, 5, 18);

TEST(PricePlan, TheTargetIsReachedInTheCheapestSlots) {
  //                        18:00 ... 23:30 (12 slots)
  const auto prices = half_hours(kEvening, {30, 28, 25, 20, 15, 9, 7, 12, 6, 8, 14, 16});
  const auto plan = plan_by_price(prices, request(kEvening, kEvening + hours{6}, 30, 90));
  // 60 points = 6 kWh = four slots at 1.5 kWh: 6, 7, 8, 9 p.
  EXPECT_EQ(charged(plan), (std::vector<std::size_t>{5, 6, 8, 9}));
  EXPECT_TRUE(plan.target_reached);
  EXPECT_NEAR(plan.slots.back().soc_after_pct, 90, 1e-9);
  EXPECT_NEAR(plan.charge_grid_kwh, 6.0, 1e-9);
  EXPECT_NEAR(plan.charge_cost, 1.5 * (9 + 7 + 6 + 8), 1e-9);
  EXPECT_NEAR(plan.expected_cost(), plan.charge_cost, 1e-12);
  EXPECT_EQ(plan.dearest_charge_price(), 9.0);
}

TEST(PricePlan, OfEqualPricesTheLatestAreTakenAndTheLastSlotOnlyForWhatIsShort) {
  // Octopus Go: 7.5 p from 00:30 to 05:30, 30 p around it.
  std::vector<double> night(16, 30.0);
  for (std::size_t i = 1; i <= 10; ++i) night[i] = 7.5;
  const auto start = utc(2026, 12, 6, 0);
  const auto plan =
      plan_by_price(half_hours(start, night), request(start, start + hours{8}, 50, 90));
  // 4 kWh at the end of the cheap hours (the battery spends the least time full): two full
  // slots (3 kWh) and 1 kWh of the one before.
  EXPECT_EQ(charged(plan), (std::vector<std::size_t>{8, 9, 10}));
  EXPECT_NEAR(plan.slots[8].grid_kwh, 1.0, 1e-9);
  EXPECT_NEAR(plan.charge_cost, 4 * 7.5, 1e-9);
  // The cheap hours before hold the battery: the house runs on 7.5 p grid energy rather than on
  // energy the plan would buy back at 7.5 p with the losses.
  for (std::size_t i = 1; i <= 7; ++i) EXPECT_EQ(plan.slots[i].action, PlannedAction::hold) << i;
  EXPECT_EQ(plan.slots[0].action, PlannedAction::none);
  // After the charge, the dear hours before the deadline hold too: what the house took there
  // would be bought back in them at the same price and the losses. The last one has nothing
  // after it to buy back in.
  for (std::size_t i = 11; i <= 14; ++i) EXPECT_EQ(plan.slots[i].action, PlannedAction::hold) << i;
  EXPECT_EQ(plan.slots[15].action, PlannedAction::none);
}

TEST(PricePlan, LongSlotsArePlannedInHalfHours) {
  // Octopus Go as the converter writes it: 00:30–04:30 at 7.5 p, 04:30–00:30 at 30 p.
  energy::PriceList go;
  const auto night = utc(2026, 12, 6, 0, 30);
  go.slots = {{night - hours{20}, night, 30, std::nullopt},
              {night, night + hours{4}, 7.5, std::nullopt},
              {night + hours{4}, night + hours{24}, 30, std::nullopt}};
  const auto plan = plan_by_price(go, request(kEvening, utc(2026, 12, 6, 7), 40, 85));
  EXPECT_EQ(plan.slots.size(), 26u);  // 18:00 to 07:00 in half hours
  const auto c = charged(plan);
  ASSERT_EQ(c.size(), 3u);  // 4.5 kWh at the end of the cheap hours
  EXPECT_EQ(plan.slots[c.front()].start, night + hours{2} + minutes{30});
  // The cheap hours before the charge and the dear ones after it hold (the last has nothing
  // after it to buy back in); the evening does not.
  EXPECT_EQ(plan.at(night + hours{1})->action, PlannedAction::hold);
  EXPECT_EQ(plan.at(night + hours{5})->action, PlannedAction::hold);
  EXPECT_EQ(plan.at(kEvening + hours{1})->action, PlannedAction::none);
}

TEST(PricePlan, APlungeOfTheDayBeforeIsNoReasonToBuy) {
  // Yesterday 13:00–14:00 paid 3 p to use energy; today's prices are not known.
  const auto plan = plan_by_price(half_hours(kEvening - hours{29}, {20, -3, -3, 20}),
                                  request(kEvening - hours{5}, kEvening - hours{3}, 95, 90));
  ASSERT_EQ(plan.slots.size(), 4u);
  for (const auto& s : plan.slots) {
    EXPECT_TRUE(s.assumed);
    EXPECT_GE(s.import_per_kwh, 0.0);
    EXPECT_EQ(s.action, PlannedAction::none);
  }
}

TEST(PricePlan, OneFlatPriceChargesJustInTimeAndHoldsNothing) {
  const auto prices = half_hours(kEvening, std::vector<double>(12, 24.5));
  const auto plan = plan_by_price(prices, request(kEvening, kEvening + hours{6}, 60, 90));
  EXPECT_EQ(charged(plan), (std::vector<std::size_t>{10, 11}));
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(plan.slots[i].action, PlannedAction::none) << i;
}

TEST(PricePlan, TheChargePowerSpreadsTheChargeOverMoreSlots) {
  const auto prices = half_hours(kEvening, {5, 6, 7, 8, 9, 10, 11, 12});
  auto r = request(kEvening, kEvening + hours{4}, 20, 80);  // 6 kWh
  r.charge_power_w = 2000;                                  // 1 kWh a slot
  const auto plan = plan_by_price(prices, r);
  EXPECT_EQ(charged(plan), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
  for (const auto& s : plan.slots) EXPECT_LE(s.grid_kwh, 1.0 + 1e-9);
}

TEST(PricePlan, LossesAreBoughtToo) {
  const auto prices = half_hours(kEvening, {5, 6, 7, 8});
  auto r = request(kEvening, kEvening + hours{2}, 50, 70);  // 2 kWh stored
  r.charge_efficiency = 0.9;
  const auto plan = plan_by_price(prices, r);
  EXPECT_NEAR(plan.charge_grid_kwh, 2.0 / 0.9, 1e-9);
  EXPECT_NEAR(plan.slots.back().soc_after_pct, 70, 1e-9);
}

TEST(PricePlan, ATargetOutOfReachChargesInEveryPricedSlotAndSaysHowShort) {
  const auto prices = half_hours(kEvening, {20, 10, 15});
  const auto plan =
      plan_by_price(prices, request(kEvening, kEvening + hours{1} + minutes{30}, 10, 100));
  EXPECT_EQ(charged(plan).size(), 3u);
  EXPECT_FALSE(plan.target_reached);
  EXPECT_NEAR(plan.shortfall_pct, 90 - 45, 1e-9);
}

TEST(PricePlan, ABatteryAtOrAboveItsTargetBuysNothingHoldsNothingButTakesWhatItIsPaidFor) {
  const auto prices = half_hours(kEvening, {20, 3, 15, -2});
  for (const double soc : {90.0, 95.0}) {
    const auto plan = plan_by_price(prices, request(kEvening, kEvening + hours{2}, soc, 90));
    EXPECT_TRUE(plan.target_reached);
    EXPECT_EQ(plan.expected_cost(), 0.0);
    // Paid to use energy at 19:30: it charges (up to the charge target in force), never drains.
    EXPECT_EQ(charged(plan), (std::vector<std::size_t>{3})) << soc;
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(plan.slots[i].action, PlannedAction::none) << i;
    EXPECT_NEAR(plan.slots.back().soc_after_pct, soc, 1e-9);
  }
}

TEST(PricePlan, AGapInThePricesIsPlannedAtTheDearestPrice) {
  auto prices = half_hours(kEvening, {20, 4, 15, 5, 30, 6});
  prices.slots.erase(prices.slots.begin() + 2, prices.slots.begin() + 4);  // 19:00–20:00 unknown
  const auto plan = plan_by_price(prices, request(kEvening, kEvening + hours{3}, 40, 70));
  ASSERT_EQ(plan.slots.size(), 6u);
  EXPECT_NEAR(plan.unpriced_minutes, 60, 1e-9);
  const auto* gap = plan.at(kEvening + minutes{75});
  ASSERT_NE(gap, nullptr);
  EXPECT_TRUE(gap->assumed);
  EXPECT_EQ(gap->import_per_kwh, 30);  // nothing known of that time of day: the dearest
  EXPECT_EQ(gap->action, PlannedAction::none);
  EXPECT_EQ(plan.at(kEvening + minutes{30})->action, PlannedAction::charge);
  EXPECT_EQ(plan.at(kEvening + minutes{170})->action, PlannedAction::charge);  // 6 p at 20:30
  EXPECT_EQ(plan.at(kEvening + hours{3}), nullptr);                            // the deadline
  EXPECT_EQ(plan.waiting_for_prices_kwh, 0.0);
}

TEST(PricePlan, ANightWithoutPricesYetIsPlannedAtTheNightBeforesPrices) {
  // Known: from 00:00 on Saturday to 23:00 (Agile publishes at 16:00 up to 23:00 the next day),
  // 5 p from 01:00 to 05:00, 25 p otherwise. Planned at 18:00 for 07:00 on Sunday.
  const auto midnight = utc(2026, 12, 5, 0);
  std::vector<double> day(46, 25.0);
  for (std::size_t i = 2; i < 10; ++i) day[i] = 5.0 + 0.1 * double(i);
  const auto prices = half_hours(midnight, day);
  const auto plan = plan_by_price(prices, request(kEvening, utc(2026, 12, 6, 7), 40, 85));
  ASSERT_EQ(plan.slots.size(), 26u);
  EXPECT_NEAR(plan.unpriced_minutes, 8 * 60, 1e-9);
  // 4.5 kWh: three slots of Sunday's 01:00–05:00, assumed from Saturday's (the cheapest first).
  const auto c = charged(plan);
  ASSERT_EQ(c.size(), 3u);
  for (const auto i : c) {
    EXPECT_TRUE(plan.slots[i].assumed) << i;
    EXPECT_LT(plan.slots[i].import_per_kwh, 6) << i;
  }
  EXPECT_NEAR(plan.waiting_for_prices_kwh, 4.5, 1e-9);
  EXPECT_TRUE(plan.target_reached);
  // The evening is dearer than what the night will cost: no hold, the house uses the battery.
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(plan.slots[i].action, PlannedAction::none) << i;
  // Nothing is sold in a slot whose price is only assumed.
  auto r = request(kEvening, utc(2026, 12, 6, 7), 40, 85);
  r.sell_power_w = 3000;
  for (const auto& s : plan_by_price(prices, r).slots) {
    if (s.assumed) {
      EXPECT_NE(s.action, PlannedAction::sell);
    }
  }
}

TEST(PricePlan, PricesFromWeeksAgoLendTheirShapeAndTheRestIsTakenAsTheDearest) {
  // The download stopped ten days ago: the same time of day then gives the price; where even
  // that is missing the list's dearest is taken (a guess, charged last of all).
  const auto prices = half_hours(kEvening - days{10}, {12, 30, 18});
  const auto plan = plan_by_price(prices, request(kEvening, kEvening + hours{3}, 70, 85));
  ASSERT_EQ(plan.slots.size(), 6u);
  EXPECT_EQ(charged(plan), (std::vector<std::size_t>{0}));
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_TRUE(plan.slots[i].assumed) << i;
    EXPECT_EQ(plan.slots[i].price_unknown, i >= 3) << i;
    EXPECT_EQ(plan.slots[i].import_per_kwh, i == 0 ? 12 : i == 2 ? 18 : 30) << i;
  }
  // Nothing known at all of the next hours: a flat guess, charged just in time.
  const auto none = plan_by_price(half_hours(kEvening - hours{6}, {12, 30}),
                                  request(kEvening, kEvening + hours{3}, 70, 85));
  EXPECT_EQ(charged(none), (std::vector<std::size_t>{5}));
}

TEST(PricePlan, APlanMadeInsideASlotCountsOnlyWhatIsLeftOfIt) {
  const auto prices = half_hours(kEvening, {1, 50, 50, 2});
  const auto now = kEvening + minutes{20};  // 10 minutes of the 1 p slot left: 0.5 kWh
  const auto plan = plan_by_price(prices, request(now, kEvening + hours{2}, 50, 70));
  ASSERT_EQ(plan.slots.size(), 4u);
  EXPECT_EQ(plan.slots[0].start, now);
  EXPECT_NEAR(plan.slots[0].grid_kwh, 0.5, 1e-9);
  EXPECT_NEAR(plan.slots[3].grid_kwh, 1.5, 1e-9);
  EXPECT_TRUE(plan.target_reached);  // exactly: 0.5 + 1.5 kWh
}

TEST(PricePlan, SalesInTheDearestSlotsAreBoughtBackCheaperAndKeepTheReserve) {
  // Evening peak export 25 p at 18:00–19:00, cheap import 5 p after midnight.
  std::vector<double> import(14, 20.0), exp(14, 4.0);
  exp[0] = exp[1] = 25;
  import[10] = import[11] = import[12] = import[13] = 5;
  const auto prices = half_hours(kEvening, import, exp);
  auto r = request(kEvening, kEvening + hours{7}, 40, 60);  // deadline 01:00
  r.sell_power_w = 5000;                                    // 2.5 kWh a slot
  r.reserve_soc_pct = 20;
  r.charge_efficiency = r.discharge_efficiency = 0.95;
  const auto plan = plan_by_price(prices, r);
  EXPECT_EQ(plan.slots[0].action, PlannedAction::sell);
  // Only 2 kWh above the reserve: the first slot sells them, the second has nothing left.
  EXPECT_EQ(plan.slots[1].action, PlannedAction::none);
  EXPECT_NEAR(plan.slots[0].soc_after_pct, 20, 1e-9);
  for (const auto& s : plan.slots) EXPECT_GE(s.soc_after_pct, 20 - 1e-9);
  EXPECT_TRUE(plan.target_reached);
  EXPECT_NEAR(plan.slots.back().soc_after_pct, 60, 1e-9);
  EXPECT_NEAR(plan.sold_grid_kwh, 2 * 0.95, 1e-9);
  EXPECT_NEAR(plan.sale_income, 2 * 0.95 * 25, 1e-9);
  // 2 kWh to reach the target and 2 kWh sold, bought back at 5 p with the losses.
  EXPECT_NEAR(plan.charge_grid_kwh, 4 / 0.95, 1e-9);
  auto no_sale = r;
  no_sale.sell_power_w = 0;
  EXPECT_LT(plan.expected_cost(), plan_by_price(prices, no_sale).expected_cost());
}

TEST(PricePlan, NoSaleThatDoesNotEarnTheMarginOrCannotBeBoughtBackLater) {
  std::vector<double> import(8, 10.0), exp(8, 12.0);
  const auto prices = half_hours(kEvening, import, exp);
  auto r = request(kEvening, kEvening + hours{4}, 80, 80);
  r.sell_power_w = 3000;
  // 12 × 0.95 − 10 / 0.95 = 0.87 p/kWh: not the 1 p margin.
  r.charge_efficiency = r.discharge_efficiency = 0.95;
  r.sell_margin_per_kwh = 1.0;
  auto plan = plan_by_price(prices, r);
  EXPECT_EQ(plan.sold_grid_kwh, 0.0);
  // Lossless and no margin it would earn 2 p, but the dearest export is the last slot: no
  // slot after it to buy back in.
  exp.back() = 40;
  r.charge_efficiency = r.discharge_efficiency = 1.0;
  r.sell_margin_per_kwh = 0.0;
  std::fill(exp.begin(), exp.end() - 1, 9.0);
  plan = plan_by_price(half_hours(kEvening, import, exp), r);
  EXPECT_EQ(plan.sold_grid_kwh, 0.0);
}

TEST(PricePlan, NightsOf23And25HoursPlanTheHoursTheyHave) {
  const auto zone = TimeZone::named("Europe/London");
  ASSERT_TRUE(zone) << zone.error().message;
  struct Night {
    WallTime evening;  // 18:00 local on the Saturday
    std::size_t slots;
  };
  // 18:00 to 07:00 local: 12 hours when the clocks go forward, 14 when they go back.
  for (const Night n : {Night{utc(2026, 3, 28, 18), 24}, Night{utc(2026, 10, 24, 17), 28},
                        Night{utc(2026, 12, 5, 18), 26}}) {
    const auto deadline = zone->next_at(n.evening, 7 * 60);
    std::vector<double> import(40, 25.0);
    const std::size_t cheap_from = n.slots - 8;  // the last four hours before 07:00
    for (std::size_t i = cheap_from; i < n.slots; ++i) import[i] = 6.0 + 0.1 * double(i % 3);
    const auto plan =
        plan_by_price(half_hours(n.evening, import), request(n.evening, deadline, 20, 95));
    EXPECT_EQ(plan.slots.size(), n.slots);
    EXPECT_EQ(plan.slots.back().end, deadline);
    EXPECT_EQ(plan.unpriced_minutes, 0.0);
    // 7.5 kWh: five slots, all in the cheap hours before 07:00.
    const auto c = charged(plan);
    ASSERT_EQ(c.size(), 5u);
    for (const auto i : c) EXPECT_GE(i, cheap_from);
    EXPECT_TRUE(plan.target_reached);
  }
}

TEST(PricePlan, RunsJoinNeighbouringSlotsOfOneAction) {
  const auto prices = half_hours(kEvening, {5, 6, 30, 7, 8});
  const auto plan = plan_by_price(prices, request(kEvening, kEvening + minutes{150}, 10, 70));
  const auto runs = runs_of(plan, PlannedAction::charge);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].start, kEvening);
  EXPECT_EQ(runs[0].end, kEvening + hours{1});
  EXPECT_EQ(runs[0].min_price, 5);
  EXPECT_EQ(runs[0].max_price, 6);
  EXPECT_EQ(runs[1].start, kEvening + minutes{90});
  EXPECT_EQ(to_string(runs[1].action), "charge");
}

TEST(PricePlan, NoSetOfSlotsReachesTheTargetForLess) {
  // Every subset of 10 slots (whole slots of 1.5 kWh): none that reaches the target is cheaper.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> price(-5, 40);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> import(10);
    for (auto& p : import) p = std::round(price(rng) * 10) / 10;
    const auto plan =
        plan_by_price(half_hours(kEvening, import), request(kEvening, kEvening + hours{5}, 30, 90));
    double best = 1e18;
    for (unsigned mask = 0; mask < 1024; ++mask) {
      if (__builtin_popcount(mask) != 4) continue;  // 6 kWh = four whole slots
      double cost = 0;
      for (unsigned i = 0; i < 10; ++i)
        if (mask & (1u << i)) cost += 1.5 * import[i];
      best = std::min(best, cost);
    }
    EXPECT_NEAR(plan.charge_cost, best, 1e-9) << trial;
  }
}

TEST(PricePlan, RandomCurvesKeepEveryLimit) {
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> price(-10, 60), unit(0, 1);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<double> import(96), exp(96);
    for (std::size_t i = 0; i < 96; ++i) {
      import[i] = price(rng);
      exp[i] = unit(rng) * import[i] + unit(rng) * 10;
    }
    auto r = request(kEvening + minutes{static_cast<int>(unit(rng) * 29)},
                     kEvening + hours{static_cast<int>(2 + unit(rng) * 46)}, unit(rng) * 100,
                     30 + unit(rng) * 70);
    r.reserve_soc_pct = unit(rng) * 30;
    r.charge_power_w = 500 + unit(rng) * 6000;
    r.sell_power_w = unit(rng) < 0.3 ? 0 : 500 + unit(rng) * 6000;
    r.charge_efficiency = 0.85 + unit(rng) * 0.15;
    r.discharge_efficiency = 0.85 + unit(rng) * 0.15;
    r.sell_margin_per_kwh = unit(rng) * 3;
    const auto plan = plan_by_price(half_hours(kEvening, import, exp), r);
    const double low = std::min(r.soc_pct, r.reserve_soc_pct) - 1e-6;
    const double high = std::max(r.soc_pct, r.target_soc_pct) + 1e-6;
    for (const auto& s : plan.slots) {
      const double h = duration<double, std::ratio<3600>>(s.end - s.start).count();
      ASSERT_GE(s.soc_after_pct, low) << trial;
      ASSERT_LE(s.soc_after_pct, high) << trial;
      ASSERT_LE(s.grid_kwh, r.charge_power_w / 1000 * h + 1e-9) << trial;
      ASSERT_GE(s.grid_kwh, -r.sell_power_w / 1000 * h * r.discharge_efficiency - 1e-9) << trial;
      if (s.action == PlannedAction::sell) {
        ASSERT_TRUE(s.export_per_kwh.has_value()) << trial;
      }
    }
    if (plan.target_reached && !plan.slots.empty()) {
      ASSERT_GE(plan.slots.back().soc_after_pct, std::min(r.target_soc_pct, high) - 1e-6) << trial;
    }
    ASSERT_LE(plan.slots.size(), 96u);
  }
}

// GET /v1/plan shows the slots' actions in these words: they are pinned.
TEST(PlannedActionNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kPlannedActionNames),
            (std::vector<std::string_view>{"none", "charge", "hold", "sell"}));
  EXPECT_EQ(enum_from_name(kPlannedActionNames, "discharge"), std::nullopt);
  EXPECT_EQ(enum_from_name(kPlannedActionNames, "Sell"), std::nullopt);
  EXPECT_EQ(to_string(static_cast<PlannedAction>(200)), "none");
}

}  // namespace
}  // namespace bessd::control
