#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <utility>

#include <bessd/common/printf_string.hpp>
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

Duration seconds_d(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace

std::string_view to_string(ControlState s) noexcept {
  return enum_name(kControlStateNames, s);
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
  s.obey.standby_tolerance_w = cfg.inverter.standby_tolerance_w.value_or(
      std::max(cfg.inverter.obey_tolerance_w, 0.02 * pack_wh));
  s.obey.window = seconds_d(cfg.inverter.obey_window_s);
  s.obey.margin_pct = cfg.limits.over_current_margin_pct;
  s.obey.inverter_ramp_w_per_s = cfg.inverter.ramp_w_per_s;
  s.obey.dc_load_max_w = cfg.battery.dc_load_max_w;
  // Recovery charge: 0.1 C (a gentle charge any LV pack accepts; the BMS's CCL and the site's
  // import limit still bound it), 500 W when the pack size is unknown.
  s.recovery_charge_power_w = cfg.limits.recovery_charge_power_w.value_or(
      pack_wh > 0.0 ? std::clamp(0.1 * pack_wh, 100.0, 5000.0) : 500.0);
  s.recovery_soc_margin_pct = cfg.limits.recovery_soc_margin_pct;
  s.repeat_trip_count = static_cast<int>(cfg.limits.repeat_trip_count);
  s.repeat_trip_window = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(cfg.limits.repeat_trip_window_s));
  s.inverter_timeout = std::max<Duration>(
      std::chrono::seconds{3}, std::chrono::milliseconds{3 * cfg.inverter.poll_period_ms});
  s.commissioning = cfg.control.commissioning;
  s.fire_alarm_configured = cfg.control.fire_alarm.enabled;
  s.max_ramp_interval = std::max<Duration>(std::chrono::seconds{1},
                                           std::chrono::milliseconds{2 * cfg.control.period_ms});
  s.soc.ocv_soc_pct = limits::chemistry_defaults(cfg.battery.chemistry).ocv_soc_pct;
  s.soc.capacity_ah = cfg.battery.capacity_ah;
  s.soc.divergence_pct = cfg.control.soc_divergence_pct;
  s.inverter_link = config::inverter_link_text(cfg.inverter);
  return s;
}

Controller::Controller(ControllerSettings settings, limits::LimitsSettings limits,
                       FaultLatchStore& store)
    : settings_(std::move(settings)),
      engine_(std::move(limits)),
      store_(store),
      soc_(settings_.soc),
      sign_(settings_.sign),
      obey_(settings_.obey),
      current_guard_(settings_.obey.inverter_ramp_w_per_s),
      reading_check_(settings_.obey.standby_tolerance_w),
      reserve_drain_(settings_.obey.standby_tolerance_w) {
  auto loaded = store_.load();
  if (!loaded) {
    faults_.push_back(FaultState{std::string(fault_id::latch_store),
                                 "could not read the latched faults: " + loaded.error().message,
                                 true,
                                 false,
                                 {}});
    return;
  }
  for (const auto& f : *loaded)
    faults_.push_back(FaultState{f.id, f.reason, true, false, {}, 1, /*restored=*/true});
  stored_trips_ = store_.load_trips();
  restore_obey_holds();
}

std::vector<Controller::FaultState>::iterator Controller::find_fault_state(std::string_view id) {
  return std::find_if(faults_.begin(), faults_.end(),
                      [&](const FaultState& f) { return f.id == id; });
}

