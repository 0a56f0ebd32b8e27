// The command of one control step: what the state, the operator's mode, the recovery charge
// and the envelope ask of the inverter (docs/protection.md, "Safe state").
#include <algorithm>
#include <cctype>
#include <cmath>

#include <bessd/common/printf_string.hpp>
#include <bessd/control/controller.hpp>

#include "control_event.hpp"

namespace bessd::control {

using core::CommandKind;
using core::EventEdge;
using core::Severity;
using detail::control_event;

namespace {
// A load that cycles (a fridge, a pump) within this keeps its raise: fewer stored-setting writes.
constexpr Duration kDcLoadHold = std::chrono::minutes{10};
}  // namespace

std::optional<std::string> Controller::recovery_status(const core::Envelope& env) const {
  if (!recovery_) return std::nullopt;
  // A recharge that cannot run now (a frozen pack) must not be claimed as running, in the
  // command's reason and in status alike (docs/protection.md "Recovery charge").
  if (env.charge_power_max_w.value <= 0.0)
    return *recovery_ + "; waiting: " + env.charge_power_max_w.cause.sentence;
  return recovery_;
}

double Controller::dc_load_carried_a(const StepInput& in) {
  // A device that holds the battery at the target, DC loads included (a Victron GX), bounds by
  // its charge current limit what it delivers to the DC bus, a load's share included: without
  // the load on top, a cold pack's 2 A would keep it below a 1 kW load and leave the rest to the
  // pack. The target still keeps the cells within the envelope (docs/protocols.md, the Victron GX
  // section). Not while charging is stopped for something other than the cells.
  const auto& inv = in.snapshot.inverter;
  const auto v = in.snapshot.pack.voltage_v;
  const bool fresh = inv.online && inv.read_at && in.now >= *inv.read_at &&
                     in.now - *inv.read_at <= settings_.inverter_timeout;
  if (!target_at_battery_ || !load_cover_max_w_ || !fresh || !inv.dc_load_power_w || !v ||
      *v <= 0.0) {
    dc_load_carried_a_ = 0.0;
    return 0.0;
  }
  // The limit is a stored setting on such a device: its peak over a minute, in whole amperes,
  // so a load that wanders does not rewrite it at every change.
  const double load_a =
      std::ceil(std::clamp(*inv.dc_load_power_w, 0.0, *load_cover_max_w_) / *v - 0.05);
  if (load_a >= dc_load_carried_a_ || in.now - dc_load_carried_at_ >= kDcLoadHold) {
    dc_load_carried_a_ = load_a;
    dc_load_carried_at_ = in.now;
  }
  return dc_load_carried_a_;
}

void Controller::check_grid_reading(const StepInput& in, std::vector<core::Event>& events) {
  const bool have_grid = in.meter_grid_power_w || in.snapshot.inverter.grid_power_w;
  if (!have_grid == no_grid_reading_) return;
  no_grid_reading_ = !have_grid;
  events.push_back(control_event(
      in.now, no_grid_reading_ ? Severity::warning : Severity::info,
      no_grid_reading_ ? EventEdge::raised : EventEdge::cleared, "control.no_grid_reading",
      no_grid_reading_ ? "Self-consumption holds the battery at 0 W: no grid power reading."
                       : "Grid power reading available again."));
}

core::InverterCommand Controller::command_for(const StepInput& in, const core::Envelope& env,
                                              bool online, StepOutput& out) {
  auto& events = out.events;
  core::InverterCommand cmd;
  auto safe = [&](std::string reason) {
    cmd.kind = CommandKind::safe_state;
    cmd.battery_power_w = 0.0;
    cmd.reason = std::move(reason);
  };
  // What the mode asked for (a plain flag and value: GCC's -O2 flow analysis takes an optional
  // read after the branches below for an uninitialised one).
  bool has_request = false;
  double requested_w = 0.0;
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
      has_request = true;
      requested_w = in.request.manual_setpoint_w;
      wanted = requested_w;
      cmd.reason = "manual";
    } else if (mode_ == config::OperatingMode::schedule) {
      // docs/schedules.md: the window's action, inside the owner's and the configured window.
      const auto& ls = engine_.settings();
      const ScheduledAction idle{{config::ScheduleActionKind::idle, {}, {}, {}}, {}};
      const auto plan = scheduled_power_.plan(in.scheduled.value_or(idle), in.snapshot.pack.soc_pct,
                                              limits::effective_reserve_pct(ls, in.snapshot.owner),
                                              limits::effective_target_pct(ls, in.snapshot.owner),
                                              self_consumption_setpoint(in));
      wanted = plan.wanted_w;
      has_request = !plan.up_to_envelope;
      requested_w = wanted;
      cmd.reason = plan.reason;
      if (plan.follows_house) check_grid_reading(in, events);
      out.scheduled = plan;
    } else {
      wanted = self_consumption_setpoint(in);
      has_request = true;
      requested_w = wanted;
      cmd.reason = "self_consumption";
      check_grid_reading(in, events);
    }
    // Recovery charge: at least the recovery power, in every mode (the envelope still bounds
    // it: BMS limits, temperature, the site's import limit).
    if (recovery_) {
      // The recovery power is the pack's net charge: a DC load measured at the battery gets
      // its share on top (docs/protection.md "Recovery charge"), unless the target is the
      // battery's own power already.
      const double load_share_w = target_at_battery_ ? 0.0 : obey_.discharge_load_w();
      wanted = std::max(wanted, settings_.recovery_charge_power_w + load_share_w);
      has_request = false;
      cmd.reason = *recovery_status(env);
    }
  }
  if (cmd.kind == CommandKind::set_power) {
    const double hi = env.charge_power_max_w.value;
    const double lo = -env.discharge_power_max_w.value;
    cmd.battery_power_w = std::clamp(wanted, lo, hi);
    if (has_request && std::abs(cmd.battery_power_w - requested_w) > 1e-6) {
      out.clamp = ClampInfo{
          true, requested_w, cmd.battery_power_w,
          requested_w > 0.0 ? env.charge_power_max_w.cause : env.discharge_power_max_w.cause};
    }
    // A window charging or discharging as much as the envelope allows: what bounds it is said
    // (a cold pack on a cheap night), without a clamp of the "as much as allowed" it asked.
    if (auto& sp = out.scheduled; sp && sp->up_to_envelope && !sp->follows_house && !recovery_)
      sp->bounded_by =
          (wanted > 0.0 ? env.charge_power_max_w : env.discharge_power_max_w).cause.sentence;
    // The pack's measured current beyond its limit lowers the inverter's share at once, down to
    // a charge that covers the load (docs/protection.md "Discharge current guard").
    if (const auto floor_w = current_guard_.min_command_w();
        floor_w && *floor_w > cmd.battery_power_w) {
      // A charge that covers the load leaves the cells at rest, so it may go beyond what they
      // may take (a cold or full pack), up to what the inverter and the site allow; the guard
      // takes it back as soon as the pack starts to charge (docs/protection.md "Covering a DC
      // load"). Not while a fault, the compliance verdict or missing data stop charging.
      // One the inverter does not deliver (it follows the BMS's charge limit itself) is
      // withdrawn rather than left waiting to charge the pack when it does.
      const bool refused = current_guard_.not_delivered();
      const double cover_max_w =
          load_cover_max_w_ && !refused ? std::max(hi, std::min(*floor_w, *load_cover_max_w_)) : hi;
      cmd.battery_power_w = std::max(cmd.battery_power_w, std::min(*floor_w, cover_max_w));
      std::string why = current_guard_.reason();
      if (cmd.battery_power_w > hi + 1.0)
        why +=
            "; the inverter covers the load although the pack may not be charged now, and "
            "the cover comes down as soon as the pack takes any of it";
      // Even so the cover stays below what the load takes: the pack stays beyond its limit,
      // and people must hear of it.
      const bool partly =
          !refused && current_guard_.partly_covered() && cmd.battery_power_w > hi + 1.0;
      if (partly) {
        why +=
            "; the inverter delivers only part of the charge that covers it (one that keeps to "
            "the BMS's charge limit itself charges no more than that), so the pack keeps "
            "draining beyond its limit";
        out.discharge_uncovered = true;
      } else if (*floor_w > cover_max_w + 1.0) {
        std::string bound = env.charge_power_max_w.cause.sentence;
        while (!bound.empty() && bound.back() == '.') bound.pop_back();
        if (!bound.empty()) bound[0] = static_cast<char>(std::tolower(bound[0]));
        why += refused && load_cover_max_w_
                   ? std::string(
                         "; the inverter does not deliver the charge that would cover the rest "
                         "(an inverter that takes the BMS's charge limit itself does not charge "
                         "while the BMS allows none), so the pack keeps draining")
               : cover_max_w > hi + 1.0
                   ? printf_string(
                         "; the inverter cannot cover the rest, as it may charge at most %.0f W "
                         "(its rating, the site's import limit), so the pack keeps draining",
                         cover_max_w)
                   : printf_string(
                         "; the inverter cannot cover the rest, as charging is limited to "
                         "%.0f W (%s), so the pack keeps draining",
                         hi, bound.c_str());
        out.discharge_uncovered = true;
      }
      cmd.reason += "; discharge current guard: " + why;
      out.current_guard = why;
      if (has_request && requested_w < cmd.battery_power_w)
        out.clamp = ClampInfo{true, requested_w, cmd.battery_power_w,
                              core::Cause{core::CauseKind::bms_limit, "DCL-GUARD",
                                          "Discharging is reduced because " + why + "."}};
    } else if (target_at_battery_ && current_guard_.not_delivered()) {
      // The command asks the battery for no more than the cells may give, and the device
      // holds the battery there by taking a DC load over; an excess that stays is a load it
      // does not take over (docs/protection.md "Covering a DC load").
      const std::string why =
          current_guard_.reason() +
          "; the inverter does not take the rest of the load over (its charge limit, or the "
          "BMS's, keeps it below the load), so the pack keeps draining";
      cmd.reason += "; discharge current guard: " + why;
      out.current_guard = why;
      out.discharge_uncovered = true;
    }
  }
  cmd.charge_power_max_w = cmd.kind == CommandKind::set_power ? env.charge_power_max_w.value : 0.0;
  cmd.discharge_power_max_w =
      cmd.kind == CommandKind::set_power ? env.discharge_power_max_w.value : 0.0;
  // The device's own limit registers carry the same envelope (docs/profiles.md "Control").
  cmd.charge_current_carried_load_a =
      cmd.kind == CommandKind::set_power ? dc_load_carried_a(in) : 0.0;
  cmd.charge_current_max_a =
      cmd.kind == CommandKind::set_power
          ? env.charge_current_max_a.value + cmd.charge_current_carried_load_a
          : 0.0;
  cmd.discharge_current_max_a =
      cmd.kind == CommandKind::set_power ? env.discharge_current_max_a.value : 0.0;
  if (out.current_guard) {
    // A device that follows its limit registers rather than the setpoint is held the same way,
    // and may charge as far as the cover goes.
    const double share_w = std::max(0.0, -cmd.battery_power_w);
    const double cover_w = std::max(0.0, cmd.battery_power_w);
    cmd.discharge_power_max_w = std::min(cmd.discharge_power_max_w, share_w);
    cmd.charge_power_max_w = std::max(cmd.charge_power_max_w, cover_w);
    if (const auto v = in.snapshot.pack.voltage_v; v && *v > 0.0) {
      cmd.discharge_current_max_a = std::min(cmd.discharge_current_max_a, share_w / *v);
      cmd.charge_current_max_a = std::max(cmd.charge_current_max_a, cover_w / *v);
    }
  }
  if (env.charge_voltage_max_v.value > 0.0)
    cmd.charge_voltage_max_v = env.charge_voltage_max_v.value;
  // Clamp edges (reported, never silent). While waiting for the first BMS data the zero is
  // said by status ("waiting"), not as a clamp; a clamp that outlasts the wait is reported.
  if (out.clamp.clamped != clamp_active_ && !out.waiting_for_bms) {
    clamp_active_ = out.clamp.clamped;
    events.push_back(
        clamp_active_
            ? control_event(
                  in.now, Severity::info, EventEdge::raised, "control.setpoint_clamped",
                  printf_string("Requested %.0f W, allowed %.0f W: %s", out.clamp.requested_w,
                                out.clamp.allowed_w, out.clamp.cause.sentence.c_str()))
            : control_event(in.now, Severity::info, EventEdge::cleared, "control.setpoint_clamped",
                            "The requested power is within the limits again."));
  }

  return cmd;
}

