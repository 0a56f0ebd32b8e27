#include <bessd/app/control_loop.hpp>

#include <bessd/control/schedule_calendar.hpp>

#include <utility>

#include <bessd/control/safety_triggers.hpp>
#include <bessd/core/soc_window.hpp>
#include <bessd/energy/power_sample.hpp>

namespace bessd::app {

namespace {

// A step every control period; a gap longer than this (the daemon stopped, a link down) is not
// integrated, and a reading older than half of it is not used (docs/api.md "Energy counters").
constexpr Duration kEnergyGap = std::chrono::seconds{10};

control::LifetimeSettings lifetime_settings(const config::Config& cfg) {
  control::LifetimeSettings s;
  s.capacity_ah = cfg.battery.capacity_ah;
  return s;
}

}  // namespace

ControlLoop::ControlLoop(boost::asio::io_context& io, const Clock& clock, const config::Config& cfg,
                         control::FaultLatchStore& latches, ControlLoopSinks sinks)
    : timer_(io),
      clock_(clock),
      period_(cfg.control.period_ms),
      controller_(
          std::make_unique<control::Controller>(control::ControllerSettings::from_config(cfg),
                                                limits::LimitsSettings::from_config(cfg), latches)),
      sinks_(std::move(sinks)),
      lifetime_settings_(lifetime_settings(cfg)),
      lifetime_(lifetime_settings_),
      energy_(kEnergyGap),
      fire_alarm_configured_(cfg.control.fire_alarm.enabled),
      configured_(configured_request(cfg)),
      request_(configured_) {
  set_schedule(cfg);
}

// docs/schedules.md: the zone is checked when the configuration is loaded, so it is found here.
void ControlLoop::set_schedule(const config::Config& cfg) {
  schedule_ = cfg.schedule;
  schedule_zone_.reset();
  min_soc_pct_ = cfg.control.min_soc_pct;
  max_soc_pct_ = cfg.control.max_soc_pct;
  soc_gap_pct_ = core::soc_window_gap_pct(cfg.limits.soc_recovery_hysteresis_pct);
  // A reload keeps the prices read while the file stays the same (the feed reads a new one).
  auto prices = price_schedule_ ? price_schedule_->prices() : nullptr;
  const bool same_file = price_schedule_ && schedule_ && schedule_->by_price &&
                         schedule_->by_price->file == price_schedule_->settings().plan.file;
  price_schedule_.reset();
  if (schedule_ && schedule_->by_price) {
    price_schedule_.emplace(control::PriceScheduleSettings::from_config(cfg));
    if (same_file) price_schedule_->set_prices(std::move(prices));
  }
  if (!schedule_) return;
  std::optional<TimeZone> zone;  // the configured zone if it is known, else the system's
  if (!schedule_->time_zone.empty())
    if (auto named = TimeZone::named(schedule_->time_zone)) zone = *named;
  schedule_zone_ = zone ? *zone : TimeZone::system();
}

void ControlLoop::set_prices(std::shared_ptr<const energy::PriceList> prices) {
  if (price_schedule_) price_schedule_->set_prices(std::move(prices));
}

// docs/schedules.md "Planning by price": between the windows the plan decides, inside the
// window in force (the owner's reserve and target narrow the configured ones).
void ControlLoop::plan_by_price(control::StepInput& in) {
  if (!price_schedule_ || !schedule_zone_ || !in.scheduled || !in.scheduled->window.empty() ||
      in.scheduled->clock_unset)
    return;
  const auto w = core::soc_window(min_soc_pct_, max_soc_pct_, soc_gap_pct_, owner_.reserve_soc_pct,
                                  owner_.target_soc_pct);
  // What the pack takes (its BMS's charge current limit: cold cells, a full pack), not the
  // site's headroom, which moves with every kettle.
  std::optional<double> pack_charge_w;
  if (pack_.limits.charge_current_limit_a && pack_.voltage_v)
    pack_charge_w = *pack_.limits.charge_current_limit_a * *pack_.voltage_v;
  if (auto action = price_schedule_->action_at(in.wall_now, *schedule_zone_, pack_.soc_pct,
                                               w.reserve_pct, w.target_pct, pack_charge_w))
    in.scheduled = std::move(*action);
}

control::OperatorRequest ControlLoop::configured_request(const config::Config& cfg) {
  control::OperatorRequest r;
  r.mode = cfg.control.mode;
  r.manual_setpoint_w = cfg.control.manual_setpoint_w;
  return r;
}

void ControlLoop::reconfigure(const config::Config& cfg) {
  // The running controller takes the new settings and keeps its state: latches (persisted or
  // not), acknowledgements, OP-HYST-01 hold timers, the obey monitor and the recovery charge.
  // A fresh controller would forget them (a SIGHUP just after an ack brought the fault back).
  controller_->reconfigure(control::ControllerSettings::from_config(cfg),
                           limits::LimitsSettings::from_config(cfg));
  period_ = std::chrono::milliseconds(cfg.control.period_ms);
  fire_alarm_configured_ = cfg.control.fire_alarm.enabled;
  set_schedule(cfg);
  // A reloaded `control.mode` takes effect unless the operator's mode is in force.
  configured_ = configured_request(cfg);
  if (!operator_mode_) request_ = configured_;
  step_now();
}

void ControlLoop::restore_energy(const energy::EnergyTotals& totals, WallTime since,
                                 WallTime saved_at, bool stored,
                                 std::optional<energy::DayEnergy> today) {
  energy_ = energy::EnergyCounters(kEnergyGap, totals);
  energy_since_ = since;
  energy_pending_ = ShownEnergy{totals, saved_at, today};
  if (stored)
    energy_shown_ = energy_pending_;
  else
    energy_shown_.reset();
}

void ControlLoop::restore_lifetime(const control::LifetimeCounters& counters) {
  lifetime_ = control::LifetimeTracker(lifetime_settings_, counters);
}

void ControlLoop::start() {
  stopped_ = false;
  step_now();
  schedule();
}

void ControlLoop::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  stop_step();
}

