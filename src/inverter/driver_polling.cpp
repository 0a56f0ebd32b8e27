// Polls and what they mean: the device's registers become an InverterState; then the control
// preconditions and whether the device follows the command.
#include "profile_inverter_driver_impl.hpp"

#include "bessd/common/printf_string.hpp"

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

void ProfileInverterDriver::Impl::read_block(std::uint8_t unit, RegisterFunction fn,
                                             std::uint16_t address, std::uint16_t count,
                                             modbus::ReadHandler h) {
  if (fn == RegisterFunction::input)
    client.read_input(unit, address, count, std::move(h));
  else
    client.read_holding(unit, address, count, std::move(h));
}

std::optional<double> ProfileInverterDriver::Impl::flow(ReadingRole role) const {
  return values.flow(role, options.invert_battery_power);
}

InverterState ProfileInverterDriver::Impl::compose() const {
  InverterState s;
  s.online = answers();
  s.battery_power_w = flow(ReadingRole::battery_power);
  if (auto it = profile.readings.find(ReadingRole::battery_power); it != profile.readings.end())
    s.battery_power_includes_dc_loads = it->second.includes_dc_loads;
  // The grid setpoint is computed from the battery reading (grid - battery + target): with a
  // reading taken at the battery, the target is the battery's own power.
  s.target_at_battery =
      s.battery_power_includes_dc_loads && profile.control.style == ControlStyle::grid_setpoint;
  s.battery_current_a = flow(ReadingRole::battery_current);
  s.grid_power_w = flow(ReadingRole::grid_power);
  s.ac_power_w = flow(ReadingRole::ac_power);
  s.battery_voltage_v = flow(ReadingRole::battery_voltage);
  s.pv_power_w = flow(ReadingRole::pv_power);
  s.dc_load_power_w = flow(ReadingRole::dc_load_power);
  // The smaller of the configured and the reported rating (docs/configuration.md "inverter"): a
  // configured rating below the device's is a deliberate limit, one above it a mistake the device
  // would not carry out (an AC setpoint planned from it would leave the excess to the battery).
  const auto device_w = usable_device_rating();
  s.rated_power_w = device_w;
  if (options.rated_power_w)
    s.rated_power_w =
        device_w ? std::min(*options.rated_power_w, *device_w) : options.rated_power_w;
  if (auto it = profile.readings.find(ReadingRole::operating); it != profile.readings.end()) {
    for (const auto& n : it->second.points) {
      auto v = values.raw_value_of(n);
      if (!v) continue;
      auto st = profile.operating_states.find(static_cast<std::int64_t>(*v));
      s.operating =
          st == profile.operating_states.end() ? core::InverterOperating::unknown : st->second;
      break;
    }
  }
  for (const auto& [role, out] : {std::pair<ReadingRole, std::string InverterState::*>{
                                      ReadingRole::model, &InverterState::model},
                                  {ReadingRole::serial, &InverterState::serial}}) {
    if (auto it = profile.readings.find(role); it != profile.readings.end())
      for (const auto& n : it->second.points)
        if (auto str = values.string_of(n)) {
          s.*out = *str;
          break;
        }
  }
  s.setpoint_readback_w = last_readback_w;
  s.command_failing_since = failing_since;
  s.command_failure = failure;
  s.held_limits = planner.held_limits();
  s.read_at = clock.now();
  return s;
}

void ProfileInverterDriver::Impl::poll(const std::function<void(bool)>& done, std::size_t index,
                                       bool any_ok) {
  const auto& blocks = layout.poll_blocks();
  if (index >= blocks.size()) {
    // A PV that was not read for a few polls is not the PV any more: an AC setpoint planned
    // from it would feed the device's watchdog with a wrong power (docs/profiles.md
    // "Control", ac_setpoint).
    constexpr int kPvStaleAfterPolls = 3;
    pv_polls_missed =
        flow(ReadingRole::pv_power) ? 0 : std::min(pv_polls_missed + 1, kPvStaleAfterPolls);
    // A rating does not change: a read of it that failed keeps the last one (never the
    // configured one alone, which may be larger, for a poll).
    if (const auto rating = flow(ReadingRole::rated_power); rating && *rating > 0.0)
      device_rating_w = rating;
    if (any_ok || blocks.empty()) {
      session_polled = true;
      state = compose();
      after_poll();
    } else if (state && pv_polls_missed >= kPvStaleAfterPolls) {
      state->pv_power_w.reset();
    }
    done(any_ok || blocks.empty());
    return;
  }
  const PollBlock b = blocks[index];
  read_block(b.unit, b.function, b.address, b.count,
             guard([this, done, index, any_ok, b](auto current, Result<Registers> r) {
               if (!current) return done(false);
               if (r) {
                 for (const auto& n : b.points) {
                   const std::size_t off = layout.find(n)->address - b.address;
                   const std::size_t cnt = profile.point(n)->register_count();
                   values.store(n, Registers(r->begin() + static_cast<long>(off),
                                             r->begin() + static_cast<long>(off + cnt)));
                 }
               } else {
                 for (const auto& n : b.points) values.forget(n);
                 if (r.error().code == ErrorCode::disconnected) return done(false);
               }
               poll(done, index + 1, any_ok || r.has_value());
             }));
}