std::optional<std::string> Controller::charge_missing_text() const {
  const ChargeShortfall& sf = obey_verdict_.shortfall;
  if (!sf.active) return std::nullopt;
  return printf_string("the battery %s %.0f W", sf.measured_w < 0.0 ? "discharges" : "takes only",
                       std::abs(sf.measured_w));
}

void Controller::update_operating_reason(const StepInput& in, StepOutput& out) {
  out.operating = operating_reason(OperatingFacts{
      state_,
      mode_,
      out.command,
      out.clamp,
      out.faults,
      out.recovery,
      out.current_guard,
      out.waiting_for_bms,
      out.inverter_online,
      safe_first_pending_ && state_ != ControlState::starting,
      no_grid_reading_ && (mode_ == config::OperatingMode::self_consumption ||
                           (out.scheduled && out.scheduled->follows_house)),
      in.mode_held_at_start,
      in.snapshot.compliance.reason,
      settings_.inverter_link,
      std::max(settings_.self_consumption.deadband_w, 10.0),
      charge_missing_text(),
      out.discharge_uncovered,
      in.snapshot.inverter.grid_power_from_meter,
      out.scheduled ? &*out.scheduled : nullptr,
  });
  // Announced once it has held for a while: self-consumption passes through "balanced" every
  // time a cloud passes, and a log of those would drown the events that matter.
  constexpr Duration kSettle = std::chrono::seconds{10};
  const std::string& code = out.operating.code;
  if (code == reported_reason_) {
    new_reason_.reset();
    return;
  }
  if (!new_reason_ || new_reason_->first != code) new_reason_.emplace(code, in.now);
  if (in.now - new_reason_->second < kSettle) return;
  reported_reason_ = code;
  new_reason_.reset();
  out.events.push_back(control_event(in.now, Severity::info, EventEdge::once,
                                     "control.operating_reason", out.operating.text));
}

}  // namespace bessd::control
