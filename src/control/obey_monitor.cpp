#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include <bessd/common/printf_string.hpp>
#include <bessd/control/obey_monitor.hpp>

namespace bessd::control {

std::string ObeyMonitor::restored_detail(bool charge) {
  return std::string("the inverter did not follow bessd before bessd restarted (") +
         (charge ? "charging" : "discharging") +
         " is allowed again once it has followed for a whole window)";
}

std::string ObeyMonitor::describe(const Side& side, double measured_w, double bound_w,
                                  double limit_w, const SideRules& rules) const {
  const double tolerance_w = limit_w - bound_w - side.load_w;
  char buf[320];
  if (!rules.at_battery) {
    std::snprintf(buf, sizeof buf,
                  "the inverter %s at %.0f W while bessd allowed %.0f W (tolerance %.0f W) for "
                  "more than %.0f s",
                  rules.verb, measured_w, bound_w, tolerance_w, to_seconds(s_.window));
    return buf;
  }
  // Measured at the BMS the inverter's share cannot be seen: say what was measured against what
  // bessd commanded, a declared load apart, and both explanations.
  char load[80] = "";
  if (side.load_w > 0.0) std::snprintf(load, sizeof load, " besides a %.0f W DC load", side.load_w);
  // A discharge while bessd commands a charge: the charge is what was commanded, not "0 W".
  char commanded[64];
  if (std::string_view(rules.verb) == "discharges" && commanded_w_ > 0.0)
    std::snprintf(commanded, sizeof commanded, "a charge of %.0f W", commanded_w_);
  else
    std::snprintf(commanded, sizeof commanded, "%.0f W", bound_w);
  std::snprintf(buf, sizeof buf,
                "the battery %s at %.0f W while bessd commanded %s%s (tolerance %.0f W) for "
                "more than %.0f s: the inverter does not follow, or a DC load larger than "
                "battery.dc_load_max_w draws",
                rules.verb, measured_w, commanded, load, tolerance_w, to_seconds(s_.window));
  return buf;
}

ObeyDirection ObeyMonitor::judge_side(Side& side, double measured_w, double commanded_w,
                                      double dt_s, TimePoint now, const SideRules& rules) {
  // The allowance: the command in this direction, or what is left of a higher earlier command
  // while the inverter ramps down at its rate.
  side.allowance_w =
      std::max(commanded_w, side.allowance_w - s_.inverter_ramp_w_per_s * std::max(0.0, dt_s));
  // A power bessd tolerates without commanding it does not ramp: it bounds, it is not followed.
  const double bound_w = std::max(side.allowance_w, rules.tolerated_w);
  const double limit_w =
      bound_w * (1.0 + s_.margin_pct / 100.0) + s_.standby_tolerance_w + side.load_w;
  // Both directions are always judged: a discharge bessd does not command, beyond the standby
  // tolerance and a declared DC load, is an inverter out of control draining the pack (at the
  // reserve too, where nothing else would see it).
  const bool over = measured_w > limit_w;
  ObeyDirection out;
  if (!over) {
    side.over_since.reset();
    if (side.blocked && !side.latched && side.hold_block) {
      // Within the tolerance only because the pack has little left to give (its DCL tapers at
      // the reserve) while the charge bessd commands goes missing: that is not obedience.
      side.obeying_since.reset();
    } else if (side.blocked && !side.latched) {
      // Obeying the zero again: the block ends after a whole window of obedience.
      if (!side.obeying_since) side.obeying_since = now;
      if (now - *side.obeying_since >= s_.window) {
        side.blocked = false;
        side.restored = false;
        side.unattributed = false;
        side.obeying_since.reset();
      }
    }
  } else {
    side.obeying_since.reset();
    if (!side.over_since) side.over_since = now;
    if (now - *side.over_since > s_.window) {
      side.restored = false;  // judged again in this run: the detail says what it saw
      if (side.blocked && !rules.latch_after_block) {
        // Still drawing a whole window after discharging was stopped, measured at the battery:
        // a load switched on during the discharge looks the same as an inverter that does not
        // stop. Neither is latched on such a measurement, nor taken as a load (which would let an
        // inverter running its own self-use drain the pack past the reserve unseen): the block
        // holds, said as such, until the draw ends.
        if (!side.unattributed) out.persists_unattributed_w = measured_w;
        side.unattributed = true;
        side.over_since = now;
      } else {
        if (side.blocked) side.latched = true;  // still pushing after the block
        side.blocked = true;
        side.over_since = now;  // the latch needs its own window after the block
      }
    }
  }
  out.pushing = over;
  out.blocked = side.blocked;
  out.latch = side.latched;
  out.restored = side.blocked && side.restored;
  if (over) side.detail = describe(side, measured_w, bound_w, limit_w, rules);
  if (side.blocked && side.restored) {
    out.detail = restored_detail(&side == &charge_);
  } else if (side.blocked && !over && !side.detail.empty()) {
    // What was seen, not the 0 W of now, and when the block ends.
    out.detail = side.detail;
    if (side.obeying_since)
      out.detail +=
          printf_string("; within the tolerance again, the block ends after %.0f s more of it",
                        std::max(0.0, to_seconds(s_.window - (now - *side.obeying_since))));
  } else if (side.blocked) {
    out.detail = describe(side, measured_w, bound_w, limit_w, rules);
  }
  return out;
}

ObeyVerdict ObeyMonitor::update(std::optional<double> measured_w, double commanded_w, bool judge,
                                TimePoint now, std::optional<double> charge_envelope_w,
                                bool measured_at_battery) {
  const double dt_s = last_ && now > *last_ ? to_seconds(now - *last_) : 0.0;
  last_ = now;
  commanded_w_ = commanded_w;
  ObeyVerdict v;
  if (!judge || !measured_w) {
    // Nothing to judge: keep the confirmed state, forget running timers.
    charge_.over_since.reset();
    discharge_.over_since.reset();
    short_since_.reset();
    v.shortfall = ChargeShortfall{short_, 0.0, 0.0};
    v.charge.blocked = charge_.blocked;
    v.charge.latch = charge_.latched;
    v.discharge.blocked = discharge_.blocked;
    v.discharge.latch = discharge_.latched;
    for (auto [side, out] : {std::pair{&charge_, &v.charge}, std::pair{&discharge_, &v.discharge}})
      if (side->blocked && side->restored) {
        out->restored = true;
        out->detail = restored_detail(side == &charge_);
      }
    return v;
  }
  track_settling(commanded_w, now);
  learn_dc_load(*measured_w, commanded_w, now, measured_at_battery);
  // The room follows the measured load up at once and comes down only after the hold.
  if (!measured_at_battery) {
    room_.clear();
  } else if (load_measured_ && settled(now)) {
    room_.record(discharge_.load_w, now);
  }
  v.shortfall = judge_shortfall(*measured_w, commanded_w, now);
  discharge_.hold_block = v.shortfall.active;
  // Only a charger puts power into the pack. Without a charge command from bessd, a charge
  // within the envelope is the device's own (a Victron GX's BatteryLife recharge, AC-coupled PV
  // in island mode) and harmless; beyond the envelope (0 W with a fault latched, below 0 °C, at
  // the CVL) it is an inverter out of bessd's control. A charge bessd commands is held to it.
  const double charge_tolerated_w =
      commanded_w > 0.0 ? 0.0 : std::max(0.0, charge_envelope_w.value_or(0.0));
  v.charge = judge_side(charge_, *measured_w, std::max(0.0, commanded_w), dt_s, now,
                        SideRules{"charges", charge_tolerated_w, true});
  v.discharge = judge_side(discharge_, -*measured_w, std::max(0.0, -commanded_w), dt_s, now,
                           SideRules{"discharges", 0.0, /*latch_after_block=*/!measured_at_battery,
                                     measured_at_battery});
  return v;
}

void ObeyMonitor::learn_dc_load(double measured_w, double commanded_w, TimePoint now,
                                bool measured_at_battery) {
  // Measured at the battery, the draw besides bessd's command may be a DC load on the battery
  // bus, up to what the installer declared (battery.dc_load_max_w): judged on top of it, and
  // left room for in the envelope. Nothing beyond the declaration is ever taken as a load: an
  // inverter running its own self-use looks the same (docs/protection.md "DC loads").
  if (!measured_at_battery) {
    discharge_.load_w = 0.0;
    return;
  }
  if (discharge_.blocked) return;
  if (settled(now)) {
    // The inverter has had time to reach the command: the battery's discharge beyond the
    // discharge commanded, or on top of the charge commanded (a 2 kW load under a 1 kW charge
    // shows as a 1 kW discharge), is the load, up or down.
    discharge_.load_w = std::clamp(-measured_w + commanded_w, 0.0, s_.dc_load_max_w);
    load_measured_ = true;
    return;
  }
  // While the command moves (the discharge current guard corrects it on each BMS sample, a
  // ramp) the measurement lags it, but the inverter gives at most its command or what is left
  // of a higher earlier one: a draw beyond that is a load at least that large. Only raised here,
  // so a load switching on while the command keeps moving is not judged as the inverter's.
  const double inverter_gives_at_most_w = std::max(-commanded_w, discharge_.allowance_w);
  const double load_at_least_w = -measured_w - std::max(0.0, inverter_gives_at_most_w);
  discharge_.load_w = std::max(discharge_.load_w, std::min(load_at_least_w, s_.dc_load_max_w));
}

void ObeyMonitor::track_settling(double commanded_w, TimePoint now) {
  // The inverter reaches a new command after its ramp; the measurement follows a BMS and a
  // control period later.
  if (settle_from_ && std::abs(commanded_w - settle_ref_w_) <= s_.standby_tolerance_w) return;
  const double change_w = settle_from_ ? std::abs(commanded_w - settle_ref_w_) : 0.0;
  settle_ref_w_ = commanded_w;
  settle_from_ = now;
  settle_for_ = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(
                    change_w / std::max(1.0, s_.inverter_ramp_w_per_s))) +
                std::chrono::seconds{2};
}

