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
  auto planned = planner.plan(t, PlanInputs{.values = values,
                                            .state = state,
                                            .use_fallback_setpoint = use_fallback_setpoint,
                                            .invert_battery_power = options.invert_battery_power,
                                            .now = clock.now()});
  // The setpoint as planned: the drift correction compares with it even if the write fails (a
  // failed write is retried at the next poll: reassert_failed).
  if (planned && planned->grid_setpoint) grid_setpoint_written = planned->grid_setpoint;
  if (planned) ac_planned_pv_w = planned->planned_pv_w;
  if (planned && planned->planned_pv_w) check_port_excess(t, planned->charge_beyond_envelope_w);
  if (state) state->held_limits = planner.held_limits();
  return planned;
}

// docs/profiles.md "Control", ac_setpoint: more PV than the AC port exports at its rating charges
// the battery whatever bessd writes; only the inverter's own PV curtailment (on its BMS's limits)
// stops it. Said while it lasts; what the battery then does is judged by the obey check.
void ProfileInverterDriver::Impl::check_port_excess(const Target& t, double excess_w) {
  const bool beyond = excess_w > 0.0;
  const double pv_w = state && state->pv_power_w ? *state->pv_power_w : 0.0;
  const double rated_w = state && state->rated_power_w ? *state->rated_power_w : 0.0;
  condition("inverter.pv_beyond_rating", beyond, Severity::error,
            beyond
                ? printf_string("the PV (%.0f W) is more than the inverter can export at its "
                                "rating (%.0f W): about %.0f W go into the battery beyond its "
                                "charge limit (%.0f W) unless the inverter curtails the PV",
                                pv_w, rated_w, excess_w, std::max(t.charge_max_w, 0.0))
                : std::string("the AC port takes the PV beyond the battery's charge limit again"),
            {{"excess_w", printf_string("%.0f", excess_w)}});
}

// A command that did not take is tried again this often: within a lease, and soon.
Duration ProfileInverterDriver::Impl::retry_interval() const {
  return std::min<Duration>(options.lease, std::chrono::seconds{5});
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
    emit(Severity::warning, EventEdge::once, "inverter.write_failed", writes.error().message);
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
          // written whatever the budget says; the command is retried as any failed one, and it
          // stays a failing command (INV-CMD once it lasts) however well the hold takes.
          if (std::exchange(budget_refused, false)) {
            Target safe;
            safe.kind = CommandKind::safe_state;
            const TimePoint since = failing_since.value_or(clock.now());
            return assert_target(safe, [this, done, s, since](const Status&) {
              failing_since = since;
              note_failure(s.error().message + "; the battery is held in the safe state");
              done(s);
            });
          }
          // A read-back mismatch has an event of its own (inverter.readback_mismatch).
          if (s.error().code != ErrorCode::readback_mismatch)
            emit(Severity::warning, EventEdge::once, "inverter.write_failed", s.error().message);
          note_failure(s.error().message);
          // A refused re-assertion (lease, drift) leaves the device on what was planned before:
          // tried again at the next poll, as a lease that ran out is.
          if (!command_changed) reassert_failed = true;
          return done(s);
        }
        reassert_failed = false;
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
  // A command that did not take (write error, read-back mismatch) is retried, rate-limited.
  if (desired_fresh && desired.kind != CommandKind::none && !asserted.same_as(desired) &&
      (!last_attempt_at || now - *last_attempt_at >= retry_interval())) {
    queue_assert();
    return;
  }
  if (asserted.kind == CommandKind::none) return;
  bool due = reassert_failed || !asserted_at || now - *asserted_at >= options.lease;
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
  if (due) queue_assert();
}

}  // namespace bessd::inverter