// While stopping (the safe-state read-back, a release), a safety input still reaches the
// controller: a fire alarm then is latched and stored, and keeps the inverter held, instead of
// being lost with the process.
void ControlLoop::safety_step() {
  safety_input_at_ = clock_.now();
  if (stopped_)
    stop_step();
  else
    step_now();
}

void ControlLoop::stop_step() {
  run_step(/*stop=*/true, /*ack=*/false);
}

void ControlLoop::schedule() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    step_now();
    schedule();
  });
}

control::StepInput ControlLoop::make_input(bool stop, bool ack) const {
  control::StepInput in;
  in.now = clock_.now();
  in.wall_now = clock_.wall_now();
  in.snapshot.pack = pack_;
  in.snapshot.inverter = inverter_;
  in.snapshot.compliance = compliance_;
  in.snapshot.second_life = second_life_;
  in.snapshot.fire_alarm_configured = fire_alarm_configured_;
  in.snapshot.fire_alarm_active = fire_alarm_active_;
  in.snapshot.owner = owner_;
  in.request = request_;
  // Until the safety state is confirmed writable at start, no mode releases power.
  if (hold_until_confirmed_) in.request.mode = config::OperatingMode::idle;
  in.mode_held_at_start = hold_until_confirmed_ && request_.mode != config::OperatingMode::idle;
  if (in.request.mode == config::OperatingMode::schedule) {
    if (schedule_ && schedule_zone_)
      in.scheduled = control::clock_is_set(in.wall_now)
                         ? control::scheduled_at(*schedule_, schedule_zone_->reading(in.wall_now))
                         : control::without_clock();
    else
      in.request.mode = config::OperatingMode::idle;  // a reload took the schedule away
  }
  in.ack_faults = ack;
  if (ack) in.ack_seen = ack_seen_;
  in.stop_requested = stop;
  return in;
}

void ControlLoop::step_now() {
  if (stopped_) return;
  const bool ack = ack_pending_;
  ack_pending_ = false;
  end_expired_request();
  run_step(/*stop=*/false, ack);
}

