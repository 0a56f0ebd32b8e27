#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include <bessd/control/controller.hpp>
#include <bessd/control/fault_catalog.hpp>
#include <bessd/limits/chemistry.hpp>

namespace bessd::control {
namespace {

using core::CommandKind;
using core::EventEdge;
using core::Severity;

__attribute__((format(printf, 1, 2))) std::string fmt(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (n < 0) return {};
  return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

Duration seconds_d(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

core::Event control_event(TimePoint at, Severity sev, EventEdge edge, std::string code,
                          std::string message) {
  return core::Event{at, sev, edge, "control", std::move(code), std::move(message), {}};
}

std::int64_t unix_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view to_string(ControlState s) noexcept {
  switch (s) {
    case ControlState::starting:
      return "starting";
    case ControlState::standby:
      return "standby";
    case ControlState::running:
      return "running";
    case ControlState::fault:
      return "fault";
    case ControlState::lockout:
      return "lockout";
    case ControlState::stopped:
      return "stopped";
  }
  return "invalid";
}

ControllerSettings ControllerSettings::from_config(const config::Config& cfg) {
  ControllerSettings s;
  s.self_consumption = cfg.control.self_consumption;
  s.obey_tolerance_w = cfg.inverter.obey_tolerance_w;
  s.obey_window = seconds_d(cfg.inverter.obey_window_s);
  s.inverter_timeout = std::max<Duration>(
      std::chrono::seconds{3}, std::chrono::milliseconds{3 * cfg.inverter.poll_period_ms});
  s.commissioning = cfg.control.commissioning;
  s.fire_alarm_configured = cfg.control.fire_alarm.enabled;
  s.max_ramp_interval = std::max<Duration>(std::chrono::seconds{1},
                                           std::chrono::milliseconds{2 * cfg.control.period_ms});
  s.soc.ocv_soc_pct = limits::chemistry_defaults(cfg.battery.chemistry).ocv_soc_pct;
  s.soc.capacity_ah = cfg.battery.capacity_ah;
  s.soc.divergence_pct = cfg.control.soc_divergence_pct;
  return s;
}

Controller::Controller(ControllerSettings settings, limits::LimitsSettings limits,
                       FaultLatchStore& store)
    : settings_(std::move(settings)),
      engine_(std::move(limits)),
      store_(store),
      soc_(settings_.soc),
      sign_(settings_.sign) {
  auto loaded = store_.load();
  if (!loaded) {
    faults_.push_back(FaultState{std::string(fault_id::latch_store),
                                 "could not read the latched faults: " + loaded.error().message,
                                 true, false});
    return;
  }
  for (const auto& f : *loaded) faults_.push_back(FaultState{f.id, f.reason, true, false});
}

void Controller::set_cause(std::string_view id, bool active, const std::string& reason,
                           const StepInput& in, std::vector<core::Event>& events) {
  auto it =
      std::find_if(faults_.begin(), faults_.end(), [&](const FaultState& f) { return f.id == id; });
  const FaultSpec* spec = find_fault(id);
  const bool latches = spec && spec->clearing == FaultClearing::latched;
  const Severity sev = spec ? spec->severity : Severity::error;
  const std::string title = spec ? std::string(spec->title) : std::string(id);
  if (active) {
    if (it == faults_.end()) {
      faults_.push_back(FaultState{std::string(id), reason, latches, true});
      events.push_back(
          control_event(in.now, sev, EventEdge::raised, std::string(id), title + ": " + reason));
      if (latches) {
        const Status st = store_.latch(LatchedFault{std::string(id), reason, unix_ms(in.wall_now)});
        if (!st) {
          events.push_back(control_event(
              in.now, Severity::error, EventEdge::once, std::string(fault_id::latch_store),
              "Could not persist latched fault " + std::string(id) + ": " + st.error().message));
          if (std::none_of(faults_.begin(), faults_.end(),
                           [](const FaultState& f) { return f.id == fault_id::latch_store; }))
            faults_.push_back(FaultState{std::string(fault_id::latch_store),
                                         "could not persist a latched fault: " + st.error().message,
                                         true, false});
        }
      }
    } else if (!it->cause_active) {
      it->cause_active = true;
      it->reason = reason;
      events.push_back(control_event(in.now, sev, EventEdge::raised, std::string(id),
                                     title + " (again): " + reason));
    }
    return;
  }
  if (it == faults_.end() || !it->cause_active) return;
  it->cause_active = false;
  if (!it->latched) {
    events.push_back(control_event(in.now, Severity::info, EventEdge::cleared, std::string(id),
                                   "Cleared: " + title));
    faults_.erase(it);
  } else {
    events.push_back(control_event(
        in.now, Severity::warning, EventEdge::once, std::string(id),
        "The cause has cleared; the fault stays latched until an operator acknowledges: " + title));
  }
}

void Controller::handle_ack(const StepInput& in, std::vector<core::Event>& events) {
  if (!in.ack_faults) return;
  std::string refused;
  for (auto it = faults_.begin(); it != faults_.end();) {
    if (!it->latched) {
      ++it;
      continue;
    }
    if (it->cause_active) {
      refused += (refused.empty() ? "" : ", ") + it->id;
      ++it;
      continue;
    }
    const Status st = store_.clear(it->id);
    if (!st)
      events.push_back(control_event(in.now, Severity::error, EventEdge::once,
                                     std::string(fault_id::latch_store),
                                     "Could not remove acknowledged fault " + it->id +
                                         " from the store: " + st.error().message));
    events.push_back(control_event(in.now, Severity::info, EventEdge::cleared, it->id,
                                   "Acknowledged by the operator: " + it->id));
    it = faults_.erase(it);
  }
  if (!refused.empty())
    events.push_back(
        control_event(in.now, Severity::warning, EventEdge::once, "control.ack_refused",
                      "Acknowledgement refused while the cause is still present: " + refused));
}

double Controller::self_consumption_setpoint(const StepInput& in) {
  const auto& inv = in.snapshot.inverter;
  const auto& sc = settings_.self_consumption;
  const double target = in.request.target_grid_w.value_or(sc.target_grid_w);
  const std::optional<double> grid =
      in.meter_grid_power_w ? in.meter_grid_power_w : inv.grid_power_w;
  if (!grid) return 0.0;  // no reading: hold the battery idle (caller raises the event)
  // Using the *measured* battery power with the grid reading of the same moment gives the
  // house's own demand: the ideal setpoint does not depend on how far the inverter has got, so
  // a slow inverter cannot wind the controller up into overshoot.
  const double measured = inv.battery_power_w.value_or(sc_setpoint_w_);
  const double error = *grid - target;
  double desired = sc_setpoint_w_;
  if (std::abs(error) > sc.deadband_w) desired = measured - error;
  if (std::abs(desired - sc_setpoint_w_) <= sc.deadband_w) desired = sc_setpoint_w_;
  const Duration dt = last_step_at_ && in.now > *last_step_at_
                          ? std::min(in.now - *last_step_at_, settings_.max_ramp_interval)
                          : Duration::zero();
  const double max_change = sc.ramp_w_per_s * to_seconds(dt);
  return sc_setpoint_w_ + std::clamp(desired - sc_setpoint_w_, -max_change, max_change);
}

StepOutput Controller::step(const StepInput& in) {
  StepOutput out;
  auto& events = out.events;
  const auto& inv = in.snapshot.inverter;
  const auto& pack = in.snapshot.pack;

  // ---- Inverter link (COM-02) ----------------------------------------------------------------
  const bool online = inv.online && inv.read_at && in.now >= *inv.read_at &&
                      in.now - *inv.read_at <= settings_.inverter_timeout;
  if (online) inverter_read_once_ = true;
  out.inverter_online = online;

  // ---- Obey check / safe-state read-back (against the commands already written) ---------------
  bool not_obeying = false;
  std::optional<double> measured_w = inv.battery_power_w;
  if (online && last_command_.kind != CommandKind::none && measured_w) {
    const double s1 =
        last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
    const double hi = std::max({s1, prev_commanded_w_, 0.0}) + settings_.obey_tolerance_w;
    const double lo = std::min({s1, prev_commanded_w_, 0.0}) - settings_.obey_tolerance_w;
    if (*measured_w > hi || *measured_w < lo) {
      if (!obey_bad_since_) obey_bad_since_ = in.now;
      not_obeying = in.now - *obey_bad_since_ > settings_.obey_window;
    } else {
      obey_bad_since_.reset();
    }
    out.safe_state_verified = last_command_.kind == CommandKind::safe_state &&
                              std::abs(*measured_w) <= settings_.obey_tolerance_w;
  } else {
    obey_bad_since_.reset();
  }

  // ---- Limits (with the faults known so far) -------------------------------------------------
  limits::LimitsInput li = in.snapshot;
  li.fire_alarm_configured = li.fire_alarm_configured || settings_.fire_alarm_configured;
  li.faults.clear();
  for (const auto& f : faults_)
    if (f.id != fault_id::bms_lost && f.id != fault_id::inverter_link_lost)
      li.faults.push_back(limits::ActiveFault{f.id, f.reason});
  limits::LimitsResult lr = engine_.compute(li, in.now);
  events.insert(events.end(), std::make_move_iterator(lr.events.begin()),
                std::make_move_iterator(lr.events.end()));
  const auto& fnd = lr.findings;

  // ---- Fault causes ----------------------------------------------------------------------------
  // At start-up the BMS gets lost_after to deliver its first frames before "never seen" counts as
  // lost (the limits are zero meanwhile anyway); afterwards silence is COM-01 at once.
  if (!first_step_at_) first_step_at_ = in.now;
  // The grace lasts while any part has never been seen: a BMS sends its frames one by one over
  // a cycle, so the first frame must not end the grace while the others are still on their way.
  const bool some_part_never_seen =
      !pack.measured_at || !pack.limits_at || !pack.cells_at || !pack.flags_at || !pack.charge_at;
  const bool start_grace =
      some_part_never_seen && in.now - *first_step_at_ < engine_.settings().lost_after;
  set_cause(fault_id::bms_lost, fnd.bms_lost && !start_grace,
            fmt("no complete BMS data within %.1f s", to_seconds(engine_.settings().lost_after)),
            in, events);
  set_cause(fault_id::inverter_link_lost, inverter_read_once_ && !online,
            fmt("no answer from the inverter for more than %.1f s",
                to_seconds(settings_.inverter_timeout)),
            in, events);
  set_cause(fault_id::protection_flag, fnd.protection_flag,
            "the BMS reports " + fnd.protection_detail, in, events);
  set_cause(fault_id::cell_voltage_window, fnd.cell_voltage_out_of_window,
            fmt("cells at %.3f … %.3f V, window %.3f … %.3f V", pack.cell_voltage_min_v.value_or(0),
                pack.cell_voltage_max_v.value_or(0), engine_.settings().cell_voltage_min_v,
                engine_.settings().cell_voltage_max_v),
            in, events);
  set_cause(
      fault_id::cell_temperature_window, fnd.cell_temperature_out_of_window,
      fmt("cells at %.1f … %.1f °C, window %.0f … %.0f °C", pack.cell_temperature_min_c.value_or(0),
          pack.cell_temperature_max_c.value_or(0), engine_.settings().discharge_temperature_min_c,
          engine_.settings().discharge_temperature_max_c),
      in, events);
  set_cause(fault_id::fire_alarm, fnd.fire_alarm, "the fire alarm input has tripped", in, events);
  set_cause(fault_id::over_current, fnd.over_current_block,
            fmt("battery current %.1f A stays above the limit", pack.current_a.value_or(0)), in,
            events);
  set_cause(fault_id::inverter_not_obeying, not_obeying,
            fmt("battery power %.0f W while %.0f W was commanded, for more than %.0f s",
                measured_w.value_or(0.0),
                last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0,
                to_seconds(settings_.obey_window)),
            in, events);
  // COM-03: judged against the command in force.
  const SignCheckResult sign = sign_.update(last_command_, pack, in.now);
  // Outside commissioning a mismatch is a warning, raised and cleared on edges.
  if (!settings_.commissioning && sign.verdict != SignVerdict::inconclusive) {
    const bool mismatch = sign.verdict == SignVerdict::disagrees;
    if (mismatch != sign_warning_) {
      sign_warning_ = mismatch;
      events.push_back(control_event(
          in.now, mismatch ? Severity::warning : Severity::info,
          mismatch ? EventEdge::raised : EventEdge::cleared, "COM-03",
          mismatch ? sign.detail
                   : "COM-03: the current sign agrees with the command and the voltage trend."));
    }
  }
  set_cause(fault_id::sign_mismatch,
            settings_.commissioning && sign.verdict == SignVerdict::disagrees, sign.detail, in,
            events);
  handle_ack(in, events);

  // ---- SOC cross-check -----------------------------------------------------------------------
  auto soc_events = soc_.update(pack, in.now);
  events.insert(events.end(), std::make_move_iterator(soc_events.begin()),
                std::make_move_iterator(soc_events.end()));
  out.soc = soc_.estimate();

  // ---- A fault raised this step holds the envelope at zero now, not next step ------------------
  core::Envelope env = lr.envelope;
  for (const auto& f : faults_) {
    if (f.id == fault_id::bms_lost || f.id == fault_id::inverter_link_lost) continue;
    const bool known = std::any_of(li.faults.begin(), li.faults.end(),
                                   [&](const limits::ActiveFault& a) { return a.id == f.id; });
    if (known) continue;
    const core::Cause cause{core::CauseKind::fault, f.id,
                            fmt("Charging and discharging are stopped because of the fault %s: %s",
                                f.id.c_str(), f.reason.c_str())};
    for (core::Bound* b : {&env.charge_current_max_a, &env.discharge_current_max_a,
                           &env.charge_power_max_w, &env.discharge_power_max_w})
      if (b->value > 0.0) *b = core::Bound{0.0, cause};
  }

  // ---- State ---------------------------------------------------------------------------------
  if (in.request.mode != mode_) {
    events.push_back(control_event(in.now, Severity::info, EventEdge::once, "control.mode",
                                   "Mode: " + std::string(config::to_string(mode_)) + " -> " +
                                       std::string(config::to_string(in.request.mode))));
    mode_ = in.request.mode;
  }
  ControlState next;
  if (in.stop_requested || state_ == ControlState::stopped)
    next = ControlState::stopped;
  else if (!inverter_read_once_)
    next = ControlState::starting;
  else if (!faults_.empty())
    next = ControlState::fault;
  else if (in.snapshot.compliance.blocked)
    next = ControlState::lockout;
  else
    next = mode_ == config::OperatingMode::idle ? ControlState::standby : ControlState::running;
  if (next != state_) {
    const bool bad = next == ControlState::fault || next == ControlState::lockout;
    std::string msg =
        "State: " + std::string(to_string(state_)) + " -> " + std::string(to_string(next));
    if (next == ControlState::lockout) msg += " (" + in.snapshot.compliance.reason + ")";
    events.push_back(control_event(in.now, bad ? Severity::warning : Severity::info,
                                   EventEdge::once, "control.state", std::move(msg)));
    state_ = next;
  }

  // ---- Command -------------------------------------------------------------------------------
  core::InverterCommand cmd;
  auto safe = [&](std::string reason) {
    cmd.kind = CommandKind::safe_state;
    cmd.battery_power_w = 0.0;
    cmd.reason = std::move(reason);
  };
  std::optional<double> requested;
  double wanted = 0.0;
  if (state_ == ControlState::starting) {
    cmd.kind = CommandKind::none;
    cmd.reason = "starting: waiting for the first inverter read";
  } else if (state_ == ControlState::stopped) {
    safe("stop: the daemon is stopping");
  } else if (state_ == ControlState::fault) {
    std::string ids;
    for (const auto& f : faults_) ids += (ids.empty() ? "" : ", ") + f.id;
    safe("fault: " + ids);
  } else if (state_ == ControlState::lockout) {
    safe("lockout: " + in.snapshot.compliance.reason);
  } else if (!online) {
    safe("COM-02: inverter link lost");
  } else if (safe_first_pending_) {
    safe("COM-02: first command after the inverter was (re)connected is the safe setpoint");
    events.push_back(control_event(in.now, Severity::info, EventEdge::once, "COM-02",
                                   "Inverter reachable: safe setpoint first, the target follows."));
  } else {
    cmd.kind = CommandKind::set_power;
    if (state_ == ControlState::standby) {
      cmd.reason = "idle";
    } else if (mode_ == config::OperatingMode::manual) {
      requested = in.request.manual_setpoint_w;
      wanted = *requested;
      cmd.reason = "manual";
    } else {
      wanted = self_consumption_setpoint(in);
      requested = wanted;
      cmd.reason = "self_consumption";
      const bool have_grid = in.meter_grid_power_w || inv.grid_power_w;
      if (!have_grid != no_grid_reading_) {
        no_grid_reading_ = !have_grid;
        events.push_back(control_event(
            in.now, no_grid_reading_ ? Severity::warning : Severity::info,
            no_grid_reading_ ? EventEdge::raised : EventEdge::cleared, "control.no_grid_reading",
            no_grid_reading_ ? "Self-consumption holds the battery at 0 W: no grid power reading."
                             : "Grid power reading available again."));
      }
    }
  }
  if (cmd.kind == CommandKind::set_power) {
    const double hi = env.charge_power_max_w.value;
    const double lo = -env.discharge_power_max_w.value;
    cmd.battery_power_w = std::clamp(wanted, lo, hi);
    if (requested && std::abs(cmd.battery_power_w - *requested) > 1e-6) {
      out.clamp = ClampInfo{
          true, *requested, cmd.battery_power_w,
          *requested > 0.0 ? env.charge_power_max_w.cause : env.discharge_power_max_w.cause};
    }
  }
  cmd.charge_power_max_w = cmd.kind == CommandKind::set_power ? env.charge_power_max_w.value : 0.0;
  cmd.discharge_power_max_w =
      cmd.kind == CommandKind::set_power ? env.discharge_power_max_w.value : 0.0;
  // Clamp edges (reported, never silent).
  if (out.clamp.clamped != clamp_active_) {
    clamp_active_ = out.clamp.clamped;
    events.push_back(
        clamp_active_
            ? control_event(in.now, Severity::info, EventEdge::raised, "control.setpoint_clamped",
                            fmt("Requested %.0f W, allowed %.0f W: %s", out.clamp.requested_w,
                                out.clamp.allowed_w, out.clamp.cause.sentence.c_str()))
            : control_event(in.now, Severity::info, EventEdge::cleared, "control.setpoint_clamped",
                            "The requested power is within the limits again."));
  }

  // ---- Bookkeeping ---------------------------------------------------------------------------
  if (cmd.kind == CommandKind::safe_state && online) safe_first_pending_ = false;
  if (!online) safe_first_pending_ = true;
  // The self-consumption loop continues from what was actually commanded (bumpless from manual
  // or idle, no wind-up against the envelope); any non-power command restarts it from 0 W.
  sc_setpoint_w_ = cmd.kind == CommandKind::set_power ? cmd.battery_power_w : 0.0;
  if (cmd.kind != CommandKind::none) {
    prev_commanded_w_ =
        last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
    last_command_ = cmd;
  }
  last_step_at_ = in.now;

  out.command = std::move(cmd);
  out.state = state_;
  out.envelope = std::move(env);
  out.findings = lr.findings;
  out.active_rules = std::move(lr.active_rules);
  for (const auto& f : faults_)
    out.faults.push_back(FaultStatus{f.id, f.reason, f.latched, f.cause_active});
  return out;
}

}  // namespace bessd::control
