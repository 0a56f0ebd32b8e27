#include <bessd/control/price_plan.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bessd::control {

namespace {

// Below this a plan's energy is rounding, not a decision (10 Wh).
constexpr double kNegligibleKwh = 0.01;
// How far back a missing price is looked for at the same time of day (a file a few weeks old
// still has the shape of a day).
constexpr int kDaysLookedBack = 28;

double hours_between(WallTime a, WallTime b) {
  return std::chrono::duration<double, std::ratio<3600>>(b - a).count();
}

constexpr auto kPlanSlot = std::chrono::minutes{30};

// The next half-hour boundary after `t` (UTC; every zone bessd plans in is whole half hours off).
WallTime next_half_hour(WallTime t) {
  const auto minute = std::chrono::floor<std::chrono::minutes>(t);
  return minute + kPlanSlot - minute.time_since_epoch() % kPlanSlot;
}

// Where the list has no price for [from, to): the price of the same time of day on the latest
// earlier day that has one (four weeks back at most), else the list's dearest (`dearest`).
// Never below zero: a plunge the days before is no reason to buy now. Half hours, so a missing
// night is planned slot by slot as the nights before it were.
void assume_prices(const energy::PriceList& prices, double dearest, WallTime from, WallTime to,
                   std::vector<PlannedSlot>& out) {
  for (WallTime t = from; t < to;) {
    PlannedSlot p;
    p.start = t;
    p.end = std::min(next_half_hour(t), to);
    p.assumed = true;
    p.import_per_kwh = dearest;
    p.price_unknown = true;
    for (int day = 1; day <= kDaysLookedBack; ++day) {
      if (const auto* known = energy::slot_at(prices, t - std::chrono::days{day})) {
        p.import_per_kwh = std::max(known->import_per_kwh, 0.0);
        p.price_unknown = false;
        break;
      }
    }
    out.push_back(p);
    t = p.end;
  }
}

// [now, deadline) in slots of at most half an hour (a tariff's 4-hour night is planned hour by
// hour like any other), clipped at both ends: the list's prices, and assumed ones where it has
// none (tomorrow's not out yet, a download that stopped).
std::vector<PlannedSlot> horizon(const energy::PriceList& prices, WallTime now, WallTime deadline) {
  std::vector<PlannedSlot> out;
  double dearest = prices.slots.empty() ? 0.0 : prices.slots.front().import_per_kwh;
  for (const auto& s : prices.slots) dearest = std::max(dearest, s.import_per_kwh);
  auto it = std::upper_bound(prices.slots.begin(), prices.slots.end(), now,
                             [](WallTime t, const energy::PriceSlot& s) { return t < s.end; });
  WallTime covered = now;
  for (; it != prices.slots.end() && it->start < deadline; ++it) {
    const WallTime start = std::max(it->start, now);
    const WallTime end = std::min(it->end, deadline);
    if (end <= start) continue;
    if (start > covered) assume_prices(prices, dearest, covered, start, out);
    for (WallTime t = start; t < end;) {
      PlannedSlot p;
      p.start = t;
      p.end = end - t > kPlanSlot ? std::min(next_half_hour(t), end) : end;
      p.import_per_kwh = it->import_per_kwh;
      p.export_per_kwh = it->export_per_kwh;
      out.push_back(p);
      t = p.end;
    }
    covered = end;
  }
  if (covered < deadline) assume_prices(prices, dearest, covered, deadline, out);
  return out;
}

// The stored-energy side of the plan: per slot, what the battery gains (+) or gives (−) in
// kWh, and what each slot could take at the planned powers.
class EnergyPlan {
 public:
  EnergyPlan(const std::vector<PlannedSlot>& slots, const PlanRequest& r)
      : slots_(slots), r_(r), delta_(slots.size(), 0.0) {
    for (const auto& s : slots) {
      const double h = hours_between(s.start, s.end);
      charge_room_.push_back(r.charge_power_w / 1000.0 * h * r.charge_efficiency);
      sell_room_.push_back(r.sell_power_w / 1000.0 * h);
    }
    by_import_.resize(slots.size());
    std::iota(by_import_.begin(), by_import_.end(), std::size_t{0});
    // Of equal prices the latest: the battery spends the least time full, and a flat price
    // charges just in time rather than at once.
    std::sort(by_import_.begin(), by_import_.end(), [&](std::size_t a, std::size_t b) {
      const double pa = slots_[a].import_per_kwh;
      const double pb = slots_[b].import_per_kwh;
      return pa < pb || (pa == pb && a > b);
    });
  }

