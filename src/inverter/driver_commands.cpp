// Commands: planned for the control style, written and read back; a command that did not take
// is retried, and the one in force is re-asserted before its lease or the device's revert timer
// runs out (and when what a setpoint was derived from drifts: the house load for a grid setpoint,
// the PV for an AC setpoint).
#include "profile_inverter_driver_impl.hpp"

#include "bessd/common/printf_string.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace bessd::inverter {

Result<WritePlan> ProfileInverterDriver::Impl::plan(const Target& t) {
  auto planned = planner.plan(
      t, PlanInputs{.values = values,
                    .state = state,
                    .use_fallback_setpoint = use_fallback_setpoint,
                    .invert_battery_power = options.invert_battery_power,
                    .now = clock.now(),
                    .port_rating_w = state ? state->rated_power_w : options.rated_power_w});
  // The setpoint as planned: the drift correction compares with it even if the write fails (a
  // failed write is retried: failures_in_row).
  if (planned && planned->grid_setpoint) grid_setpoint_written = planned->grid_setpoint;
  if (planned) ac_planned_pv_w = planned->planned_pv_w;
  if (planned && planned->planned_pv_w) {
    planned_excess_w = planned->charge_beyond_envelope_w;
    planned_allowed_w = planned->charge_allowed_w;
  }
  if (state) state->held_limits = planner.held_limits();
  return planned;
}

// docs/profiles.md "Control", ac_setpoint: more PV than the AC port exports at its rating charges
// the battery whatever bessd writes; only the inverter's own PV curtailment (on its BMS's limits)
// stops it. Raised when the plan says so beyond the inverter's losses and the battery (where it
// is read) does charge beyond its limit, for half a minute (a cloud's edge is not an alarm).
void ProfileInverterDriver::Impl::check_port_excess() {
  if (profile.control.style != ControlStyle::ac_setpoint || !state) return;
  const double rating_w = state->rated_power_w.value_or(0.0);
  const double margin_w = std::max(100.0, 0.05 * rating_w);  // conversion losses, read offsets
  bool beyond = ac_planned_pv_w && planned_excess_w > margin_w;
  if (beyond && state->battery_power_w)
    beyond = *state->battery_power_w > planned_allowed_w + margin_w;
  const bool raised_now = raised["inverter.pv_beyond_rating"];
  const TimePoint now = clock.now();
  if (beyond == raised_now) {
    // A few polls back on the other side (a cloud, the BMS's ramp, a noisy reading) do not
    // start the half minute again: only a return that lasts does.
    constexpr Duration kDipAllowed = std::chrono::seconds{10};
    if (!excess_dip_since) excess_dip_since = now;
    if (now - *excess_dip_since > kDipAllowed) excess_edge_since.reset();
    return;
  }
  excess_dip_since.reset();
  if (!excess_edge_since) excess_edge_since = now;
  constexpr Duration kLasting = std::chrono::seconds{30};
  if (now - *excess_edge_since < kLasting) return;
  excess_edge_since.reset();
  const double charging_w = state->battery_power_w.value_or(planned_allowed_w + planned_excess_w);
  condition("inverter.pv_beyond_rating", beyond, Severity::error,
            beyond ? printf_string("the PV (%.0f W) is more than the inverter exports at its "
                                   "rating (%.0f W): the battery charges %.0f W, beyond the %.0f W "
                                   "it may take; only the inverter's own PV curtailment stops that",
                                   state->pv_power_w.value_or(0.0), rating_w, charging_w,
                                   planned_allowed_w)
                   : std::string("the battery no longer takes PV beyond its charge limit"),
            {{"excess_w", printf_string("%.0f", planned_excess_w)},
             {"battery_w", printf_string("%.0f", charging_w)}});
}

