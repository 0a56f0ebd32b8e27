#include <bessd/control/scheduled_power.hpp>

#include <algorithm>

#include <bessd/common/printf_string.hpp>

namespace bessd::control {

namespace {

using Kind = config::ScheduleActionKind;

// "as much as the envelope allows" when no power is set: the envelope bounds it after.
constexpr double kAsMuchAsAllowedW = 1e9;

std::string where(const ScheduledAction& s) {
  if (s.clock_unset) return "schedule, clock not set";
  return s.window.empty() ? std::string("schedule, outside the windows") : "schedule " + s.window;
}

}  // namespace

ScheduledPower ScheduledPowerPlanner::plan(const ScheduledAction& scheduled,
                                           std::optional<double> soc_pct, double reserve_pct,
                                           double target_pct, double self_consumption_w) {
  const auto& a = scheduled.action;
  const std::string key = scheduled.window + "/" + std::string(config::to_string(a.kind));
  if (key != window_) {
    window_ = key;
    done_ = false;
  }
  ScheduledPower p;
  p.where = where(scheduled);
  p.kind = a.kind;
  p.window = scheduled.window;
  p.clock_unset = scheduled.clock_unset;
  const double hold_w = std::max(0.0, self_consumption_w);  // the sun may charge, nothing drains
  switch (a.kind) {
    case Kind::idle:
      p.reason = where(scheduled) + ": idle";
      return p;
    case Kind::self_consumption:
      p.wanted_w = self_consumption_w;
      p.follows_house = true;
      p.reason = where(scheduled) + ": self_consumption";
      return p;
    case Kind::hold:
      p.wanted_w = hold_w;
      p.follows_house = true;
      p.reason = where(scheduled) + ": hold (no discharge)";
      return p;
    case Kind::charge: {
      p.goal_pct = std::min(a.target_soc_pct.value_or(target_pct), target_pct);
      if (soc_pct && *soc_pct >= p.goal_pct) done_ = true;
      if (soc_pct && *soc_pct <= p.goal_pct - kHysteresisPct) done_ = false;
      p.reason = where(scheduled) + printf_string(": charge to %.0f %%", p.goal_pct);
      if (!soc_pct || done_) {
        // Unknown SOC: no grid energy is bought blind; at the target: held there.
        p.done = done_;
        p.wanted_w = hold_w;
        p.follows_house = true;
        p.reason += soc_pct ? " (reached: holding)" : " (no SOC reading: holding)";
        return p;
      }
      // At least the window's power; more when the sun gives more (rather than export it).
      p.wanted_w = std::max(a.power_w.value_or(kAsMuchAsAllowedW), self_consumption_w);
      p.up_to_envelope = !a.power_w;
      return p;
    }
    case Kind::discharge: {
      p.goal_pct = std::max(a.floor_soc_pct.value_or(reserve_pct), reserve_pct);
      if (soc_pct && *soc_pct <= p.goal_pct) done_ = true;
      if (soc_pct && *soc_pct >= p.goal_pct + kHysteresisPct) done_ = false;
      p.reason = where(scheduled) + printf_string(": discharge to %.0f %%", p.goal_pct);
      if (!soc_pct || done_) {
        p.done = done_;
        p.wanted_w = hold_w;
        p.follows_house = true;
        p.reason += soc_pct ? " (reached: holding)" : " (no SOC reading: holding)";
        return p;
      }
      // At least the window's power; more when the house takes more (rather than import it).
      p.wanted_w = std::min(-a.power_w.value_or(kAsMuchAsAllowedW), self_consumption_w);
      p.up_to_envelope = !a.power_w;
      return p;
    }
  }
  return p;
}

}  // namespace bessd::control