// A reported rating below any home inverter's (100 W, the configuration's own floor), a register's
// all-ones, or one a factor apart from the configured one (below a fifth, above twice) is a unit,
// a model code or another register rather than the rating in watts: not used.
std::optional<double> ProfileInverterDriver::Impl::usable_device_rating() const {
  if (!device_rating_w || *device_rating_w < 100.0 || *device_rating_w >= 65535.0)
    return std::nullopt;
  if (options.rated_power_w && (*device_rating_w < *options.rated_power_w / 5.0 ||
                                *device_rating_w > *options.rated_power_w * 2.0))
    return std::nullopt;
  return device_rating_w;
}

void ProfileInverterDriver::Impl::check_rating() {
  const auto usable_w = usable_device_rating();
  const bool implausible = device_rating_w && !usable_w;
  condition("inverter.rating_implausible", implausible, Severity::warning,
            implausible
                ? printf_string("the inverter reports a rating of %.0f W, not a plausible rating "
                                "(a unit other than W, or a model code?): %s",
                                *device_rating_w,
                                options.rated_power_w
                                    ? printf_string("bessd uses inverter.rated_power_w, %.0f W",
                                                    *options.rated_power_w)
                                          .c_str()
                                    : "bessd plans without a rating; set inverter.rated_power_w")
                : std::string("the inverter's rating is plausible again"));
  if (!options.rated_power_w || !usable_w) return;
  // A few percent apart is a datasheet's rounding (4999 W for a 5 kW model), not a mistake.
  constexpr double kTolerance = 1.05;
  const bool above = *options.rated_power_w > *usable_w * kTolerance;
  condition("inverter.rating_above_device", above, Severity::warning,
            above ? printf_string("inverter.rated_power_w is %.0f W but the inverter reports a "
                                  "rating of %.0f W: bessd plans with %.0f W",
                                  *options.rated_power_w, *usable_w, *usable_w)
                  : std::string("the configured rating no longer exceeds the inverter's"));
}

void ProfileInverterDriver::Impl::after_poll() {
  // Preconditions (e.g. Victron Hub4Mode).
  bool ok = true;
  std::string why;
  for (const auto& pc : profile.control.preconditions) {
    auto v = values.raw_value_of(pc.point);
    // A read that failed this once (a busy device) keeps the last verdict: the setting did not
    // change because one answer was "busy". Never read at all, it is not met.
    if (!v && precondition_met.count(pc.point)) {
      if (!precondition_met[pc.point]) ok = false;
      continue;
    }
    const bool pass = v && std::any_of(pc.allowed.begin(), pc.allowed.end(),
                                       [&](double a) { return std::fabs(a - *v) < 1e-9; });
    if (v) precondition_met[pc.point] = pass;
    if (!pass) {
      ok = false;
      why = (pc.message.empty() ? "precondition on " + pc.point + " not met" : pc.message) +
            " (read " + (v ? std::to_string(static_cast<long long>(*v)) : "nothing") + ")";
    }
  }
  if (!ok && !why.empty()) precondition_failure = why;
  check_rating();
  check_port_excess();
  // The command in force stops being carried out now, not at its next write: a failing command
  // from this poll on (INV-CMD once it lasts).
  if (!ok && is_ready() && desired_fresh && desired.kind == CommandKind::set_power)
    note_failure("control preconditions not met: " + precondition_failure);
  const bool was_blocked = raised["inverter.precondition"];
  condition("inverter.precondition", !ok, Severity::error,
            ok ? "control preconditions met" : precondition_failure);
  if (was_blocked && ok && desired_fresh) queue_assert();
  check_obeys();
}

void ProfileInverterDriver::Impl::check_obeys() {
  if (!state || !state->battery_power_w || !is_ready()) return;
  const auto verdict =
      obey.check(carried_out(asserted, state->held_limits, state->battery_voltage_v),
                 *state->battery_power_w, clock.now());
  if (!verdict) return;
  if (verdict->obeying) {
    condition("inverter.not_obeying", false, Severity::warning,
              "inverter follows the command again");
    return;
  }
  // Measured at the battery, a DC load the inverter does not take over looks the same as an
  // inverter that does not follow: the text says both (docs/profiles.md "Readings").
  const std::string at = std::to_string(static_cast<long>(verdict->measured_w)) + " W, commanded " +
                         std::to_string(static_cast<long>(verdict->commanded_w)) + " W";
  condition("inverter.not_obeying", true, Severity::warning,
            state->battery_power_includes_dc_loads
                ? "the battery is not where it was commanded: at " + at +
                      " (measured at the battery: the inverter does not follow, or a DC load "
                      "draws more than it covers)"
                : "inverter does not follow the command: battery at " + at,
            {{"measured_w", std::to_string(verdict->measured_w)},
             {"commanded_w", std::to_string(verdict->commanded_w)},
             {"tolerance_w", std::to_string(options.obey_tolerance_w)}});
}

void ProfileInverterDriver::Impl::queue_poll(StateHandler reader) {
  if (reader) waiting_readers.push_back(std::move(reader));
  if (poll_queued) return;
  poll_queued = true;
  tasks.enqueue([this](const std::function<void()>& finished) {
    poll_queued = false;
    poll([this, finished](bool ok) {
      auto readers = std::move(waiting_readers);
      waiting_readers.clear();
      for (auto& r : readers) {
        if (ok && state)
          r(*state);
        else
          r(fail(link_up() ? ErrorCode::io_error : ErrorCode::disconnected,
                 "inverter read failed (" + client.describe() + ")"));
      }
      maintain();
      finished();
    });
  });
}

}  // namespace bessd::inverter