ChargeShortfall ObeyMonitor::judge_shortfall(double measured_w, double commanded_w, TimePoint now) {
  // bessd commands a charge (a recovery charge at the reserve, above all) and the pack keeps
  // discharging, or takes a fraction: nothing else would notice that the pack still drains
  // (docs/protection.md "Inverter not obeying"). Less than half of it arriving is no ramp or rating
  // shortfall: where it goes, the pack's state of charge goes too.
  // A declared DC load measured at the battery takes its learned share of the command first:
  // the pack's net charge is what is left (a recovery charge adds that share on purpose).
  const double net_w = target_at_battery_ ? commanded_w : commanded_w - discharge_.load_w;
  // During a recovery charge the pack must gain: at the battery a charge that does not arrive
  // looks like a DC load the charge covers, so the net judgement alone would take a rogue
  // inverter for a load and stay silent while the pack drains below its reserve.
  const bool draining_while_recovering =
      recovering_ && commanded_w > s_.standby_tolerance_w && measured_w < -s_.standby_tolerance_w;
  const bool shows_missing =
      draining_while_recovering ||
      (net_w > s_.standby_tolerance_w && measured_w < net_w / 2.0 - s_.standby_tolerance_w);
  // While the command moves (a ramp, the discharge current guard raising it against the same
  // inverter) the verdict stands until the charge is seen to arrive: a command that keeps moving
  // must not clear a charge that keeps missing.
  if (!settled(now) && shows_missing) return ChargeShortfall{short_, net_w, measured_w};
  const bool missing = settled(now) && shows_missing;
  if (!missing) {
    short_since_.reset();
    short_ = false;
  } else if (!short_since_) {
    short_since_ = now;
  } else if (now - *short_since_ >= s_.window) {
    short_ = true;
  }
  return ChargeShortfall{short_, net_w, measured_w};
}

void ObeyMonitor::reset(bool charge) {
  Side& side = charge ? charge_ : discharge_;
  side = Side{};
}

void ObeyMonitor::restore_block(bool charge) {
  Side& side = charge ? charge_ : discharge_;
  side.blocked = true;
  side.restored = true;
}

}  // namespace bessd::control