void Controller::set_cause(std::string_view id, bool active, const std::string& reason,
                           const StepInput& in, std::vector<core::Event>& events) {
  auto it = find_fault_state(id);
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
        if (!st)
          raise_latch_store_fault(
              "could not persist latched fault " + std::string(id) + ": " + st.error().message, in,
              events);
      }
    } else if (!it->cause_active) {
      it->cause_active = true;
      it->reason = reason;
      ++it->trips;
      // A latch kept across a restart whose cause is still there is the same trip seen again,
      // not news: said once, without a second error.
      events.push_back(
          std::exchange(it->restored, false)
              ? control_event(in.now, Severity::info, EventEdge::once, std::string(id),
                              title + ": still present after the restart, and latched: " + reason)
              : control_event(in.now, sev, EventEdge::raised, std::string(id),
                              title + " (again): " + reason));
      // Stored again as a new record: an acknowledgement being stored right now clears the
      // record it saw, never this one (docs/api.md "POST /v1/faults/ack").
      if (it->latched) {
        const Status st = store_.latch(LatchedFault{std::string(id), reason, unix_ms(in.wall_now)});
        if (!st)
          raise_latch_store_fault(
              "could not persist latched fault " + std::string(id) + ": " + st.error().message, in,
              events);
      }
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

void Controller::raise_latch_store_fault(const std::string& what, const StepInput& in,
                                         std::vector<core::Event>& events) {
  events.push_back(control_event(in.now, Severity::error, EventEdge::once,
                                 std::string(fault_id::latch_store), what));
  const auto it = find_fault_state(fault_id::latch_store);
  if (it == faults_.end())
    faults_.push_back(FaultState{std::string(fault_id::latch_store), what, true, false, {}});
  else
    ++it->trips;  // a new failure: an acknowledgement asked for before it does not clear it
}

void Controller::handle_ack(const StepInput& in, std::vector<core::Event>& events) {
  if (!in.ack_faults) return;
  std::string refused;
  std::string unseen;
  for (auto it = faults_.begin(); it != faults_.end();) {
    if (!it->latched) {
      ++it;
      continue;
    }
    it->ack_not_stored.clear();  // this ack is judged afresh
    if (in.ack_seen) {
      const auto seen = in.ack_seen->find(it->id);
      if (seen == in.ack_seen->end() || seen->second != it->trips) {
        // Latched, or tripped again, after the acknowledgement was asked for: not seen by the
        // operator, so not theirs to clear (a staged acknowledgement, docs/api.md).
        if (!it->cause_active) unseen += (unseen.empty() ? "" : ", ") + it->id;
        ++it;
        continue;
      }
    }
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
  if (!unseen.empty())
    events.push_back(control_event(
        in.now, Severity::warning, EventEdge::once, "control.ack_refused",
        "Not acknowledged: tripped or latched after the acknowledgement was asked for: " + unseen));
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
  current_guard_.set_ramp(settings_.obey.inverter_ramp_w_per_s);
}

bool Controller::any_fault_blocks_both() const {
  return std::any_of(faults_.begin(), faults_.end(), [](const FaultState& f) {
    const FaultSpec* spec = find_fault(f.id);
    return !spec || (spec->blocks_charge && spec->blocks_discharge);
  });
}

StepOutput Controller::step(const StepInput& in) {
  StepOutput out;
  if (!first_step_at_) first_step_at_ = in.now;
  if (in.latch_write_failure) raise_latch_store_fault(*in.latch_write_failure, in, out.events);
  const bool online = observe_inverter(in, out);
  limits::LimitsInput li = in.snapshot;
  limits::LimitsResult lr = compute_limits(in, li, out.events);
  guard_discharge_current(in, lr, out.events);
  update_fault_causes(in, lr.findings, online, out);
  core::Envelope env = hold_new_fault_directions(std::move(lr.envelope), li);
  // A target that is the battery's own power includes a DC load already: no room is kept.
  if (!target_at_battery_) env = leave_room_for_loads(std::move(env), in.now);
  out.uncommanded_discharge_w = obey_.discharge_load_w();
  update_state(in, out.events);
  update_recovery(in, lr.findings, out.events);
  check_reserve_drain(in, out.events);
  core::InverterCommand cmd = command_for(in, env, online, out);
  report_uncovered_discharge(in, out);

  // The self-consumption loop continues from what was actually commanded (bumpless from manual
  // or idle, no wind-up against the envelope); any non-power command restarts it from 0 W.
  if (cmd.kind == CommandKind::safe_state && online) safe_first_pending_ = false;
  if (!online) safe_first_pending_ = true;
  sc_setpoint_w_ = cmd.kind == CommandKind::set_power ? cmd.battery_power_w : 0.0;
  if (cmd.kind != CommandKind::none) last_command_ = cmd;
  last_charge_envelope_w_ = env.charge_power_max_w.value;
  last_step_at_ = in.now;

  out.command = std::move(cmd);
  out.state = state_;
  out.envelope = std::move(env);
  out.findings = lr.findings;
  out.active_rules = std::move(lr.active_rules);
  out.recovery = recovery_status(out.envelope);
  for (const auto& f : faults_)
    out.faults.push_back(
        FaultStatus{f.id, f.reason, f.latched, f.cause_active, f.ack_not_stored, f.trips});
  update_operating_reason(in, out);
  return out;
}

void Controller::check_reading_at_battery(const StepInput& in, bool online,
                                          std::vector<core::Event>& events) {
  const auto& inv = in.snapshot.inverter;
  const auto& pack = in.snapshot.pack;
  const bool pack_fresh = pack.measured_at && in.now >= *pack.measured_at &&
                          in.now - *pack.measured_at <= engine_.settings().stale_after;
  const std::optional<double> reading_w = online ? inv.battery_power_w : std::nullopt;
  const std::optional<double> bms_w = pack_fresh ? pack.power_w() : std::nullopt;
  if (!reading_check_.update(reading_w, bms_w, in.now)) return;
  const bool ok = reading_check_.at_battery();
  events.push_back(control_event(
      in.now, ok ? Severity::info : Severity::warning, ok ? EventEdge::cleared : EventEdge::raised,
      "inverter.reading_not_at_battery",
      ok ? std::string("The inverter's battery reading agrees with the BMS's again: it is taken "
                       "as measured at the battery, DC loads included.")
         : printf_string(
               "The inverter's battery reading has stayed %.0f W apart from the BMS's on "
               "average for %.0f s: the profile says it is measured at the battery, but it is "
               "not (on a Victron GX the battery monitor may be the Multi). bessd takes it as "
               "the inverter's own share and covers a DC load itself; set the GX's battery "
               "monitor to the BMS.",
               reading_check_.apart_w(),
               to_seconds(BatteryReadingCheck::kWindow) * BatteryReadingCheck::kWindowsToStray)));
}

void Controller::check_reserve_drain(const StepInput& in, std::vector<core::Event>& events) {
  const auto& ls = engine_.settings();
  const auto& pack = in.snapshot.pack;
  const bool fresh = pack.measured_at && in.now >= *pack.measured_at &&
                     in.now - *pack.measured_at <= ls.stale_after;
  const double commanded_w =
      last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
  // A recovery charge that does not arrive is said by control.charge_not_delivered instead.
  // The reserve in force (the owner's when higher): a DC load draining it is said either way.
  const double reserve_pct = limits::effective_reserve_pct(ls, in.snapshot.owner);
  const bool at_reserve =
      pack.soc_pct && *pack.soc_pct <= reserve_pct && commanded_w >= -1.0 && !recovery_.has_value();
  if (!reserve_drain_.update(at_reserve, fresh ? pack.power_w() : std::nullopt, in.now)) return;
  const bool draining = reserve_drain_.draining();
  events.push_back(control_event(
      in.now, draining ? Severity::warning : Severity::info,
      draining ? EventEdge::raised : EventEdge::cleared, "control.reserve_drained",
      draining
          ? printf_string(
                "The pack gives %.0f W on average at its %.0f %% reserve although bessd does not "
                "discharge it: a DC load the inverter does not carry (on a Victron GX without a "
                "DC meter the Multi stays within the BMS's charge limit, and the rest of the "
                "load is left to the pack). A recovery charge starts at %.0f %%. To keep the "
                "reserve, switch the DC load off or reduce it, or let the inverter carry it (on "
                "a GX, a DC meter for the DC system adds the load to the charge limit).",
                reserve_drain_.drain_w(), reserve_pct,
                std::max(0.0, ls.min_soc_pct - settings_.recovery_soc_margin_pct))
          : std::string("The pack no longer gives power at its reserve.")));
}

bool Controller::observe_inverter(const StepInput& in, StepOutput& out) {
  auto& events = out.events;
  const auto& inv = in.snapshot.inverter;
  const auto& pack = in.snapshot.pack;
  // COM-02: the inverter link.
  const bool online = inv.online && inv.read_at && in.now >= *inv.read_at &&
                      in.now - *inv.read_at <= settings_.inverter_timeout;
  if (online) inverter_read_once_ = true;
  out.inverter_online = online;

  // OP-I-01/02 and the safe-state read-back, against the command in force. Without a battery
  // power reading from the inverter (a profile whose sign is unknown), the BMS's measured
  // voltage × current stands in, so the check works on every profile.
  const bool pack_measured_fresh = pack.measured_at && in.now >= *pack.measured_at &&
                                   in.now - *pack.measured_at <= engine_.settings().stale_after;
  const std::optional<double> measured_w =
      inv.battery_power_w ? inv.battery_power_w
                          : (pack_measured_fresh ? pack.power_w() : std::optional<double>{});
  const double commanded_w =
      last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
  const ObeyVerdict before = obey_verdict_;
  obey_.set_recovering(recovery_.has_value());
  obey_.set_target_at_battery(inv.target_at_battery && reading_check_.at_battery());
  // The BMS's figure, or a reading the profile says is the battery's own (a GX's battery
  // service): a DC load shows in either, so neither tells the inverter's share from the load's.
  if (inv.battery_power_includes_dc_loads) check_reading_at_battery(in, online, events);
  reading_at_battery_ = inv.battery_power_includes_dc_loads && reading_check_.at_battery();
  target_at_battery_ = inv.target_at_battery && reading_check_.at_battery();
  obey_measured_at_battery_ = !inv.battery_power_w || reading_at_battery_;
  obey_verdict_ =
      obey_.update(measured_w, commanded_w, online && last_command_.kind != CommandKind::none,
                   in.now, last_charge_envelope_w_, obey_measured_at_battery_);
  if (const auto draw = obey_verdict_.discharge.persists_unattributed_w)
    events.push_back(control_event(
        in.now, Severity::warning, EventEdge::once, "OP-I-02",
        printf_string(
            "The battery keeps discharging %.0f W although bessd stopped discharging. "
            "Measured at the battery, this cannot be told from a load on the battery bus, "
            "so it is not latched; discharging stays stopped until the draw ends. If "
            "no DC load is connected, check that the inverter follows bessd; if one is, "
            "set inverter.standby_tolerance_w above it.",
            *draw)));
  // An unlatched block is kept across a restart with the repeated-trip counts: a kill during it
  // must not give the inverter a fresh window to drain or overcharge the pack.
  if (before.charge.blocked != obey_verdict_.charge.blocked ||
      before.discharge.blocked != obey_verdict_.discharge.blocked || room_moved(in.now)) {
    if (stored_trips_) restore_trips(in);
    store_trips(in, events);
  }
  // The direction block of a confirmed non-obey is an event on its edges (not yet a fault).
  for (const bool charge : {true, false}) {
    const ObeyDirection& was = charge ? before.charge : before.discharge;
    const ObeyDirection& now_v = charge ? obey_verdict_.charge : obey_verdict_.discharge;
    if (was.blocked == now_v.blocked) continue;
    // A fault latched for this direction (kept from before a restart) already says it: a fresh
    // block is no news, and its end does not release the latch.
    const std::string_view fault =
        charge ? fault_id::charge_not_obeyed : fault_id::discharge_not_obeyed;
    if (const auto f = find_fault_state(fault); f != faults_.end() && f->latched) continue;
    const char* id = charge ? "OP-I-01" : "OP-I-02";
    if (now_v.blocked && now_v.restored) {
      events.push_back(control_event(
          in.now, Severity::warning, EventEdge::raised, id,
          printf_string("%s stays stopped after the restart: %s (%s).",
                        charge ? "Charging" : "Discharging", now_v.detail.c_str(), id)));
      continue;
    }
    events.push_back(control_event(
        in.now, now_v.blocked ? Severity::error : Severity::info,
        now_v.blocked ? EventEdge::raised : EventEdge::cleared, id,
        now_v.blocked
            ? printf_string("%s is stopped because %s (%s).", charge ? "Charging" : "Discharging",
                            now_v.detail.c_str(), id)
            : printf_string("The inverter follows the commands again: %s is allowed again (%s).",
                            charge ? "charging" : "discharging", id)));
  }
  report_charge_shortfall(in, events);
  if (online && measured_w && last_command_.kind == CommandKind::safe_state)
    out.safe_state_verified = std::abs(*measured_w) <= settings_.obey.standby_tolerance_w;
  return online;
}

void Controller::report_charge_shortfall(const StepInput& in, std::vector<core::Event>& events) {
  const ChargeShortfall& sf = obey_verdict_.shortfall;
  if (sf.active == shortfall_reported_) return;
  shortfall_reported_ = sf.active;
  if (!sf.active) {
    events.push_back(control_event(in.now, Severity::info, EventEdge::cleared,
                                   "control.charge_not_delivered",
                                   "The charge bessd commands reaches the battery again."));
    return;
  }
  // The whole command, and the pack's share of it when a DC load takes the rest (red team 26g).
  const double command_w =
      last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
  const std::string share =
      command_w > sf.commanded_w + 1.0
          ? printf_string(" (%.0f W of it for the pack, the rest for the DC load)", sf.commanded_w)
          : std::string();
  events.push_back(control_event(
      in.now, recovery_ ? Severity::error : Severity::warning, EventEdge::raised,
      "control.charge_not_delivered",
      printf_string(
          "bessd commands a charge of %.0f W%s, but the battery %s %.0f W: the inverter "
          "does not follow the command (its remote control is off, or it runs its own "
          "self-use), or a load on the battery bus takes the charge.%s",
          command_w, share.c_str(), sf.measured_w < 0.0 ? "discharges" : "takes only",
          std::abs(sf.measured_w),
          recovery_ && sf.measured_w < 0.0 ? " The pack keeps draining below its reserve." : "")));
}

void Controller::report_uncovered_discharge(const StepInput& in, StepOutput& out) {
  // One episode, as the guard's: a load that cycles is one error, which ends once the pack has
  // stayed within its limit for the quiet period.
  constexpr Duration kQuietPeriod = std::chrono::minutes{5};
  if (out.discharge_uncovered) uncovered_since_clear_.reset();
  if (!out.discharge_uncovered && uncovered_reported_) {
    if (!uncovered_since_clear_) uncovered_since_clear_ = in.now;
    if (in.now - *uncovered_since_clear_ < kQuietPeriod) return;
  }
  if (out.discharge_uncovered == uncovered_reported_) return;
  uncovered_reported_ = out.discharge_uncovered;
  out.events.push_back(control_event(
      in.now, uncovered_reported_ ? Severity::error : Severity::info,
      uncovered_reported_ ? EventEdge::raised : EventEdge::cleared, "control.discharge_uncovered",
      uncovered_reported_
          ? "The pack is drained beyond its discharge limit by a load bessd cannot cover: " +
                out.current_guard.value_or("") +
                ". Switch the DC load off or reduce it, or clear what stops the inverter from "
                "charging."
          : std::string("The pack has not been drained beyond its discharge limit for 5 "
                        "minutes.")));
}

void Controller::guard_discharge_current(const StepInput& in, const limits::LimitsResult& lr,
                                         std::vector<core::Event>& events) {
  // What the cells may give (the BMS's DCL, the rating, bessd's own cell-voltage and temperature
  // derates), not the operating envelope: the SOC reserve or a fault keeps the inverter's share
  // down, but a DC load may still drain the pack to the cells' limit.
  const auto& pack = in.snapshot.pack;
  std::optional<double> limit_a = lr.findings.cells_discharge_current_max_a;
  if (const auto dcl = pack.limits.discharge_current_limit_a)
    limit_a = std::min(limit_a.value_or(*dcl), *dcl);
  if (const auto rating = engine_.settings().max_discharge_current_a)
    limit_a = std::min(limit_a.value_or(*rating), *rating);
  // Below its reserve by the recovery margin (or asked by the BMS) the pack gives nothing to
  // anyone: a DC load is covered too, also while the pack may not be charged (a cold night at the
  // reserve), instead of draining it on (docs/protection.md "Recovery charge").
  if (recovery_) limit_a = 0.0;
  load_cover_max_w_ = lr.findings.load_cover_max_w;
  // Where the inverter is, from its own fresh reading (absent on a profile without one, and on
  // one whose reading is the battery's: that is the pack's current again, DC loads included).
  const auto& inv = in.snapshot.inverter;
  const bool inverter_fresh = inv.online && inv.read_at && in.now >= *inv.read_at &&
                              in.now - *inv.read_at <= settings_.inverter_timeout;
  const std::optional<double> inverter_w =
      inverter_fresh && !reading_at_battery_ ? inv.battery_power_w : std::optional<double>{};
  const double commanded_w =
      last_command_.kind == CommandKind::set_power ? last_command_.battery_power_w : 0.0;
  current_guard_.set_known_load(std::max(settings_.obey.dc_load_max_w, obey_.load_room_w(in.now)));
  const auto edge =
      current_guard_.update(PackCurrentSample{pack.current_a, pack.voltage_v, pack.measured_at,
                                              inverter_w, target_at_battery_},
                            limit_a, commanded_w, in.now, lr.envelope.charge_current_max_a.value,
                            lr.envelope.charge_power_max_w.value);
  if (!edge) return;
  events.push_back(control_event(in.now, edge->engaged ? Severity::warning : Severity::info,
                                 edge->engaged ? EventEdge::raised : EventEdge::cleared,
                                 "control.discharge_current_guard", edge->text));
}

limits::LimitsResult Controller::compute_limits(const StepInput& in, limits::LimitsInput& li,
                                                std::vector<core::Event>& events) {
  // The limits see the faults and direction blocks known so far.
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
  pass_limits_events(in, lr.events, events);
  return lr;
}

void Controller::update_fault_causes(const StepInput& in, const limits::LimitsFindings& fnd,
                                     bool online, StepOutput& out) {
  auto& events = out.events;
  const auto& inv = in.snapshot.inverter;
  update_bms_link_faults(in, fnd, out);
  set_cause(fault_id::inverter_link_lost, inverter_read_once_ && !online,
            printf_string("no answer from the inverter for more than %.1f s",
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
  // INV-CMD: the driver keeps failing to write or read back what it was told: a device that
  // refuses commands is not under bessd's control (docs/protection.md).
  const bool commands_refused = online && inv.command_failing_since &&
                                in.now >= *inv.command_failing_since &&
                                in.now - *inv.command_failing_since > settings_.obey.window;
  set_cause(fault_id::inverter_refuses_commands, commands_refused,
            "the inverter has not accepted bessd's command for more than " +
                printf_string("%.0f s", to_seconds(settings_.obey.window)) + ": " +
                inv.command_failure,
            in, events);
  update_sign_check(in, events);
  handle_ack(in, events);
  auto soc_events = soc_.update(in.snapshot.pack, in.now);
  events.insert(events.end(), std::make_move_iterator(soc_events.begin()),
                std::make_move_iterator(soc_events.end()));
  out.soc = soc_.estimate();
}

void Controller::update_sign_check(const StepInput& in, std::vector<core::Event>& events) {
  // COM-03: judged against the command in force. Outside commissioning a mismatch is a warning,
  // raised and cleared on edges; during commissioning a latched fault.
  const SignCheckResult sign = sign_.update(last_command_, in.snapshot.pack, in.now);
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
}

bool Controller::room_moved(TimePoint now) const {
  // Stored when it changes by more than the standby tolerance, and every few minutes while a
  // load keeps drawing it, so a restart keeps it for about as long as it would have lasted.
  const auto room = obey_.load_room_peak(now);
  if (!room || !stored_room_) return room.has_value() != stored_room_.has_value();
  return std::abs(room->load_w - stored_room_->load_w) > settings_.obey.standby_tolerance_w ||
         room->drawn_at - stored_room_->drawn_at >= std::chrono::minutes{5};
}

double Controller::room_minutes_left(TimePoint now) const {
  const auto at = obey_.load_room_lowers_at(now);
  // Whole minutes, rounded up: "in 0 minutes" would read as gone.
  return at && *at > now ? std::ceil(to_seconds(*at - now) / 60.0) : 0.0;
}

core::Envelope Controller::leave_room_for_loads(core::Envelope env, TimePoint now) const {
  // The pack's discharge limit (the BMS's DCL among them) is for all it supplies: a DC load on
  // the battery bus takes its share first, the inverter gets the rest.
  // A cycling load keeps its room between its starts (ObeyMonitor::load_room_w).
  const double load_w = obey_.discharge_load_w();
  const double room_w = std::max(load_w, obey_.load_room_w(now));
  auto& bound = env.discharge_power_max_w;
  if (room_w <= 0.0 || bound.value <= 0.0) return env;
  bound.value = std::max(0.0, bound.value - room_w);
  const std::string text =
      obey_.load_assumed()
          ? printf_string(
                "Discharging is reduced by the %.0f W declared for DC loads on the "
                "battery bus (battery.dc_load_max_w), assumed to draw until bessd has "
                "measured what they draw, so that the pack stays within its limits.",
                load_w)
      : room_w > load_w + 1.0
          ? printf_string(
                "Discharging is reduced by %.0f W kept for a DC load on the battery bus "
                "(it drew that within the last 30 minutes and draws %.0f W now), so "
                "that the pack stays within its limits when it starts again; the room "
                "comes down in %.0f minutes unless the load draws that again.",
                room_w, load_w, room_minutes_left(now))
          : printf_string(
                "Discharging is reduced by the %.0f W the battery supplies to a load "
                "bessd does not command (a DC load), so that the pack stays within its "
                "limits.",
                load_w);
  bound.cause = core::Cause{core::CauseKind::bms_limit, "DC-LOAD", text};
  return env;
}

core::Envelope Controller::hold_new_fault_directions(core::Envelope env,
                                                     const limits::LimitsInput& li) const {
  // A fault raised this step holds its direction(s) at zero now, not next step.
  for (const auto& f : faults_) {
    if (f.id == fault_id::bms_lost || f.id == fault_id::inverter_link_lost) continue;
    const bool known = std::any_of(li.faults.begin(), li.faults.end(),
                                   [&](const limits::ActiveFault& a) { return a.id == f.id; });
    if (known) continue;
    const FaultSpec* spec = find_fault(f.id);
    const bool chg = !spec || spec->blocks_charge;
    const bool dis = !spec || spec->blocks_discharge;
    const core::Cause cause{core::CauseKind::fault, f.id,
                            printf_string("%s stopped because of the fault %s: %s",
                                          chg && dis ? "Charging and discharging are"
                                          : chg      ? "Charging is"
                                                     : "Discharging is",
                                          f.id.c_str(), f.reason.c_str())};
    for (core::Bound* b : {&env.charge_current_max_a, &env.charge_power_max_w})
      if (chg && b->value > 0.0) *b = core::Bound{0.0, cause};
    for (core::Bound* b : {&env.discharge_current_max_a, &env.discharge_power_max_w})
      if (dis && b->value > 0.0) *b = core::Bound{0.0, cause};
  }
  return env;
}

void Controller::update_state(const StepInput& in, std::vector<core::Event>& events) {
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
  if (next == state_) return;
  const bool bad = next == ControlState::fault || next == ControlState::lockout;
  std::string msg =
      "State: " + std::string(to_string(state_)) + " -> " + std::string(to_string(next));
  if (next == ControlState::lockout) msg += " (" + in.snapshot.compliance.reason + ")";
  events.push_back(control_event(in.now, bad ? Severity::warning : Severity::info, EventEdge::once,
                                 "control.state", std::move(msg)));
  state_ = next;
}

}  // namespace bessd::control