// One controller step and its outputs, in this order: the command first (nothing may delay it),
// then events and the step sink (telemetry, watchdog).
void ControlLoop::run_step(bool stop, bool ack) {
  refresh_inverter();
  auto in = make_input(stop, ack);
  plan_by_price(in);
  in.latch_write_failure = std::exchange(latch_write_failure_, std::nullopt);
  last_output_ = controller_->step(in);
  ++steps_;
  if (!stop) {
    lifetime_.update(pack_);
    energy_.add(energy::power_sample(pack_, inverter_, in.now, kEnergyGap / 2));
  }
  const auto safety_input_at = std::exchange(safety_input_at_, std::nullopt);
  if (sinks_.apply_command) sinks_.apply_command(last_output_.command, safety_input_at);
  if (sinks_.event)
    for (const auto& e : last_output_.events) sinks_.event(e);
  if (sinks_.stepped) sinks_.stepped(in, last_output_);
}

void ControlLoop::set_pack(const core::PackState& pack, bool safety_relevant) {
  // The monitor flags its own edges; the controller's rule adds the ones only it knows (a cell
  // crossing its window, a limit dropping to zero). This runs for every frame that changed the
  // pack, and only the pack changes here: compare it alone, without building step inputs.
  const bool relevant = safety_relevant || control::is_safety_relevant_change(
                                               pack_, pack, controller_->limits_settings());
  pack_ = pack;
  if (relevant) safety_step();
}

void ControlLoop::set_inverter(const core::InverterState& inverter) {
  inverter_ = inverter;
}

void ControlLoop::refresh_inverter() {
  if (!inverter_source_) return;
  if (auto s = inverter_source_()) {
    inverter_ = *s;
  } else {
    inverter_.online = false;
  }
}

void ControlLoop::set_inverter_offline() {
  inverter_.online = false;
}

void ControlLoop::set_compliance(const compliance::ComplianceReport& report) {
  const bool was_blocked = compliance_.blocked;
  compliance_.blocked = report.blocks();
  compliance_.reason.clear();
  for (const auto& f : report.findings) {
    if (f.verdict != compliance::Verdict::block) continue;
    if (!compliance_.reason.empty()) compliance_.reason += " ";
    compliance_.reason += f.rule_id + ": " + f.title + ".";
  }
  second_life_ = {};
  if (report.second_life_derate) {
    second_life_.factor_k = report.second_life_derate->factor;
    second_life_.cell_voltage_max_v = report.second_life_derate->cell_voltage_max_v;
    second_life_.cell_voltage_min_v = report.second_life_derate->cell_voltage_min_v;
  }
  if (compliance_.blocked != was_blocked) safety_step();
}

void ControlLoop::set_fire_alarm(bool active) {
  const bool changed = active != fire_alarm_active_;
  fire_alarm_active_ = active;
  if (changed) safety_step();
}

void ControlLoop::set_request(const control::OperatorRequest& request) {
  request_ = request;
  operator_mode_ = true;
  step_now();
}

void ControlLoop::set_owner(const limits::OwnerSocSettings& owner) {
  owner_ = owner;
  step_now();
}

void ControlLoop::end_expired_request() {
  if (!operator_mode_ || !control::has_expired(request_, clock_.wall_now())) return;
  const auto expired = request_;
  request_ = configured_;
  operator_mode_ = false;
  if (sinks_.mode_expired) sinks_.mode_expired(expired);
}

void ControlLoop::report_latch_write_failure(const std::string& what) {
  latch_write_failure_ = latch_write_failure_ ? *latch_write_failure_ + "; " + what : what;
  step_now();
}

void ControlLoop::acknowledge_faults(
    std::optional<std::map<std::string, std::uint64_t, std::less<>>> seen) {
  ack_pending_ = true;
  ack_seen_ = std::move(seen);
  step_now();
  // Taken by that step; a loop that no longer steps (stopped) drops it rather than apply it
  // later without what was seen.
  ack_pending_ = false;
  ack_seen_.reset();
}

}  // namespace bessd::app
