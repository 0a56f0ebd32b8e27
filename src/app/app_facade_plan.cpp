// AppFacade's plan by price (docs/api.md "GET /v1/plan", docs/schedules.md "Planning by price"):
// the control loop's plan with its price file, as the API shows it.

#include <bessd/app/app_facade.hpp>
#include <bessd/config/schedule_config.hpp>
#include <bessd/control/price_schedule.hpp>

namespace bessd::app {

namespace {

api::PriceFileDto price_file_dto(const PriceFileState* f) {
  api::PriceFileDto d;
  if (f == nullptr) return d;
  d.file = f->file;
  d.read_at = f->read_at;
  d.slots = f->slots;
  d.first_start = f->first_start;
  d.last_end = f->last_end;
  if (!f->error.empty()) d.error = f->error;
  return d;
}

// No plan yet: why, in words.
std::string why_no_plan(const api::PlanDto& d, bool soc_known) {
  if (d.prices.error) return "No plan: " + *d.prices.error + ".";
  if (!d.prices.read_at) return "No plan: no price list read yet from " + d.prices.file + ".";
  if (!soc_known) return "No plan: the battery's state of charge is not known yet.";
  return "No plan yet: one is made in mode schedule, between the windows.";
}

}  // namespace

// Mode schedule with no fixed window holding: the plan decides (or the outside action, where it
// has nothing for now).
bool AppFacade::plan_in_force() const {
  const auto& sp = ctx_.loop.last_output().scheduled;
  return ctx_.loop.request().mode == config::OperatingMode::schedule && sp && !sp->clock_unset &&
         (sp->window.empty() || sp->window.starts_with("by price"));
}

api::PlanDto AppFacade::plan() const {
  return plan_of(/*with_slots=*/true);
}

// /v1/status shows only the words: the slot list is left out there.
api::PlanDto AppFacade::plan_of(bool with_slots) const {
  api::PlanDto d;
  const auto* schedule = ctx_.loop.price_schedule();
  if (schedule == nullptr) return d;
  d.configured = true;
  d.in_force = plan_in_force();
  d.prices = price_file_dto(ctx_.price_file ? ctx_.price_file() : nullptr);
  d.ready_by = config::clock_text(schedule->settings().plan.ready_by_minute);
  const auto& prices = schedule->prices();
  d.currency =
      prices && !prices->currency.empty() ? prices->currency : schedule->settings().currency;
  const auto plan = schedule->plan();
  const auto& zone = ctx_.loop.schedule_zone();
  if (!plan || !zone) {
    d.summary = why_no_plan(
        d, ctx_.loop.last_output().scheduled.has_value() && ctx_.loop.pack().soc_pct.has_value());
    return d;
  }
  d.made_at = plan->made_at;
  d.deadline = plan->deadline;
  d.start_soc_pct = plan->start_soc_pct;
  d.target_soc_pct = plan->target_soc_pct;
  d.charge_kwh = plan->charge_grid_kwh;
  d.charge_cost = plan->charge_cost;
  d.sold_kwh = plan->sold_grid_kwh;
  d.sale_income = plan->sale_income;
  d.expected_cost = plan->expected_cost();
  d.target_reached = plan->target_reached;
  d.shortfall_pct = plan->shortfall_pct;
  d.waiting_for_prices_kwh = plan->waiting_for_prices_kwh;
  d.unpriced_minutes = plan->unpriced_minutes;
  d.summary = control::describe_plan(*plan, ctx_.clock.wall_now(), *zone, d.currency);
  if (!with_slots) return d;
  for (const auto& s : plan->slots)
    d.slots.push_back({s.start, s.end, std::string(control::to_string(s.action)), s.import_per_kwh,
                       s.export_per_kwh, s.grid_kwh, s.soc_after_pct, s.assumed});
  return d;
}

}  // namespace bessd::app
