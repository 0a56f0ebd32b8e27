#include <algorithm>
#include <cmath>

#include <bessd/common/printf_string.hpp>
#include <bessd/control/discharge_current_guard.hpp>

namespace bessd::control {

namespace {

// A BMS reports its current to 0.1 A and an inverter settles with some overshoot; a few per cent
// over the limit are within what the BMS's own over-current protection allows for.
double tolerance_a(double limit_a) {
  return std::max(1.0, 0.05 * limit_a);
}

// A BMS's current reading wanders by a few tenths of an ampere between samples.
constexpr double kNoiseA = 0.3;
// How often a correction on its way is checked for progress: a few BMS samples.
constexpr Duration kProgressPeriod = std::chrono::milliseconds{500};
// How close an inverter's own power reading must be to a command to deliver it: its meter's
// resolution and the sample's timing.
constexpr double kDeliveredW = 50.0;

Duration settle_time(double change_w, double ramp_w_per_s) {
  return std::chrono::duration_cast<Duration>(
             std::chrono::duration<double>(change_w / std::max(1.0, ramp_w_per_s))) +
         std::chrono::seconds{2};
}

}  // namespace

void DischargeCurrentGuard::corrected(double over_a, TimePoint now) {
  progress_a_ = over_a;
  progress_at_ = now;
  corrected_over_a_ = over_a;
  corrected_at_ = now;
  not_delivered_ = false;
  moving_ = false;
}

void DischargeCurrentGuard::correct_rest(double over_a, double volts, double commanded_w,
                                         double cover_from_w, TimePoint now) {
  // From the command actually applied. Beyond the charge the cells may take, only a load that
  // switches on (growth) raises a cover: an excess that stays there is an inverter that delivers
  // only part of it (one that keeps to the BMS's charge limit itself), and adding to its
  // command would only wind the cover up, to be charged into the pack when the load stops.
  // An inverter whose own reading shows it delivers the whole bound does not keep to anything
  // less: the cover is too small (a first correction taken while it still moved, after a
  // restart), and it grows.
  const bool delivers_all =
      inverter_w_ && *inverter_w_ >= *floor_w_ - std::max(kDeliveredW, 0.05 * std::abs(*floor_w_));
  const double wanted_w = base_w(commanded_w) + over_a * volts;
  const double cap_w = delivers_all ? wanted_w : std::max(*floor_w_, cover_from_w);
  // What a known load could need: the declared or measured DC load on top of the cells' charge.
  const double probe_to_w = std::min(wanted_w, known_load_w_ + std::max(0.0, cover_from_w));
  if (wanted_w > cap_w + 1.0 && moving_ && !probed_ && probe_to_w > *floor_w_ + 1.0) {
    // Measured at the battery alone, a cover too small (the first correction after a restart
    // was taken while the inverter still moved) looks like one delivered only in part; both
    // moved the pack (one that did not is not delivered at all, see update). Once per
    // episode the rest, up to what the known load could need, is tried: if the pack comes down
    // by at least half of it, it was needed and stays; if not, it is taken back and the cover
    // is held (see update). Never beyond the known load: a cover wound up past it would be
    // charged into the pack when the load stops.
    probed_ = true;
    probe_w_ = probe_to_w - *floor_w_;
    probe_over_a_ = over_a;
    floor_w_ = probe_to_w;
    hold_until_ = std::max(hold_until_, now + settle_time(*probe_w_, ramp_w_per_s_));
    probe_until_ = hold_until_ + kNoMovementWait;
    partly_covered_ = false;
    return;
  }
  partly_covered_ = wanted_w > cap_w + 1.0;
  const double next_w = std::min(wanted_w, cap_w);
  if (next_w <= *floor_w_ + 1e-6) return;
  floor_w_ = next_w;
  corrected(over_a, now);
  hold_until_ = std::max(hold_until_, now + settle_time(over_a * volts, ramp_w_per_s_));
}

void DischargeCurrentGuard::hold_at_battery(double over_a, double limit_a, double volts,
                                            TimePoint now) {
  // The command is the battery's own power: the bound is what the cells may give, whatever a
  // DC load takes, and the device covers the load by holding the battery at the command.
  // Raising the command by the load would charge it into the pack as the device takes the
  // load over. An excess that does not come down is a load the device does not take over.
  const double bound_w = -limit_a * volts;
  if (!floor_w_) {
    floor_w_ = bound_w;
    corrected(over_a, now);
    hold_until_ = now + settle_time(over_a * volts, ramp_w_per_s_);
    window_at_ = now;
    window_max_a_ = over_a;
    previous_max_a_ = over_a;
    stalled_windows_ = 0;
    return;
  }
  floor_w_ = std::max(*floor_w_, bound_w);  // a limit that dropped
  // Judged on the peaks of successive windows, not on single samples: a device taking the load
  // over brings each window's peak down; a load that changes all the time (a compressor, a pump,
  // a constant-power load on a sagging voltage) keeps its peaks, and two such windows in a row
  // (5 s) are a load the device does not take over.
  window_max_a_ = std::max(window_max_a_, over_a);
  if (now - window_at_ < kNoMovementWait) return;
  // Coming down means by a tenth of the excess, or at a quarter of the configured ramp's pace
  // whichever is less: a slow device taking a large load over brings it down steadily, by less
  // than a tenth per window.
  const double pace_a = 0.25 * ramp_w_per_s_ * to_seconds(now - window_at_) / volts;
  const double came_down_by_a = std::max(kNoiseA, std::min(0.1 * previous_max_a_, pace_a));
  const bool came_down = window_max_a_ <= previous_max_a_ - came_down_by_a;
  stalled_windows_ = came_down ? 0 : stalled_windows_ + 1;
  // Once said, it stays said while the excess lasts: a load that steps down but still takes the
  // pack past its limit is no device taking it over.
  if (stalled_windows_ >= 2) not_delivered_ = true;
  previous_max_a_ = window_max_a_;
  window_max_a_ = over_a;
  window_at_ = now;
}

bool DischargeCurrentGuard::judge_probe(double over_a, double volts, TimePoint now) {
  if (probe_over_a_ - over_a >= 0.5 * *probe_w_ / volts) {
    probe_w_.reset();  // it moved the pack: the cover was too small
    return false;
  }
  if (now < probe_until_) return false;
  *floor_w_ -= *probe_w_;
  probe_w_.reset();
  partly_covered_ = true;
  progress_a_ = over_a;
  progress_at_ = now;
  return true;
}

double DischargeCurrentGuard::answered_a(TimePoint now) const {
  const double on_its_way_a = now < hold_until_ ? corrected_over_a_ : 0.0;
  return std::max({0.0, last_over_a_, on_its_way_a});
}

void DischargeCurrentGuard::let_go(TimePoint now) {
  floor_w_.reset();
  probe_w_.reset();
  reason_.clear();
  released_at_ = now;
}

bool DischargeCurrentGuard::take_back_charge(double charge_a, double charge_limit_a, double limit_a,
                                             double volts, double commanded_w, TimePoint now) {
  const double allowed_a = std::max(0.0, charge_limit_a);
  const double over_a = charge_a - allowed_a;
  if (over_a <= tolerance_a(allowed_a)) return false;
  // Not waiting for the pause: a pack that may not be charged is being charged.
  const double take_w = over_a * volts;
  floor_w_ = std::min(*floor_w_, commanded_w - take_w);
  hold_until_ = now + settle_time(take_w, ramp_w_per_s_);
  reason_ = printf_string(
      "the pack took %.1f A, more than the %.1f A it may be charged with, so the charge that "
      "covers a DC load comes down (the load has dropped)",
      charge_a, allowed_a);
  if (*floor_w_ <= -(limit_a - tolerance_a(limit_a)) * volts + 1e-6) let_go(now);
  return true;
}

double DischargeCurrentGuard::base_w(double commanded_w) const {
  // An inverter still ramping towards a command that asks more discharge gives less than it: a
  // correction from the command would land where the inverter already is. Its own reading says
  // where it is; measured at the battery alone, the command is all there is (and a correction
  // that does not move the pack is followed up, see update).
  return inverter_w_ ? std::max(commanded_w, *inverter_w_) : commanded_w;
}

std::optional<CurrentGuardEdge> DischargeCurrentGuard::update(const PackCurrentSample& pack,
                                                              std::optional<double> limit_a,
                                                              double commanded_w, TimePoint now,
                                                              std::optional<double> charge_limit_a,
                                                              double cover_from_w) {
  if (!pack.measured_at || pack.measured_at == last_sample_ || !pack.current_a || !pack.voltage_v ||
      *pack.voltage_v <= 0.0 || !limit_a)
    return std::nullopt;
  last_sample_ = pack.measured_at;
  inverter_w_ = pack.inverter_w;
  at_battery_ = pack.command_at_battery;
  const double limit = std::max(0.0, *limit_a);
  const double draw_a = -*pack.current_a;
  const double over_a = draw_a - limit;
  const double tol = tolerance_a(limit);
  const double volts = *pack.voltage_v;
  const bool settled = now >= hold_until_;
  // A limit that dropped since the last sample (a recovery charge began, a colder cell) is an
  // excess no correction has answered yet.
  const double limit_drop_a = last_limit_a_ ? std::max(0.0, *last_limit_a_ - limit) : 0.0;
  last_limit_a_ = limit;
  if (over_a > tol) {
    std::optional<CurrentGuardEdge> edge;
    if (!announced_)
      edge = CurrentGuardEdge{
          true, at_battery_
                    ? printf_string("The pack gave %.1f A, above its %.1f A discharge limit: bessd "
                                    "holds the battery at no more than that, and the inverter "
                                    "takes the rest of the load over.",
                                    draw_a, limit)
                    : printf_string("The pack gave %.1f A, above its %.1f A discharge limit: bessd "
                                    "lowers the inverter's share by %.0f W to keep the pack "
                                    "within it.",
                                    draw_a, limit, over_a * volts)};
    announced_ = true;
    if (at_battery_) {
      hold_at_battery(over_a, limit, volts, now);
    } else if (!floor_w_) {
      // From the command actually applied: lower the inverter's share by the whole excess, the
      // load does not wait for a window.
      floor_w_ = base_w(commanded_w) + over_a * volts;
      corrected(over_a, now);
      probed_ = false;
      unanswered_ = 0;
      follow_up_w_ = 0.0;
      hold_until_ = now + settle_time(over_a * volts, ramp_w_per_s_);
    } else if (const double before_a = std::max(0.0, answered_a(now) - limit_drop_a);
               over_a > before_a + tol) {
      // The excess grew since the last sample (a load switched on, the inverter still ramps
      // towards an older command after a restart): the growth cannot wait for the pause. Only
      // the growth above what is answered: how fast the inverter comes down is not assumed, as
      // a configured ramp far above the device's own would make each sample look like a new
      // excess, and a load that pulses comes back to an excess the correction on its way
      // already answers, not to a new one.
      *floor_w_ += (over_a - before_a) * volts;
      corrected(over_a, now);
      probe_w_.reset();  // a load switched on: what was tried is part of the answer now
      unanswered_ = 0;
      follow_up_w_ = 0.0;
      hold_until_ = std::max(hold_until_, now + settle_time(over_a * volts, ramp_w_per_s_));
    } else if (probe_w_) {
      // The rest of a cover is being tried (correct_rest): nothing else until it is judged.
      judge_probe(over_a, volts, now);
    } else if (corrected_over_a_ - over_a < kNoiseA) {
      // Nothing has moved since the last correction: the inverter's own delay, an inverter that
      // was already where the correction put it (it still ramped towards an older command), or
      // one that does not deliver at all. After the delay one more correction from the command
      // applied; if that does not move either, nothing more is added (it would only wind the
      // bound up, to be charged at once when the inverter follows), and it is said.
      if (now - corrected_at_ >= kNoMovementWait) {
        if (unanswered_ == 0) {
          ++unanswered_;
          const double before_w = *floor_w_;
          correct_rest(over_a, volts, commanded_w, cover_from_w, now);
          follow_up_w_ = *floor_w_ - before_w;
          // Beyond the charge the cells may take nothing more is tried: a cover that has not
          // moved the pack at all is not delivered.
          if (partly_covered_) {
            partly_covered_ = false;
            not_delivered_ = true;
          }
        } else {
          // The follow-up has not moved the pack either: the inverter does not follow at all
          // (its remote control is off, it runs its own mode). The follow-up is taken back, or
          // the inverter would deliver the first correction and the follow-up on top, a
          // charge into the pack, as soon as it follows again.
          not_delivered_ = true;
          *floor_w_ -= follow_up_w_;
          follow_up_w_ = 0.0;
        }
      }
    } else if (!moving_) {
      // The first sign of the correction arriving (after the Modbus write and the inverter's
      // own delay): how fast it comes is judged from here, not from when it was sent.
      moving_ = true;
      unanswered_ = 0;
      follow_up_w_ = 0.0;  // it moved the pack: it was needed
      progress_a_ = over_a;
      progress_at_ = now;
    } else if (now - progress_at_ >= kProgressPeriod) {
      // After a correction the excess comes down as the inverter gets there, at its own pace.
      // One that has all but stopped coming down (by less than the smaller of a quarter of the
      // configured ramp's worth and a twentieth of itself per second, a few tenths of an ampere
      // at least) is no correction on its way: the inverter has got there (faster than
      // inverter.ramp_w_per_s, and the first sample caught a load still starting; a load that
      // grew slowly). An inverter slower than configured still comes down, and is waited for.
      // The rest is corrected from the command actually applied, so a bound the envelope keeps
      // the command under (no charging into a cold pack) is not added up while it cannot act.
      const double dt_s = to_seconds(now - progress_at_);
      const double needed_a = std::max(
          kNoiseA, std::min(0.25 * ramp_w_per_s_ * dt_s / volts, 0.05 * progress_a_ * dt_s));
      if (progress_a_ - over_a < needed_a) {
        correct_rest(over_a, volts, commanded_w, cover_from_w, now);
        progress_a_ = over_a;
        progress_at_ = now;
      } else {
        progress_a_ = over_a;
        progress_at_ = now;
      }
    }
    reason_ = printf_string(
        "the pack gives %.1f A, above the %.1f A it may give now, so something besides the "
        "inverter draws from it (a DC load)",
        draw_a, limit);
    last_over_a_ = over_a;
    room_since_.reset();
    within_since_.reset();
    return edge;
  }
  last_over_a_ = over_a;
  partly_covered_ = false;
  if (probe_w_) probe_w_.reset();  // the raise brought the pack within: it was needed
  if (over_a >= -2.0 * tol)
    room_since_.reset();
  else if (!room_since_)
    room_since_ = now;
  if (at_battery_ && not_delivered_) {
    // At the battery, once said it stays said through a short pause of the load (a pump
    // between its strokes): it clears when the pack has stayed within its limit for two windows.
    if (!within_since_) within_since_ = now;
    if (now - *within_since_ >= 2 * kNoMovementWait) not_delivered_ = false;
  } else {
    not_delivered_ = false;
  }
  if (floor_w_ && charge_limit_a &&
      take_back_charge(*pack.current_a, *charge_limit_a, limit, volts, commanded_w, now))
    return std::nullopt;
  // Within the limit again: the reason says what is measured now, not the excess answered.
  if (floor_w_)
    reason_ = printf_string(
        "the pack gave more than its %.1f A discharge limit, and the inverter's share stays "
        "lowered until the pack has room again (it gives %.1f A now)",
        limit, draw_a);
  // Within the limit on a command below the bound (the charge envelope kept the cover down, and
  // the load has gone): the bound asks more than the pack needs, so it comes down to that
  // command. Otherwise a bound the command could not follow would never be given back.
  if (floor_w_ && *floor_w_ > commanded_w && over_a <= 0.0) {
    floor_w_ = commanded_w;
    if (*floor_w_ <= -(limit - tol) * volts + 1e-6) {
      let_go(now);
    }
  }
  if (floor_w_ && settled && room_since_ && now - *room_since_ >= kRoomBeforeGiveBack) {
    // Room again for a while (the load has dropped, not only paused between pulses): give it
    // back, keeping one tolerance below the limit, from the command actually applied.
    const double give_w = (-over_a - tol) * volts;
    floor_w_ = std::min(*floor_w_, commanded_w) - give_w;
    hold_until_ = now + settle_time(give_w, ramp_w_per_s_);
    // Lower than one tolerance under the limit, the bound is the envelope's own again.
    if (*floor_w_ <= -(limit - tol) * volts + 1e-6) {
      let_go(now);
    }
  }
  // Told once, not per start of a cycling load (a fridge, a pump): engaging again within the
  // quiet period continues the episode, and its end is told once the pack has stayed within.
  if (announced_ && !floor_w_ && now - released_at_ >= kQuietPeriod) {
    announced_ = false;
    return CurrentGuardEdge{false, printf_string("The pack has stayed within its discharge limit "
                                                 "for %.0f minutes: the inverter's share is no "
                                                 "longer lowered.",
                                                 to_seconds(kQuietPeriod) / 60.0)};
  }
  return std::nullopt;
}

}  // namespace bessd::control