  // Buys `need` kWh (stored) in the cheapest slots at or after `first`, where a sale of
  // `sold_at_price` still earns the margin (no such test when absent). Returns what it bought.
  double buy(double need, std::size_t first, std::optional<double> sold_at_price, bool commit) {
    double bought = 0.0;
    for (const std::size_t i : by_import_) {
      if (bought >= need) break;
      if (i < first || delta_[i] < 0.0) continue;
      if (sold_at_price && !earns(*sold_at_price, slots_[i].import_per_kwh)) break;
      const double add = std::min(charge_room_[i] - delta_[i], need - bought);
      if (add <= 0.0) continue;
      if (commit) delta_[i] += add;
      bought += add;
    }
    return bought;
  }

  // Buys up to `need` kWh (stored) in the slots that pay for it, cheapest first.
  double buy_below_zero(double need) {
    double bought = 0.0;
    for (const std::size_t i : by_import_) {
      if (bought >= need || slots_[i].import_per_kwh >= 0.0) break;
      if (slots_[i].assumed) continue;
      const double add = std::min(charge_room_[i] - delta_[i], need - bought);
      delta_[i] += add;
      bought += add;
    }
    return bought;
  }

  // Sells in slot `e` what the SOC can spare and cheaper slots after it can buy back.
  void try_sell(std::size_t e, double reserve_kwh) {
    if (delta_[e] != 0.0 || !slots_[e].export_per_kwh) return;
    double spare = sell_room_[e];
    double level = start_kwh();
    for (std::size_t j = 0; j < slots_.size(); ++j) {
      level += delta_[j];
      if (j >= e) spare = std::min(spare, level - reserve_kwh);
    }
    if (spare <= kNegligibleKwh) return;
    const double price = *slots_[e].export_per_kwh;
    const double covered = buy(spare, e + 1, price, false);
    if (covered <= kNegligibleKwh) return;
    buy(covered, e + 1, price, true);
    delta_[e] = -covered;
  }

  // What slot `i` could still charge (stored kWh); none in a slot that sells.
  double room_left(std::size_t i) const {
    return delta_[i] < 0.0 ? 0.0 : charge_room_[i] - delta_[i];
  }

  double start_kwh() const { return r_.soc_pct / 100.0 * r_.capacity_kwh; }
  double delta(std::size_t i) const { return delta_[i]; }

 private:
  bool earns(double export_price, double import_price) const {
    return export_price * r_.discharge_efficiency - import_price / r_.charge_efficiency >=
           r_.sell_margin_per_kwh;
  }

  const std::vector<PlannedSlot>& slots_;
  const PlanRequest& r_;
  std::vector<double> delta_;
  std::vector<double> charge_room_;
  std::vector<double> sell_room_;
  std::vector<std::size_t> by_import_;
};

double assumed_minutes(const std::vector<PlannedSlot>& slots) {
  double minutes = 0.0;
  for (const auto& s : slots)
    if (s.assumed) minutes += hours_between(s.start, s.end) * 60.0;
  return minutes;
}

void sell_in_dearest_slots(EnergyPlan& energy, const std::vector<PlannedSlot>& slots,
                           double reserve_kwh) {
  std::vector<std::size_t> by_export;
  for (std::size_t i = 0; i < slots.size(); ++i)
    if (slots[i].export_per_kwh && !slots[i].assumed) by_export.push_back(i);
  std::stable_sort(by_export.begin(), by_export.end(), [&](std::size_t a, std::size_t b) {
    return *slots[a].export_per_kwh > *slots[b].export_per_kwh;
  });
  for (const std::size_t e : by_export) energy.try_sell(e, reserve_kwh);
}

// Fills in actions, energies, the SOC path and the totals from the stored-energy plan.
void settle(PricePlan& plan, const EnergyPlan& energy, const PlanRequest& r,
            const energy::PriceList& prices) {
  double level = energy.start_kwh();
  for (std::size_t i = 0; i < plan.slots.size(); ++i) {
    auto& s = plan.slots[i];
    const double d = energy.delta(i);
    level += d;
    s.soc_after_pct = r.capacity_kwh > 0.0 ? level / r.capacity_kwh * 100.0 : r.soc_pct;
    if (d > kNegligibleKwh) {
      s.action = PlannedAction::charge;
      if (s.assumed) plan.waiting_for_prices_kwh += d;
      s.grid_kwh = d / r.charge_efficiency;
      plan.charge_grid_kwh += s.grid_kwh;
      plan.charge_cost += s.grid_kwh * s.import_per_kwh;
    } else if (d < -kNegligibleKwh) {
      s.action = PlannedAction::sell;
      s.grid_kwh = d * r.discharge_efficiency;
      plan.sold_grid_kwh -= s.grid_kwh;
      plan.sale_income -= s.grid_kwh * s.export_per_kwh.value_or(0.0);
    }
  }
  // Paid to use energy: charge (to the charge target in force, the controller's part), never
  // discharge for the house.
  for (auto& s : plan.slots)
    if (s.import_per_kwh < 0.0 && !s.assumed && s.action == PlannedAction::none)
      s.action = PlannedAction::charge;
  // Hold where what the battery gave the house would cost more to buy back before the deadline
  // (the cheapest later slot with room left, with the losses both ways) than the grid costs
  // then. Not on a flat price (nothing to gain but the battery's use, and a pack held full
  // stores no sun), and not where a later price is only a guess.
  double lowest = 1e18;
  double highest = -1e18;
  for (const auto& s : prices.slots)
    if (s.end > r.now) {
      lowest = std::min(lowest, s.import_per_kwh);
      highest = std::max(highest, s.import_per_kwh);
    }
  // Above the target the battery has energy to spare: using it needs no buying back.
  if (highest <= lowest || r.soc_pct > r.target_soc_pct) return;
  const double losses = r.charge_efficiency * std::max(r.discharge_efficiency, 1e-6);
  std::optional<double> buy_back;  // the cheapest slot after i with room left
  bool guess_after = false;        // a slot after i whose price is a guess
  for (std::size_t i = plan.slots.size(); i-- > 0;) {
    auto& s = plan.slots[i];
    if (s.action == PlannedAction::none && buy_back && !guess_after &&
        s.import_per_kwh <= *buy_back / losses)
      s.action = PlannedAction::hold;
    guess_after = guess_after || s.price_unknown;
    if (!s.price_unknown && energy.room_left(i) > kNegligibleKwh)
      buy_back = std::min(buy_back.value_or(s.import_per_kwh), s.import_per_kwh);
  }
}

}  // namespace

