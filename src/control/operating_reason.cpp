#include <bessd/control/operating_reason.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include <bessd/common/printf_string.hpp>
#include <bessd/control/controller.hpp>

namespace bessd::control {

namespace {

// "800 W", "1.2 kW": a power for a sentence.
std::string power_words(double w) {
  const double a = std::abs(w);
  if (a >= 1000.0) return printf_string("%.1f kW", a / 1000.0);
  return printf_string("%.0f W", a);
}

// A cause sentence ("Charging is reduced because ...") continued after a colon.
std::string continued(std::string sentence) {
  if (!sentence.empty()) sentence[0] = static_cast<char>(std::tolower(sentence[0]));
  while (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
  return sentence;
}

std::string ended(std::string sentence) {
  while (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
  return sentence + ".";
}

// `fault_id`: " (COM-02)" once the silence has lasted long enough to be a fault, else empty.
OperatingReason inverter_offline(const std::string& link, const std::string& fault_id) {
  return OperatingReason{"inverter_offline", "Waiting for the inverter (" + link +
                                                 "): it does not answer" + fault_id +
                                                 "; bessd writes the safe state when it does."};
}

std::optional<OperatingReason> before_power(const OperatingFacts& f) {
  switch (f.state) {
    case ControlState::stopped:
      return OperatingReason{"stopping", "Stopping: the inverter is put in its safe state."};
    case ControlState::lockout:
      return OperatingReason{
          "installation_blocked",
          ended("No power flow: the installation check blocks it (" + f.lockout_reason + ")")};
    case ControlState::fault: {
      if (f.faults.empty()) return OperatingReason{"fault", "Stopped by a fault."};
      // Only the inverter's silence (COM-02, which clears by itself): an owner is told what the
      // controller waits for, not only the fault's name.
      if (std::all_of(f.faults.begin(), f.faults.end(),
                      [](const FaultStatus& x) { return x.id == "COM-02" && !x.latched; }))
        return inverter_offline(f.inverter_link, " (COM-02)");
      const auto& first = f.faults.front();
      std::string text = "Stopped by " + first.id + ": " + continued(first.reason);
      if (f.faults.size() > 1)
        text += printf_string(" (and %zu more fault%s)", f.faults.size() - 1,
                              f.faults.size() > 2 ? "s" : "");
      if (first.latched && !first.cause_active) text += "; acknowledge it to resume";
      return OperatingReason{"fault", ended(text)};
    }
    case ControlState::starting:
    case ControlState::standby:
    case ControlState::running:
      break;
  }
  if (f.waiting_for_bms)
    return OperatingReason{"waiting_for_bms", "Waiting for the first BMS data."};
  if (f.state == ControlState::starting)
    return OperatingReason{
        "starting", "Starting: waiting for the first inverter read (" + f.inverter_link + ")."};
  if (!f.inverter_online) return inverter_offline(f.inverter_link, "");
  if (f.safe_first_pending)
    return OperatingReason{"connecting",
                           "The inverter answers again: the safe setpoint first, the target "
                           "follows."};
  if (f.recovery) {
    std::string text = *f.recovery;
    while (!text.empty() && text.back() == '.') text.pop_back();
    // A recovery charge that does not arrive is no recharging: said first, not only as an event.
    if (f.charge_missing) text += "; but the charge does not arrive: " + *f.charge_missing;
    if (f.discharge_uncovered && f.current_guard) text += "; meanwhile " + *f.current_guard;
    return OperatingReason{"recovery_charge", ended(text)};
  }
  return std::nullopt;
}

// The pack gives more than its limit: the guard holds the inverter's share down.
OperatingReason guarded(const OperatingFacts& f) {
  const double p = f.command.battery_power_w;
  std::string lead = p < -f.idle_band_w  ? "Discharging limited to " + power_words(p)
                     : p > f.idle_band_w ? "Charging " + power_words(p) +
                                               " to cover a load the pack must not supply"
                                         : std::string("Not discharging");
  return {"discharge_current_guard", ended(lead + ": " + *f.current_guard)};
}

OperatingReason clamped(const OperatingFacts& f) {
  const bool charge = f.clamp.requested_w > 0.0;
  const std::string& sentence = f.clamp.cause.sentence;
  const bool self_use = f.mode == config::OperatingMode::self_consumption ||
                        (f.scheduled && f.scheduled->follows_house);
  if (std::abs(f.clamp.allowed_w) <= f.idle_band_w) {
    std::string text = ended(sentence);
    if (self_use)
      text.back() = ';', text += charge ? " the solar surplus goes to the grid."
                                        : " the house is supplied from the grid.";
    return {charge ? "charge_blocked" : "discharge_blocked", text};
  }
  return {charge ? "charge_limited" : "discharge_limited",
          ended((charge ? "Charging limited to " : "Discharging limited to ") +
                power_words(f.clamp.allowed_w) + " (" + power_words(f.clamp.requested_w) +
                " asked): " + continued(sentence))};
}

// docs/schedules.md: the window's action in words, and which window. Self-consumption in a
// window reads as self-consumption does (nullopt).
std::optional<OperatingReason> scheduled(const OperatingFacts& f, double p, bool idle) {
  const auto& s = *f.scheduled;
  using Kind = config::ScheduleActionKind;
  const std::string goal = printf_string("%.0f %%", s.goal_pct);
  if (s.clock_unset)
    return OperatingReason{"schedule_no_clock",
                           "Self-consumption: the clock reads before 2020 (not set since the "
                           "gateway started), so the schedule's windows cannot be told."};
  if (s.kind == Kind::idle) return OperatingReason{"schedule_idle", "Idle (" + s.where + ")."};
  if (s.kind == Kind::self_consumption) return std::nullopt;
  if (!s.follows_house) {
    const bool charge = s.kind == Kind::charge;
    if (idle && !s.bounded_by.empty()) {
      std::string text = s.bounded_by;  // kept as it reads, its period moved after the window
      while (!text.empty() && text.back() == '.') text.pop_back();
      return OperatingReason{charge ? "charge_blocked" : "discharge_blocked",
                             text + " (" + s.where + ")."};
    }
    if (idle) return OperatingReason{"schedule_idle", "Holding 0 W (" + s.where + ")."};
    if (!s.bounded_by.empty())
      return OperatingReason{charge ? "schedule_charge" : "schedule_discharge",
                             (charge ? "Charging at " : "Discharging at ") + power_words(p) +
                                 (charge ? " to " : " down to ") + goal + " (" + s.where +
                                 "), as much as allowed: " + continued(s.bounded_by) + "."};
    return p > 0.0 ? OperatingReason{"schedule_charge", "Charging at " + power_words(p) + " to " +
                                                            goal + " (" + s.where + ")."}
                   : OperatingReason{"schedule_discharge", "Discharging at " + power_words(p) +
                                                               " down to " + goal + " (" + s.where +
                                                               ")."};
  }
  // Hold, or a charge or discharge that has reached its goal: the sun may charge, nothing drains.
  std::string why = s.kind == Kind::hold     ? std::string("no discharge")
                    : s.kind == Kind::charge ? "charged to " + goal + ", no discharge"
                                             : "discharged to " + goal + ", no discharge";
  if (!idle && p > 0.0)
    return OperatingReason{
        "storing_surplus",
        "Charging " + power_words(p) + " from the solar surplus (" + s.where + ": " + why + ")."};
  return OperatingReason{"schedule_hold", "Holding: " + why +
                                              "; the house is supplied from the "
                                              "grid (" +
                                              s.where + ")."};
}

}  // namespace

OperatingReason operating_reason(const OperatingFacts& f) {
  if (auto r = before_power(f)) return *r;
  if (f.current_guard) return guarded(f);
  if (f.state == ControlState::standby)
    return f.mode_held_at_start
               ? OperatingReason{"start_hold",
                                 "Idle until the safety state is stored at start; the operator's "
                                 "mode follows."}
               : OperatingReason{"idle_mode", "Idle: the operating mode is idle."};
  if (f.clamp.clamped) return clamped(f);
  const double p = f.command.battery_power_w;
  const bool idle = std::abs(p) <= f.idle_band_w;
  if (f.mode == config::OperatingMode::manual) {
    if (idle) return {"manual_zero", "Holding 0 W as set in manual mode."};
    return p > 0.0 ? OperatingReason{"manual_charge",
                                     "Charging at " + power_words(p) + " as set in manual mode."}
                   : OperatingReason{"manual_discharge", "Discharging at " + power_words(p) +
                                                             " as set in manual mode."};
  }
  if (f.mode == config::OperatingMode::schedule && f.scheduled)
    if (auto r = scheduled(f, p, idle)) return *r;
  if (f.no_grid_reading)
    return {"no_grid_reading",
            f.grid_from_meter
                ? "Idle: no grid power reading, so self-consumption cannot follow the house (the "
                  "meter does not answer: see its link in the status)."
                : "Idle: no grid power reading, so self-consumption cannot follow the house (the "
                  "inverter reports none: configure a meter, use a profile with a grid reading, "
                  "or manual mode)."};
  if (idle)
    return {"balanced",
            "Idle: no solar surplus to store and no house load to cover; the grid is at its "
            "target."};
  return p > 0.0 ? OperatingReason{"storing_surplus",
                                   "Charging " + power_words(p) + " from the solar surplus."}
                 : OperatingReason{"covering_load",
                                   "Discharging " + power_words(p) + " to cover the house load."};
}

}  // namespace bessd::control