// A command that did not take is tried again this often: within a lease, and soon; against a
// device whose own watchdog ends its target (SolaX's 20 s mode-1 duration), several times before
// it runs out, so that a device busy for a few seconds is not handed back to its own mode.
Duration ProfileInverterDriver::Impl::retry_interval() const {
  Duration interval = std::min<Duration>(options.lease, std::chrono::seconds{5});
  if (profile.control.watchdog && profile.control.watchdog->timeout_s > 0.0)
    interval = std::min(
        interval, std::chrono::duration_cast<Duration>(
                      std::chrono::duration<double>(profile.control.watchdog->timeout_s / 8.0)));
  return interval;
}

void ProfileInverterDriver::Impl::assert_target(Target t, const std::function<void(Status)>& done) {
  last_attempt_at = clock.now();
  // A device that cannot take the command is a command that fails: reported, so that it
  // becomes INV-CMD rather than a status that shows the command as if it ran.
  if (!control_available && t.kind != CommandKind::none) {
    note_failure("control unavailable on this device (" + client.describe() + ")");
    return done(fail(ErrorCode::unsupported, failure));
  }
  if (raised["inverter.precondition"] && t.kind == CommandKind::set_power) {
    note_failure("control preconditions not met: " + precondition_failure);
    return done(fail(ErrorCode::unsupported, failure));
  }
  auto writes = plan(t);
  if (!writes) {
    report_write_failure(writes.error().message);
    note_failure(writes.error().message);
    return done(Status{Failure{writes.error()}});
  }
  const bool command_changed =
      t.kind != asserted.kind || t.battery_power_w != asserted.battery_power_w;
  budget_exempt = t.kind == CommandKind::safe_state;
  write_all(
      writes->writes, guard([this, t, done, command_changed](auto current, const Status& s) {
        if (!current) return done(fail(ErrorCode::disconnected, "link changed"));
        if (!s) {
          // Victron: 2716 missing before Venus 3.50 -> fall back to 2700 once.
          if (!use_fallback_setpoint && setpoint_refused(s.error(), profile, layout)) {
            use_fallback_setpoint = true;
            emit(Severity::warning, EventEdge::once, "inverter.setpoint_fallback",
                 "volatile grid setpoint not offered (older Venus OS): using the stored setpoint "
                 "(written on change only)");
            return assert_target(t, done);
          }
          // A spent write budget (docs/profiles.md "Write budget"): not left at the old
          // command, which may be forcing the battery, but held in the safe state, which is
          // written whatever the budget says; the command is retried as any failed one. The
          // hold is bessd's own protection of the device and ends by itself: the raised
          // inverter.write_budget says so, not a latched fault.
          if (std::exchange(budget_refused, false)) {
            Target safe;
            safe.kind = CommandKind::safe_state;
            return assert_target(safe, [done, s](const Status&) { done(s); });
          }
          // A read-back mismatch has an event of its own (inverter.readback_mismatch).
          if (s.error().code != ErrorCode::readback_mismatch)
            report_write_failure(s.error().message);
          note_failure(s.error().message);
          ++failures_in_row;  // retried by maintain()
          return done(s);
        }
        failures_in_row = 0;
        quick_retry_done = false;
        last_write_failure.clear();
        condition("inverter.readback_mismatch", false, Severity::error, "read-back matches again");
        // A hold taken while the preconditions are unmet does not mean the device takes commands
        // again: the failure stands until they are met (then the next write clears it).
        if (!raised["inverter.precondition"]) {
          failing_since.reset();
          failure.clear();
          if (state) {
            state->command_failing_since.reset();
            state->command_failure.clear();
          }
        }
        asserted = t;
        asserted_at = clock.now();
        if (t.kind == CommandKind::set_power) last_readback_w = t.battery_power_w;
        if (t.kind == CommandKind::safe_state) last_readback_w = 0.0;
        // The state shows the read-back at once: a confirmed command with an older read-back
        // beside it (from a poll begun before the write) would contradict itself.
        if (state && last_readback_w) state->setpoint_readback_w = last_readback_w;
        if (command_changed) obey.restart();
        done(Status{});
      }));
}

