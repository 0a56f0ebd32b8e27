#pragma once
// A plan from a price list (docs/schedules.md "Planning by price"): which slots to charge from
// the grid to reach the charge target by a deadline at the least cost, which slots to hold the
// battery in, and, when export is allowed, which slots to sell from because the energy can be
// bought back cheaper before the deadline. Pure: fed the prices, the SOC and the limits, returns
// the plan with its expected cost.
//
// The method (docs/schedules.md has it for owners):
//  1. The energy short of the target is bought in the cheapest slots before the deadline (the
//     earliest of equal prices), at the planned charge power. While the prices end before the
//     deadline (tomorrow's not out yet), the known slots buy only what the hours after them
//     could not (and whatever a slot pays for): the rest waits for their prices.
//  2. With export allowed, the dearest export slots are taken in turn: each sells what the SOC
//     can spare above the reserve (for every slot up to the deadline), and only as much as can
//     be bought back in cheaper slots after it with at least the margin per kWh after losses.
//  3. Slots where the grid costs no more than the next kWh the plan could buy (the cheapest slot
//     with room left), after losses both ways, are held: the house runs on the grid, the
//     battery keeps its energy. Not when the battery is above its target.
// The house's own use is not forecast: the plan is made again when the SOC moves away from it.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/energy/price_list.hpp>

namespace bessd::control {

enum class PlannedAction : std::uint8_t { none, charge, hold, sell };
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
};

struct PricePlan {
  std::vector<PlannedSlot> slots;  // the priced slots from now to the deadline, in time order
  WallTime made_at;
  double start_soc_pct{0.0};  // the SOC it was made at
  WallTime deadline;
  double target_soc_pct{0.0};
  double charge_grid_kwh{0.0};
  double charge_cost{0.0};
  double sold_grid_kwh{0.0};
  double sale_income{0.0};
  /// The target is reached by the deadline (or already was); false while part of the charge
  /// waits for prices.
  bool target_reached{true};
  /// SOC points short of the target at the deadline with every priced slot charging.
  double shortfall_pct{0.0};
  /// Minutes before the deadline without a price: nothing is planned in them.
  double unpriced_minutes{0.0};
  /// Stored kWh left for the hours after the last price (they may be the cheapest): bought once
  /// their prices are known.
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
