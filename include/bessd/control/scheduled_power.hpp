#pragma once
// What the action of a schedule window asks of the battery (docs/schedules.md "Actions"). Pure:
// fed the SOC, the window and the self-consumption setpoint, returns the power wanted before the
// envelope bounds it. It remembers only whether a charge has reached its target or a discharge
// its floor: it resumes once the SOC is the hysteresis away again, or in another window.

#include <optional>
#include <string>

#include <bessd/control/schedule_calendar.hpp>

namespace bessd::control {

struct ScheduledPower {
  double wanted_w{0.0};       // + = charge
  bool follows_house{false};  // self-consumption (or hold): wanted_w is its setpoint
  bool done{false};           // a charge at its target, a discharge at its floor: holding
  std::string reason;    // for the command ("schedule Mon–Fri 00:30–04:30: charge to 90 %")
  double goal_pct{0.0};  // the target or floor in force for a charge or discharge
  bool up_to_envelope{false};  // no power set: as much as the envelope allows (not a clamp)
  std::string where;  // "schedule Mon–Fri 00:30–04:30", "schedule, outside the windows"
  config::ScheduleActionKind kind{config::ScheduleActionKind::idle};
  std::string window;       // ScheduledAction::window: empty between the windows
  bool clock_unset{false};  // ScheduledAction::clock_unset
  /// Set by the controller: the envelope's sentence for the bound of an "as much as allowed"
  /// charge or discharge.
  std::string bounded_by;
};

class ScheduledPowerPlanner {
 public:
  static constexpr double kHysteresisPct = 2.0;

  /// `reserve_pct`, `target_pct`: the window in force (owner's or configured), the defaults of a
  /// discharge floor and a charge target. `self_consumption_w`: what self-consumption would ask.
  ScheduledPower plan(const ScheduledAction& scheduled, std::optional<double> soc_pct,
                      double reserve_pct, double target_pct, double self_consumption_w);

 private:
  std::string window_;  // the window of the last plan: a new one starts afresh
  bool done_{false};
};

}  // namespace bessd::control
