#pragma once
// A plan from a price list (docs/schedules.md "Planning by price"): which slots to charge from
// the grid to reach the charge target by a deadline at the least cost, which slots to hold the
// battery in, and, when export is allowed, which slots to sell from because the energy can be
// bought back cheaper before the deadline. Pure: fed the prices, the SOC and the limits, returns
// the plan with its expected cost.
//
// The method (docs/schedules.md has it for owners):
//  1. Where the list has no price (tomorrow's not out yet, a download that stopped), a price is
//     assumed: the same time of day on the latest earlier day that has one, else the list's
//     dearest. Such slots are planned like the others but sell nothing.
//  2. The energy short of the target is bought in the cheapest slots before the deadline (the
//     latest of equal prices), at the planned charge power; what a slot pays for first.
//  3. With export allowed, the dearest export slots are taken in turn: each sells what the SOC
//     can spare above the reserve (for every slot up to the deadline), and only as much as can
//     be bought back in cheaper slots after it with at least the margin per kWh after losses.
//  4. A slot holds the battery where what it gave the house would cost more to buy back before
//     the deadline (the cheapest slot after it with room left, after losses) than the grid
//     costs then, unless every price is the same; slots with a negative price charge.
// The house's own use is not forecast: the plan is made again when the SOC moves away from it.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/energy/price_list.hpp>

namespace bessd::control {

enum class PlannedAction : std::uint8_t { none, charge, hold, sell };
inline constexpr auto kPlannedActionNames =
    std::to_array<EnumName<PlannedAction>>({{PlannedAction::none, "none"},
                                            {PlannedAction::charge, "charge"},
                                            {PlannedAction::hold, "hold"},
                                            {PlannedAction::sell, "sell"}});
static_assert(enum_names_complete(kPlannedActionNames));
std::string_view to_string(PlannedAction a) noexcept;

struct PlanRequest {
  WallTime now;
  WallTime deadline;  // the target is due then; nothing after it is planned
  double soc_pct{0.0};
  double target_soc_pct{100.0};       // the charge target in force
  double reserve_soc_pct{0.0};        // sales stop here
  double capacity_kwh{0.0};           // stored energy from 0 % to 100 % SOC
  double charge_power_w{0.0};         // a grid charge runs at this (grid cap and envelope)
  double sell_power_w{0.0};           // 0: nothing is sold
  double charge_efficiency{0.95};     // stored kWh per grid kWh
  double discharge_efficiency{0.95};  // grid kWh per stored kWh
  double sell_margin_per_kwh{0.0};    // a sale must earn this over buying the energy back
};

struct PlannedSlot {
  WallTime start;  // clipped to the plan's [now, deadline)
  WallTime end;
  double import_per_kwh{0.0};
  std::optional<double> export_per_kwh;
  PlannedAction action{PlannedAction::none};
  double grid_kwh{0.0};       // + bought to charge, − sold
  double soc_after_pct{0.0};  // at the slot's end if the plan runs (the house not counted)
  bool assumed{false};        // no price in the list: import_per_kwh is assumed (method, 1)
  bool price_unknown{false};  // ... and nothing from the days before: the list's dearest
};

struct PricePlan {
  std::vector<PlannedSlot> slots;  // from now to the deadline, in time order, without gaps
  WallTime made_at;
  double start_soc_pct{0.0};           // the SOC it was made at
  double charge_efficiency{1.0};       // stored kWh per grid kWh, as planned
  std::optional<WallTime> prices_end;  // the end of the list's last slot
  WallTime deadline;
  double target_soc_pct{0.0};
  double charge_grid_kwh{0.0};
  double charge_cost{0.0};
  double sold_grid_kwh{0.0};
  double sale_income{0.0};
  /// The target is reached by the deadline (or already was).
  bool target_reached{true};
  /// SOC points short of the target at the deadline with every priced slot charging.
  double shortfall_pct{0.0};
  /// Minutes before the deadline without a price in the list (planned at assumed prices).
  double unpriced_minutes{0.0};
  /// Stored kWh planned in slots whose price is assumed: planned again once their prices are out.
  double waiting_for_prices_kwh{0.0};

  double expected_cost() const { return charge_cost - sale_income; }
  /// The planned slot holding `t`; null outside the plan or in a gap of the prices.
  const PlannedSlot* at(WallTime t) const;
  /// The dearest import price of a planned charge; absent when no charge is planned.
  std::optional<double> dearest_charge_price() const;
};

PricePlan plan_by_price(const energy::PriceList& prices, const PlanRequest& request);

/// Consecutive slots with one action, for people: "00:30–04:30 at 7.5 to 8.1".
struct PlanRun {
  WallTime start;
  WallTime end;
  PlannedAction action{PlannedAction::none};
  double min_price{0.0};  // import for charge and hold, export for sell
  double max_price{0.0};
};
std::vector<PlanRun> runs_of(const PricePlan& plan, PlannedAction action);

}  // namespace bessd::control
