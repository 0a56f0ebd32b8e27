#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include <bessd/control/controller.hpp>
#include <bessd/control/fault_catalog.hpp>
#include <bessd/limits/chemistry.hpp>

#include "control_event.hpp"

namespace bessd::control {

using detail::control_event;
using detail::unix_ms;

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
  // Standby tolerance: the configured obey tolerance, but never below 2 % of the pack's energy
  // per hour (0.02 C): standby draw and a current-sensor offset grow with the pack.
  const double nominal_v = cfg.battery.nominal_voltage_v.value_or(
      cfg.battery.series_cells ? 3.2 * static_cast<double>(*cfg.battery.series_cells) : 51.2);
  const double pack_wh = cfg.battery.capacity_ah ? *cfg.battery.capacity_ah * nominal_v
                                                 : cfg.battery.nominal_energy_kwh * 1000.0;
  s.obey.standby_tolerance_w = std::max(cfg.inverter.obey_tolerance_w, 0.02 * pack_wh);
  s.obey.window = seconds_d(cfg.inverter.obey_window_s);
  s.obey.margin_pct = cfg.limits.over_current_margin_pct;
  // Recovery charge: 0.1 C (a gentle charge any LV pack accepts; the BMS's CCL and the site's
  // import limit still bound it), 500 W when the pack size is unknown.
  s.recovery_charge_power_w = pack_wh > 0.0 ? std::clamp(0.1 * pack_wh, 100.0, 5000.0) : 500.0;
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
      sign_(settings_.sign),
      obey_(settings_.obey) {
  auto loaded = store_.load();
  if (!loaded) {
    faults_.push_back(FaultState{std::string(fault_id::latch_store),
                                 "could not read the latched faults: " + loaded.error().message,
                                 true,
                                 false,
                                 {}});
    return;
  }
  for (const auto& f : *loaded) faults_.push_back(FaultState{f.id, f.reason, true, false, {}});
  stored_trips_ = store_.load_trips();
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
      faults_.push_back(FaultState{std::string(id), reason, latches, true, {}});
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
                                         true,
                                         false,
                                         {}});
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
    it->ack_not_stored.clear();  // this ack is judged afresh
    if (it->cause_active) {
      refused += (refused.empty() ? "" : ", ") + it->id;
      ++it;
      continue;
    }
    // The ack takes effect only once it is stored: otherwise a restart would bring the latch
    // back after power had already flowed (docs/operations.md, "Safety state").
    if (const Status st = store_.clear(it->id); !st) {
      it->ack_not_stored = st.error().message;
      events.push_back(control_event(
          in.now, Severity::error, EventEdge::once, std::string(fault_id::latch_store),
          "Acknowledgement of " + it->id + " not applied: it could not be stored (" +
              st.error().message + "); the fault stays latched"));
      ++it;
      continue;
    }
    events.push_back(control_event(in.now, Severity::info, EventEdge::cleared, it->id,
                                   "Acknowledged by the operator: " + it->id));
    // An acknowledged direction fault starts afresh (new evidence is needed to raise it again).
    if (it->id == fault_id::charge_not_obeyed) obey_.reset(true);
    if (it->id == fault_id::discharge_not_obeyed) obey_.reset(false);
    if (it->id == fault_id::repeated_charge_trips || it->id == fault_id::repeated_discharge_trips) {
      const bool charge = it->id == fault_id::repeated_charge_trips;
      for (auto& t : trips_)
        if (charge ? t.charge : t.discharge) t.at.clear();
      (charge ? repeat_reason_charge_ : repeat_reason_discharge_).clear();
      store_trips(in, events);
    }
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

void Controller::reconfigure(ControllerSettings settings, limits::LimitsSettings limits) {
  settings_ = std::move(settings);
  engine_.reconfigure(std::move(limits));
  obey_.set_settings(settings_.obey);
}