std::string_view to_string(PlannedAction a) noexcept {
  return enum_name(kPlannedActionNames, a, "none");
}

const PlannedSlot* PricePlan::at(WallTime t) const {
  auto it = std::upper_bound(slots.begin(), slots.end(), t,
                             [](WallTime v, const PlannedSlot& s) { return v < s.end; });
  return it != slots.end() && it->start <= t ? &*it : nullptr;
}

std::optional<double> PricePlan::dearest_charge_price() const {
  std::optional<double> dearest;
  for (const auto& s : slots)
    if (s.action == PlannedAction::charge)
      dearest = std::max(dearest.value_or(s.import_per_kwh), s.import_per_kwh);
  return dearest;
}

PricePlan plan_by_price(const energy::PriceList& prices, const PlanRequest& r) {
  PricePlan plan;
  plan.made_at = r.now;
  plan.start_soc_pct = r.soc_pct;
  plan.charge_efficiency = r.charge_efficiency;
  if (!prices.slots.empty()) plan.prices_end = prices.slots.back().end;
  plan.deadline = r.deadline;
  plan.target_soc_pct = r.target_soc_pct;
  if (r.deadline <= r.now) return plan;
  plan.slots = horizon(prices, r.now, r.deadline);
  plan.unpriced_minutes = assumed_minutes(plan.slots);

  EnergyPlan energy(plan.slots, r);
  const double need_kwh =
      std::max(0.0, (r.target_soc_pct - r.soc_pct) / 100.0 * std::max(r.capacity_kwh, 0.0));
  double bought = energy.buy_below_zero(need_kwh);
  bought += energy.buy(need_kwh - bought, 0, std::nullopt, true);
  if (need_kwh - bought > kNegligibleKwh) {
    plan.target_reached = false;
    plan.shortfall_pct = (need_kwh - bought) / r.capacity_kwh * 100.0;
  }
  if (r.sell_power_w > 0.0 && r.capacity_kwh > 0.0) {
    const double reserve_kwh = std::max(r.reserve_soc_pct, 0.0) / 100.0 * r.capacity_kwh;
    sell_in_dearest_slots(energy, plan.slots, reserve_kwh);
  }
  settle(plan, energy, r, prices);
  return plan;
}

std::vector<PlanRun> runs_of(const PricePlan& plan, PlannedAction action) {
  std::vector<PlanRun> runs;
  for (const auto& s : plan.slots) {
    if (s.action != action) continue;
    const double price =
        action == PlannedAction::sell ? s.export_per_kwh.value_or(0.0) : s.import_per_kwh;
    if (!runs.empty() && runs.back().end == s.start) {
      auto& run = runs.back();
      run.end = s.end;
      run.min_price = std::min(run.min_price, price);
      run.max_price = std::max(run.max_price, price);
      continue;
    }
    runs.push_back(PlanRun{s.start, s.end, action, price, price});
  }
  return runs;
}

}  // namespace bessd::control
