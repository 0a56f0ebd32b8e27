#include <algorithm>
#include <cstdio>

#include <bessd/control/obey_monitor.hpp>

namespace bessd::control {

ObeyDirection ObeyMonitor::judge_side(Side& side, double measured_w, double commanded_w,
                                      double dt_s, TimePoint now, const char* verb,
                                      bool always_judged) {
  // The allowance: the command in this direction, or what is left of a higher earlier command
  // while the inverter ramps down at its rate.
  side.allowance_w =
      std::max(commanded_w, side.allowance_w - s_.inverter_ramp_w_per_s * std::max(0.0, dt_s));
  const double limit_w = side.allowance_w * (1.0 + s_.margin_pct / 100.0) + s_.standby_tolerance_w;
  // Charging is always judged: only a charger bessd commands puts power into the pack, so a charge
  // at a zero allowance is an inverter out of bessd's control (its own self-use from PV, a
  // device that left remote control). Discharging is judged only against power bessd commanded
  // that way, or after a block: a DC load on the battery bus draws without any command.
  const bool judged = always_judged || side.allowance_w > 0.0 || side.blocked;
  const bool over = judged && measured_w > limit_w;
  ObeyDirection out;
  if (!over) {
    side.over_since.reset();
    if (side.blocked && !side.latched) {
      // Obeying the zero again: the block ends after a whole window of obedience.
      if (!side.obeying_since) side.obeying_since = now;
      if (now - *side.obeying_since >= s_.window) {
        side.blocked = false;
        side.obeying_since.reset();
      }
    }
  } else {
    side.obeying_since.reset();
    if (!side.over_since) side.over_since = now;
    if (now - *side.over_since > s_.window) {
      if (side.blocked) side.latched = true;  // still pushing after the block
      side.blocked = true;
      side.over_since = now;  // the latch needs its own window after the block
    }
  }
  out.pushing = over;
  out.blocked = side.blocked;
  out.latch = side.latched;
  if (side.blocked) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "the inverter %s at %.0f W while bessd allowed %.0f W (tolerance %.0f W) for "
                  "more than %.0f s",
                  verb, measured_w, side.allowance_w, limit_w - side.allowance_w,
                  to_seconds(s_.window));
    out.detail = buf;
  }
  return out;
}

ObeyVerdict ObeyMonitor::update(std::optional<double> measured_w, double commanded_w, bool judge,
                                TimePoint now) {
  const double dt_s = last_ && now > *last_ ? to_seconds(now - *last_) : 0.0;
  last_ = now;
  ObeyVerdict v;
  if (!judge || !measured_w) {
    // Nothing to judge: keep the confirmed state, forget running timers.
    charge_.over_since.reset();
    discharge_.over_since.reset();
    v.charge.blocked = charge_.blocked;
    v.charge.latch = charge_.latched;
    v.discharge.blocked = discharge_.blocked;
    v.discharge.latch = discharge_.latched;
    return v;
  }
  v.charge = judge_side(charge_, *measured_w, std::max(0.0, commanded_w), dt_s, now, "charges",
                        /*always_judged=*/true);
  v.discharge = judge_side(discharge_, -*measured_w, std::max(0.0, -commanded_w), dt_s, now,
                           "discharges", /*always_judged=*/false);
  return v;
}

void ObeyMonitor::reset(bool charge) {
  Side& side = charge ? charge_ : discharge_;
  side = Side{};
}

}  // namespace bessd::control