// Said once per distinct failure until a write succeeds: a device that refuses every retry
// would otherwise fill the event log (and push older events out of it).
void ProfileInverterDriver::Impl::report_write_failure(const std::string& what) {
  if (what == last_write_failure) return;
  last_write_failure = what;
  emit(Severity::warning, EventEdge::once, "inverter.write_failed", what);
}

void ProfileInverterDriver::Impl::note_failure(const std::string& what) {
  if (!failing_since) failing_since = clock.now();
  failure = what;
  if (state) {
    state->command_failing_since = failing_since;
    state->command_failure = failure;
  }
}

void ProfileInverterDriver::Impl::queue_assert() {
  if (assert_queued) return;
  assert_queued = true;
  tasks.enqueue(
      [this](const std::function<void()>& finished) {
        assert_queued = false;
        if (!is_ready()) return finished();
        const bool from_desired = desired_fresh;
        const std::uint64_t seq = desired_seq;
        const Target t = from_desired ? Target::of(desired) : asserted;
        reaction_in_flight = std::exchange(reaction_pending, std::nullopt);
        assert_target(t, [this, finished, from_desired, seq](const Status& s) {
          if (s && from_desired) confirmed_seq = seq;
          // Failed before a write was acknowledged: the reaction goes on until a retry's write
          // is (a refused safe state is a slow reaction, not none). Succeeded without one: the
          // device held these values already.
          if (!s && reaction_in_flight && !reaction_pending) reaction_pending = reaction_in_flight;
          reaction_in_flight.reset();
          finished();
        });
      },
      /*first=*/true);
}

/// After each poll: lease re-assertion and (grid and AC setpoint styles) drift correction.
void ProfileInverterDriver::Impl::maintain() {
  if (!is_ready()) return;
  const TimePoint now = clock.now();
  // A write that was refused (a new command, or a lease or drift re-assertion of the one in
  // force) is tried once more at the next poll (a CRC error, a busy moment), then at the retry
  // interval: a device that keeps refusing is not written at every poll.
  const bool quick_retry = failures_in_row > 0 && !quick_retry_done;
  const bool retry_due =
      quick_retry || !last_attempt_at || now - *last_attempt_at >= retry_interval();
  const auto retry = [&] {
    quick_retry_done = quick_retry_done || quick_retry;
    queue_assert();
  };
  // Until a new command takes, its retries are what the device hears.
  if (desired_fresh && desired.kind != CommandKind::none && !asserted.same_as(desired)) {
    if (retry_due) retry();
    return;
  }
  if (asserted.kind == CommandKind::none) return;
  bool due = !asserted_at || now - *asserted_at >= options.lease;
  // A stored limit held below the envelope is let up when its interval ends, not a lease later.
  if (auto loosen = planner.stored_limit_loosen_due();
      loosen && now >= *loosen && asserted.kind == CommandKind::set_power &&
      (!last_attempt_at || *last_attempt_at < *loosen))
    due = true;
  if (!due && profile.control.style == ControlStyle::grid_setpoint &&
      asserted.kind == CommandKind::set_power && state && state->grid_power_w &&
      state->battery_power_w && grid_setpoint_written) {
    const double next = *state->grid_power_w - *state->battery_power_w + asserted.battery_power_w;
    due = std::fabs(next - *grid_setpoint_written) > profile.control.deadband_w;
  }
  // The battery gets PV + the AC setpoint: a PV that moved moves the battery, the safe state's
  // 0 W included.
  if (!due && profile.control.style == ControlStyle::ac_setpoint && ac_planned_pv_w && state &&
      state->pv_power_w)
    due = std::fabs(*state->pv_power_w - *ac_planned_pv_w) > profile.control.deadband_w;
  if (failures_in_row > 0) {
    if (retry_due) retry();
    return;
  }
  if (due) queue_assert();
}

}  // namespace bessd::inverter