bool Controller::any_fault_blocks_both() const {
  return std::any_of(faults_.begin(), faults_.end(), [](const FaultState& f) {
    const FaultSpec* spec = find_fault(f.id);
    return !spec || (spec->blocks_charge && spec->blocks_discharge);
  });
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

  // ---- OP-I-01/02 and the safe-state read-back (against the command in force) ----------------
  // Without a battery power reading from the inverter (a profile whose sign is unknown), the
  // BMS's measured voltage × current stands in, so the check works on every profile.
  const bool pack_measured_fresh = pack.measured_at && in.now >= *pack.measured_at &&
                                   in.now - *pack.measured_at <= engine_.settings().stale_after;
  const std::optional<double> measured_w =
      inv.battery_power_w ? inv.battery_power_w
                          : (pack_measured_fresh ? pack.power_w() : std::optional<double>{});
  const double commanded_w =
      last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
  const ObeyVerdict before = obey_verdict_;
  obey_verdict_ = obey_.update(measured_w, commanded_w,
                               online && last_command_.kind != CommandKind::none, in.now);
  // The direction block of a confirmed non-obey is an event on its edges (not yet a fault).
  for (const bool charge : {true, false}) {
    const ObeyDirection& was = charge ? before.charge : before.discharge;
    const ObeyDirection& now_v = charge ? obey_verdict_.charge : obey_verdict_.discharge;
    if (was.blocked == now_v.blocked) continue;
    const char* id = charge ? "OP-I-01" : "OP-I-02";
    events.push_back(control_event(
        in.now, now_v.blocked ? Severity::error : Severity::info,
        now_v.blocked ? EventEdge::raised : EventEdge::cleared, id,
        now_v.blocked ? fmt("%s is stopped because %s (%s).", charge ? "Charging" : "Discharging",
                            now_v.detail.c_str(), id)
                      : fmt("The inverter follows the commands again: %s is allowed again (%s).",
                            charge ? "charging" : "discharging", id)));
  }
  if (online && measured_w && last_command_.kind == CommandKind::safe_state)
    out.safe_state_verified = std::abs(*measured_w) <= settings_.obey.standby_tolerance_w;

  // ---- Limits (with the faults and direction blocks known so far) -----------------------------
  limits::LimitsInput li = in.snapshot;
  li.fire_alarm_configured = li.fire_alarm_configured || settings_.fire_alarm_configured;
  li.faults.clear();
  for (const auto& f : faults_) {
    if (f.id == fault_id::bms_lost || f.id == fault_id::inverter_link_lost) continue;
    const FaultSpec* spec = find_fault(f.id);
    li.faults.push_back(limits::ActiveFault{f.id, f.reason, !spec || spec->blocks_charge,
                                            !spec || spec->blocks_discharge});
  }
  if (obey_verdict_.charge.blocked)
    li.faults.push_back(limits::ActiveFault{std::string(fault_id::charge_not_obeyed),
                                            obey_verdict_.charge.detail, true, false});
  if (obey_verdict_.discharge.blocked)
    li.faults.push_back(limits::ActiveFault{std::string(fault_id::discharge_not_obeyed),
                                            obey_verdict_.discharge.detail, false, true});
  limits::LimitsResult lr = engine_.compute(li, in.now);
  events.insert(events.end(), std::make_move_iterator(lr.events.begin()),
                std::make_move_iterator(lr.events.end()));
  const auto& fnd = lr.findings;

  // ---- Fault causes ----------------------------------------------------------------------------
  update_bms_link_faults(in, fnd, out);
  set_cause(fault_id::inverter_link_lost, inverter_read_once_ && !online,
            fmt("no answer from the inverter for more than %.1f s",
                to_seconds(settings_.inverter_timeout)),
            in, events);
  set_cause(fault_id::bms_over_temperature, fnd.bms_over_temperature,
            "the BMS reports " + fnd.protection_detail, in, events);
  set_cause(fault_id::fire_alarm, fnd.fire_alarm, "the fire alarm input has tripped", in, events);
  set_cause(fault_id::charge_not_obeyed, obey_verdict_.charge.latch && obey_verdict_.charge.pushing,
            obey_verdict_.charge.detail + ", and still after charging was stopped", in, events);
  set_cause(fault_id::discharge_not_obeyed,
            obey_verdict_.discharge.latch && obey_verdict_.discharge.pushing,
            obey_verdict_.discharge.detail + ", and still after discharging was stopped", in,
            events);
  update_repeated_trips(in, fnd, events);
  // INV-CMD: the driver keeps failing to write or read back what it was told (§4.3a "inverter
  // not obeying"): a device that refuses commands is not under bessd's control.
  const bool commands_refused = online && inv.command_failing_since &&
                                in.now >= *inv.command_failing_since &&
                                in.now - *inv.command_failing_since > settings_.obey.window;
  set_cause(fault_id::inverter_refuses_commands, commands_refused,
            "the inverter has not accepted bessd's command for more than " +
                fmt("%.0f s", to_seconds(settings_.obey.window)) + ": " + inv.command_failure,
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

  // ---- A fault raised this step holds its direction(s) at zero now, not next step --------------
  core::Envelope env = lr.envelope;
  for (const auto& f : faults_) {
    if (f.id == fault_id::bms_lost || f.id == fault_id::inverter_link_lost) continue;
    const bool known = std::any_of(li.faults.begin(), li.faults.end(),
                                   [&](const limits::ActiveFault& a) { return a.id == f.id; });
    if (known) continue;
    const FaultSpec* spec = find_fault(f.id);
    const bool chg = !spec || spec->blocks_charge;
    const bool dis = !spec || spec->blocks_discharge;
    const core::Cause cause{core::CauseKind::fault, f.id,
                            fmt("%s stopped because of the fault %s: %s",
                                chg && dis ? "Charging and discharging are"
                                : chg      ? "Charging is"
                                           : "Discharging is",
                                f.id.c_str(), f.reason.c_str())};
    for (core::Bound* b : {&env.charge_current_max_a, &env.charge_power_max_w})
      if (chg && b->value > 0.0) *b = core::Bound{0.0, cause};
    for (core::Bound* b : {&env.discharge_current_max_a, &env.discharge_power_max_w})
      if (dis && b->value > 0.0) *b = core::Bound{0.0, cause};
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
  else if (any_fault_blocks_both())
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
  update_recovery(in, fnd, events);

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
    // Recovery charge: at least the recovery power, in every mode (the envelope still bounds
    // it: BMS limits, temperature, the site's import limit).
    if (recovery_) {
      wanted = std::max(wanted, settings_.recovery_charge_power_w);
      requested.reset();
      cmd.reason = *recovery_;
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
  // The device's own limit registers carry the same envelope (docs/profiles.md "Limits").
  cmd.charge_current_max_a =
      cmd.kind == CommandKind::set_power ? env.charge_current_max_a.value : 0.0;
  cmd.discharge_current_max_a =
      cmd.kind == CommandKind::set_power ? env.discharge_current_max_a.value : 0.0;
  if (env.charge_voltage_max_v.value > 0.0)
    cmd.charge_voltage_max_v = env.charge_voltage_max_v.value;
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
  if (cmd.kind != CommandKind::none) last_command_ = cmd;
  last_step_at_ = in.now;

  out.command = std::move(cmd);
  out.state = state_;
  out.envelope = std::move(env);
  out.findings = lr.findings;
  out.active_rules = std::move(lr.active_rules);
  out.recovery = recovery_;
  for (const auto& f : faults_)
    out.faults.push_back(FaultStatus{f.id, f.reason, f.latched, f.cause_active, f.ack_not_stored});
  return out;
}

}  // namespace bessd::control
