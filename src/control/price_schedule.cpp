#include <bessd/control/price_schedule.hpp>

#include <algorithm>
#include <cmath>

#include <bessd/common/printf_string.hpp>
#include <bessd/config/config.hpp>
#include <bessd/core/soc_window.hpp>

namespace bessd::control {

namespace {

using Kind = config::ScheduleActionKind;

bool differs(double a, double b) {
  return std::abs(a - b) > 1e-6;
}

}  // namespace

PriceScheduleSettings PriceScheduleSettings::from_config(const config::Config& cfg) {
  PriceScheduleSettings s;
  if (cfg.schedule && cfg.schedule->by_price) s.plan = *cfg.schedule->by_price;
  s.capacity_kwh =
      cfg.battery.nominal_energy_kwh * cfg.battery.second_life.soh_pct.value_or(100.0) / 100.0;
  // The config check makes sure one of the three is there (docs/schedules.md).
  s.charge_power_w = s.plan.charge_power_w.value_or(
      cfg.battery.max_charge_power_w.value_or(cfg.inverter.rated_power_w.value_or(0.0)));
  if (cfg.prices) s.currency = cfg.prices->currency;
  return s;
}

std::string price_text(double low, double high, const std::string& currency) {
  const auto number = [](double v) { return printf_string("%.4g", v); };
  std::string text = number(low);
  if (differs(low, high)) text += "–" + number(high);
  return text + (currency.empty() ? "/kWh" : " " + currency + "/kWh");
}

std::optional<double> expected_soc_pct(const PricePlan& plan, WallTime t) {
  double before = plan.start_soc_pct;
  for (const auto& s : plan.slots) {
    if (t < s.start) return before;
    if (t < s.end) {
      const double part = std::chrono::duration<double>(t - s.start).count() /
                          std::chrono::duration<double>(s.end - s.start).count();
      return before + part * (s.soc_after_pct - before);
    }
    before = s.soc_after_pct;
  }
  return std::nullopt;
}

namespace {

std::string spans_of(const std::vector<PlanRun>& runs, WallTime now, const TimeZone& zone,
                     const std::string& currency) {
  std::string text;
  int shown = 0;
  for (const auto& run : runs) {
    if (run.end <= now) continue;
    if (++shown > 3) {
      text += " and later";
      break;
    }
    text += (text.empty() ? "" : ", ") + zone.clock_text(run.start) + "–" +
            zone.clock_text(run.end) + " at " + price_text(run.min_price, run.max_price, currency);
  }
  return text;
}

std::string money_text(double amount, const std::string& currency) {
  return printf_string("%.2f", amount) + (currency.empty() ? "" : " " + currency);
}

}  // namespace

std::string describe_plan(const PricePlan& plan, WallTime now, const TimeZone& zone,
                          const std::string& currency) {
  const std::string by =
      core::pct_text(plan.target_soc_pct) + " by " + zone.clock_text(plan.deadline);
  std::string text;
  const auto charges = runs_of(plan, PlannedAction::charge);
  if (plan.charge_grid_kwh > 0.0)
    text = printf_string("Charging %.1f kWh from the grid ", plan.charge_grid_kwh) +
           spans_of(charges, now, zone, currency) + " for " + by + ".";
  else if (plan.waiting_for_prices_kwh <= 0.0 && plan.target_reached)
    text = "Nothing to buy for " + by + ".";
  if (plan.sold_grid_kwh > 0.0)
    text += printf_string(" Selling %.1f kWh ", plan.sold_grid_kwh) +
            spans_of(runs_of(plan, PlannedAction::sell), now, zone, currency) +
            ", bought back cheaper.";
  if (plan.unpriced_minutes > 0.0) {
    text += plan.prices_end && *plan.prices_end > plan.made_at
                ? " Prices are known until " + zone.clock_text(*plan.prices_end) + ";"
                : std::string(" No price is known for these hours;");
    text += plan.waiting_for_prices_kwh > 0.0
                ? printf_string(
                      " %.1f kWh are planned at prices assumed from the days before, "
                      "until the real ones are out.",
                      plan.waiting_for_prices_kwh / plan.charge_efficiency)
                : std::string(" the rest is planned at prices assumed from the days before.");
  }
  if (!plan.target_reached && plan.shortfall_pct > 0.0)
    text += " " + by + printf_string(" cannot be reached: %.0f points short", plan.shortfall_pct) +
            " with every slot charging.";
  if (plan.charge_grid_kwh > 0.0 || plan.sold_grid_kwh > 0.0)
    text += " Expected " + std::string(plan.expected_cost() < 0 ? "income " : "cost ") +
            money_text(std::abs(plan.expected_cost()), currency) + ".";
  if (!text.empty() && text.front() == ' ') text.erase(0, 1);
  return text;
}

void PriceSchedule::set_prices(std::shared_ptr<const energy::PriceList> prices) {
  prices_ = std::move(prices);
  ++prices_version_;
}

bool PriceSchedule::needs_plan(WallTime now, WallTime deadline, double soc_pct, double reserve_pct,
                               double target_pct, double charge_power_w) const {
  if (!plan_ || planned_version_ != prices_version_) return true;
  // The pack takes much less than planned (a cold night, a BMS limit): plan again now. More
  // power is taken up at the next slot's end, so a limit that wavers moves nothing.
  if (charge_power_w < 0.8 * planned_charge_power_w_) return true;
  if (plan_->deadline != deadline || differs(plan_->target_soc_pct, target_pct) ||
      differs(planned_reserve_pct_, reserve_pct))
    return true;
  // A slot has ended since: the next starts on fresh figures.
  if (!plan_->slots.empty() && now >= plan_->slots.front().end) return true;
  if (plan_->slots.empty() && now >= plan_->made_at + std::chrono::minutes{30}) return true;
  const auto expected = expected_soc_pct(*plan_, now);
  return expected && std::abs(*expected - soc_pct) >= kSocDriftPct;
}

std::optional<ScheduledAction> PriceSchedule::action_at(WallTime now, const TimeZone& zone,
                                                        std::optional<double> soc_pct,
                                                        double reserve_pct, double target_pct,
                                                        std::optional<double> pack_charge_w) {
  if (!prices_ || !soc_pct) return std::nullopt;
  const auto& p = settings_.plan;
  const double target = std::min(p.target_soc_pct.value_or(target_pct), target_pct);
  const WallTime deadline = zone.next_at(now, p.ready_by_minute);
  // What the pack takes now, when it says (a cold pack, the BMS's current limit): the plan must
  // not count on power it will not get. Zero is a block (full, a fault) that says nothing of
  // the night's power.
  double charge_power_w = settings_.charge_power_w;
  if (pack_charge_w && *pack_charge_w > 100.0)
    charge_power_w = std::min(charge_power_w, *pack_charge_w);
  if (needs_plan(now, deadline, *soc_pct, reserve_pct, target, charge_power_w)) {
    PlanRequest r;
    r.now = now;
    r.deadline = deadline;
    r.soc_pct = *soc_pct;
    r.target_soc_pct = target;
    r.reserve_soc_pct = reserve_pct;
    r.capacity_kwh = settings_.capacity_kwh;
    r.charge_power_w = charge_power_w;
    r.sell_power_w = p.sell_power_w.value_or(0.0);
    r.charge_efficiency = r.discharge_efficiency = std::sqrt(p.round_trip_efficiency_pct / 100.0);
    r.sell_margin_per_kwh = p.sell_margin_per_kwh.value_or(0.0);
    plan_ = std::make_shared<const PricePlan>(plan_by_price(*prices_, r));
    planned_version_ = prices_version_;
    planned_reserve_pct_ = reserve_pct;
    planned_charge_power_w_ = charge_power_w;
    ++plans_made_;
  }
  const auto* slot = plan_->at(now);
  if (slot == nullptr) return std::nullopt;
  ScheduledAction a;
  switch (slot->action) {
    case PlannedAction::none:
      return std::nullopt;
    case PlannedAction::charge:
      if (slot->import_per_kwh < 0.0) {  // paid to use energy: up to the charge target in force
        a.action = {Kind::charge, target_pct, std::nullopt, p.charge_power_w};
        a.window = "by price, paid " +
                   price_text(-slot->import_per_kwh, -slot->import_per_kwh, currency()) +
                   " to use energy";
        return a;
      }
      a.action = {Kind::charge, plan_->target_soc_pct, std::nullopt, p.charge_power_w};
      a.window = describe_charge(*plan_, now, zone);
      return a;
    case PlannedAction::hold:
      a.action = {Kind::hold, std::nullopt, std::nullopt, std::nullopt};
      a.window = "by price, grid at " +
                 price_text(slot->import_per_kwh, slot->import_per_kwh, currency()) +
                 ": battery kept for later";
      return a;
    case PlannedAction::sell:
      a.action = {Kind::discharge, std::nullopt, std::nullopt, p.sell_power_w};
      a.window = "by price, selling at " +
                 price_text(*slot->export_per_kwh, *slot->export_per_kwh, currency()) +
                 ", bought back cheaper by " + zone.clock_text(plan_->deadline);
      return a;
  }
  return std::nullopt;
}

const std::string& PriceSchedule::currency() const {
  return prices_ && !prices_->currency.empty() ? prices_->currency : settings_.currency;
}

// "by price, cheapest slots 00:30–04:30 at 7.5 p/kWh, 90 % by 07:00"
std::string PriceSchedule::describe_charge(const PricePlan& plan, WallTime now,
                                           const TimeZone& zone) const {
  const auto runs = runs_of(plan, PlannedAction::charge);
  double low = 0.0;
  double high = 0.0;
  std::string spans;
  for (const auto& run : runs) {
    if (run.end <= now) continue;
    low = spans.empty() ? run.min_price : std::min(low, run.min_price);
    high = spans.empty() ? run.max_price : std::max(high, run.max_price);
    if (spans.size() < 40)  // a few spans; the plan has them all
      spans +=
          (spans.empty() ? "" : ", ") + zone.clock_text(run.start) + "–" + zone.clock_text(run.end);
  }
  return "by price, cheapest slots " + spans + " at " + price_text(low, high, currency()) + ", " +
         core::pct_text(plan.target_soc_pct) + " by " + zone.clock_text(plan.deadline);
}

}  // namespace bessd::control
