#include <bessd/control/price_plan.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bessd::control {

namespace {

// Below this a plan's energy is rounding, not a decision (10 Wh).
constexpr double kNegligibleKwh = 0.01;

double hours_between(WallTime a, WallTime b) {
  return std::chrono::duration<double, std::ratio<3600>>(b - a).count();
}

// The priced part of [now, deadline), slot by slot, clipped at both ends.
std::vector<PlannedSlot> horizon(const energy::PriceList& prices, WallTime now, WallTime deadline) {
  std::vector<PlannedSlot> out;
  auto it = std::upper_bound(prices.slots.begin(), prices.slots.end(), now,
                             [](WallTime t, const energy::PriceSlot& s) { return t < s.end; });
  for (; it != prices.slots.end() && it->start < deadline; ++it) {
    PlannedSlot p;
    p.start = std::max(it->start, now);
    p.end = std::min(it->end, deadline);
    if (p.end <= p.start) continue;
    p.import_per_kwh = it->import_per_kwh;
    p.export_per_kwh = it->export_per_kwh;
    out.push_back(p);
  }
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
    std::stable_sort(by_import_.begin(), by_import_.end(), [&](std::size_t a, std::size_t b) {
      return slots_[a].import_per_kwh < slots_[b].import_per_kwh;
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

  // The import price of the cheapest slot that could still charge more: what the next kWh
  // would cost.
  std::optional<double> cheapest_spare_price() const {
    for (const std::size_t i : by_import_)
      if (delta_[i] >= 0.0 && charge_room_[i] - delta_[i] > kNegligibleKwh)
        return slots_[i].import_per_kwh;
    return std::nullopt;
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

double unpriced_minutes(const std::vector<PlannedSlot>& slots, WallTime now, WallTime deadline) {
  double priced = 0.0;
  for (const auto& s : slots) priced += hours_between(s.start, s.end) * 60.0;
  return std::max(0.0, hours_between(now, deadline) * 60.0 - priced);
}

void sell_in_dearest_slots(EnergyPlan& energy, const std::vector<PlannedSlot>& slots,
                           double reserve_kwh) {
  std::vector<std::size_t> by_export;
  for (std::size_t i = 0; i < slots.size(); ++i)
    if (slots[i].export_per_kwh) by_export.push_back(i);
  std::stable_sort(by_export.begin(), by_export.end(), [&](std::size_t a, std::size_t b) {
    return *slots[a].export_per_kwh > *slots[b].export_per_kwh;
  });
  for (const std::size_t e : by_export) energy.try_sell(e, reserve_kwh);
}

// Fills in actions, energies, the SOC path and the totals from the stored-energy plan.
void settle(PricePlan& plan, const EnergyPlan& energy, const PlanRequest& r) {
  double level = energy.start_kwh();
  for (std::size_t i = 0; i < plan.slots.size(); ++i) {
    auto& s = plan.slots[i];
    const double d = energy.delta(i);
    level += d;
    s.soc_after_pct = r.capacity_kwh > 0.0 ? level / r.capacity_kwh * 100.0 : r.soc_pct;
    if (d > kNegligibleKwh) {
      s.action = PlannedAction::charge;
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
  // Hold where using the battery would cost more than the grid: what it gives has to be
  // bought back at the next price the plan could buy at, with the losses both ways. A battery
  // above its target has energy to spare and holds nothing.
  if (r.soc_pct > r.target_soc_pct) return;
  if (const auto next_price = energy.cheapest_spare_price()) {
    const double hold_below =
        *next_price / (r.charge_efficiency * std::max(r.discharge_efficiency, 1e-6));
    for (auto& s : plan.slots)
      if (s.action == PlannedAction::none && s.import_per_kwh <= hold_below)
        s.action = PlannedAction::hold;
  }
}

}  // namespace

std::string_view to_string(PlannedAction a) noexcept {
  switch (a) {
    case PlannedAction::none:
      return "none";
    case PlannedAction::charge:
      return "charge";
    case PlannedAction::hold:
      return "hold";
    case PlannedAction::sell:
      return "sell";
  }
  return "none";
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
  plan.deadline = r.deadline;
  plan.target_soc_pct = r.target_soc_pct;
  if (r.deadline <= r.now) return plan;
  plan.slots = horizon(prices, r.now, r.deadline);
  plan.unpriced_minutes = unpriced_minutes(plan.slots, r.now, r.deadline);

  EnergyPlan energy(plan.slots, r);
  const double need_kwh =
      std::max(0.0, (r.target_soc_pct - r.soc_pct) / 100.0 * std::max(r.capacity_kwh, 0.0));
  // Hours without a price may be cheaper than any known one (tomorrow's prices not out yet):
  // the known slots buy only what those hours could not, and what is paid for (below zero).
  // Only the hours after the last price wait: a gap inside the list is not coming back.
  const WallTime priced_until = plan.slots.empty() ? r.now : plan.slots.back().end;
  const double unpriced_room_kwh =
      hours_between(priced_until, r.deadline) * r.charge_power_w / 1000.0 * r.charge_efficiency;
  double bought = energy.buy_below_zero(need_kwh);
  bought += energy.buy(std::max(0.0, need_kwh - bought - unpriced_room_kwh), 0, std::nullopt, true);
  plan.waiting_for_prices_kwh = std::max(0.0, std::min(need_kwh - bought, unpriced_room_kwh));
  if (need_kwh - bought - unpriced_room_kwh > kNegligibleKwh) {
    plan.target_reached = false;
    plan.shortfall_pct = (need_kwh - bought - plan.waiting_for_prices_kwh) / r.capacity_kwh * 100.0;
  } else if (plan.waiting_for_prices_kwh > kNegligibleKwh) {
    plan.target_reached = false;  // not yet known
  }
  if (r.sell_power_w > 0.0 && r.capacity_kwh > 0.0) {
    const double reserve_kwh = std::max(r.reserve_soc_pct, 0.0) / 100.0 * r.capacity_kwh;
    sell_in_dearest_slots(energy, plan.slots, reserve_kwh);
  }
  settle(plan, energy, r);
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
