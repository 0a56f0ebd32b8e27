// ProfileInverterDriver: the public interface, events and the session with the device (link
// edges, start-up, the poll timer). The rest of the driver: profile_inverter_driver_impl.hpp.
#include "profile_inverter_driver_impl.hpp"

#include <cmath>
#include <exception>

#include <boost/asio/post.hpp>

namespace bessd::inverter {

DriverOptions driver_options_from(const config::InverterConfig& cfg, const Profile& profile) {
  DriverOptions o;
  o.unit_id = static_cast<std::uint8_t>(cfg.unit_id);
  o.poll_period = std::chrono::milliseconds{cfg.poll_period_ms};
  const double lease_s = cfg.lease_s.value_or(profile.control.lease_s);
  o.lease = std::chrono::milliseconds{static_cast<long>(lease_s * 1000.0)};
  o.obey_tolerance_w = cfg.obey_tolerance_w;
  o.obey_window = std::chrono::milliseconds{static_cast<long>(cfg.obey_window_s * 1000.0)};
  o.invert_battery_power = cfg.invert_battery_power;
  o.rated_power_w = cfg.rated_power_w;
  return o;
}

void ProfileInverterDriver::Impl::emit(Severity sev, EventEdge edge, const std::string& code,
                                       std::string message,
                                       std::map<std::string, std::string> fields) {
  if (!on_event) return;
  Event e;
  e.at = clock.now();
  e.severity = sev;
  e.edge = edge;
  e.source = options.event_source;
  // Codes are written "inverter.<what>" throughout the driver.
  const auto dot = code.find('.');
  e.code = dot == std::string::npos ? code : options.event_source + code.substr(dot);
  e.message = std::move(message);
  e.fields = std::move(fields);
  on_event(e);
}

void ProfileInverterDriver::Impl::condition(const std::string& code, bool active, Severity sev,
                                            const std::string& message,
                                            std::map<std::string, std::string> fields) {
  bool& was = raised[code];
  if (active == was) return;
  was = active;
  emit(active ? sev : Severity::info, active ? EventEdge::raised : EventEdge::cleared, code,
       message, std::move(fields));
}

void ProfileInverterDriver::Impl::startup() {
  last_startup = clock.now();
  tasks.enqueue([this](const std::function<void()>& finished) {
    auto after_layout = [this, finished](bool ok) {
      if (!ok) return finished();
      layout = PointLayout(profile, models, options.unit_id);
      control_available = true;
      for (const auto& [role, n] : profile.control.points)
        if (!layout.has(n) && role != ControlRole::setpoint_fallback &&
            role != ControlRole::grid_charging && role != ControlRole::readback) {
          control_available = false;
          emit(Severity::error, EventEdge::once, "inverter.control_unavailable",
               "control point " + n + " (" + std::string(to_string(role)) +
                   ") not found on the device");
          break;
        }
      // Read before writing anything; then the safe state is the first write.
      poll([this, finished](bool polled) {
        if (!polled) return finished();
        Target safe;
        safe.kind = CommandKind::safe_state;
        assert_target(safe, [this, finished](const Status& s) {
          if (s) phase = SessionPhase::ready;
          finished();
          if (s && desired_fresh) queue_assert();
        });
      });
    };
    if (profile.sunspec)
      discover(after_layout);
    else
      after_layout(true);
  });
}

void ProfileInverterDriver::Impl::on_link(bool up, const std::string& detail) {
  // What was queued and what is in flight belong to the old session.
  tasks.reset();
  phase = up ? SessionPhase::starting : SessionPhase::link_down;
  precondition_met.clear();
  session_polled = false;
  asserted = {};
  asserted_at.reset();
  failures_in_row = 0;
  quick_retry_done = false;
  last_write_failure.clear();
  desired_fresh = false;
  grid_setpoint_written.reset();
  ac_planned_pv_w.reset();
  obey.restart();
  failing_since.reset();  // a lost link is COM-02, not a refused command
  failure.clear();
  if (state) {
    state->command_failing_since.reset();
    state->command_failure.clear();
  }
  poll_queued = false;
  assert_queued = false;
  reaction_pending.reset();  // a reconnection is not a reaction: its safe state comes first
  reaction_in_flight.reset();
  if (state) state->online = answers();  // a new session is online once the device answers
  condition("inverter.link_lost", !up, Severity::error,
            up ? "inverter link restored: " + detail : "inverter link lost: " + detail);
  if (up) {
    startup();
  } else {
    auto readers = std::move(waiting_readers);
    waiting_readers.clear();
    for (auto& r : readers) r(fail(ErrorCode::disconnected, detail));
  }
}

void ProfileInverterDriver::Impl::arm_timer() {
  timer.expires_after(options.poll_period);
  std::weak_ptr<Impl> weak = shared_from_this();
  timer.async_wait([weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || !self->running) return;
    switch (self->phase) {
      case SessionPhase::ready:
        self->queue_poll();
        break;
      case SessionPhase::starting:
        if (self->tasks.idle() && (!self->last_startup || self->clock.now() - *self->last_startup >=
                                                              std::chrono::seconds{5}))
          self->startup();  // discovery, first read or safe-state write failed: try again
        else if (self->session_polled)
          self->queue_poll();
        break;
      case SessionPhase::link_down:
        break;  // the client reconnects; its link edge starts the session
    }
    self->arm_timer();
  });
}

ProfileInverterDriver::ProfileInverterDriver(boost::asio::io_context& io,
                                             modbus::ModbusClient& client, Profile profile,
                                             DriverOptions options, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, client, std::move(profile), std::move(options), clock)) {}

ProfileInverterDriver::~ProfileInverterDriver() {
  try {
    stop();
  } catch (const std::exception&) {
    // Only the timer's cancel can throw; its handler then finds `running` false and ends.
  }
}

void ProfileInverterDriver::start() {
  if (impl_->running) return;
  impl_->running = true;
  // A profile not checked on a real device is said at every start, and stays in status (a
  // meter's too: a wrong register there is a wrong grid reading).
  const std::string unverified = impl_->profile.verification.warning(impl_->profile.name);
  if (!unverified.empty())
    impl_->condition("inverter.profile_unverified", true, Severity::warning, unverified,
                     {{"profile", impl_->profile.name},
                      {"verification", std::string(enum_name(kVerificationLevelNames,
                                                             impl_->profile.verification.level))}});
  std::weak_ptr<Impl> weak = impl_;
  impl_->client.set_link_handler([weak](bool up, const std::string& detail) {
    if (auto self = weak.lock(); self && self->running) self->on_link(up, detail);
  });
  impl_->tasks.start();
  impl_->client.start();
  impl_->arm_timer();
}

void ProfileInverterDriver::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->timer.cancel();
  impl_->settle_timer.cancel();
  impl_->tasks.stop();
}

void ProfileInverterDriver::read_state(StateHandler handler) {
  if (!impl_->answers()) {
    auto err = impl_->link_up() ? fail(ErrorCode::busy, "inverter is starting up")
                                : fail(ErrorCode::disconnected, "inverter link is down");
    boost::asio::post(impl_->io, [handler = std::move(handler), err]() mutable {
      handler(Result<core::InverterState>{err});
    });
    return;
  }
  impl_->queue_poll(std::move(handler));
}

Result<core::InverterState> ProfileInverterDriver::latest_state() const {
  if (!impl_->state) return fail(ErrorCode::not_found, "inverter not read yet");
  auto s = *impl_->state;
  // Online: the device answered in this session. A connection it accepts but never answers on
  // (a stalled device) is not.
  s.online = impl_->answers();
  return s;
}

namespace {

// A command that allows the battery less than the one before: the reactions worth timing are
// the protective ones, not a release after the cause has gone.
bool holds_tighter(const core::InverterCommand& before, const core::InverterCommand& after) {
  if (after.kind == CommandKind::safe_state) return before.kind != CommandKind::safe_state;
  if (after.kind != CommandKind::set_power || before.kind != CommandKind::set_power) return false;
  const bool lower_voltage =
      after.charge_voltage_max_v &&
      (!before.charge_voltage_max_v || *after.charge_voltage_max_v < *before.charge_voltage_max_v);
  return std::fabs(after.battery_power_w) < std::fabs(before.battery_power_w) ||
         after.charge_power_max_w < before.charge_power_max_w ||
         after.discharge_power_max_w < before.discharge_power_max_w ||
         after.charge_current_max_a < before.charge_current_max_a ||
         after.discharge_current_max_a < before.discharge_current_max_a || lower_voltage;
}

}  // namespace

void ProfileInverterDriver::apply(const core::InverterCommand& command) {
  // Compare with the previous *desired* target, not with `asserted`: while a write is in flight
  // `asserted` still holds the target before it, so a command equal to that older target (a
  // safe state arriving during a setpoint write) would otherwise never be written.
  const bool target_changed = !impl_->desired_fresh || !Target::of(impl_->desired).same_as(command);
  auto safety_input_at = std::exchange(impl_->safety_input_at, std::nullopt);
  const bool tighter = !impl_->desired_fresh || holds_tighter(impl_->desired, command);
  if (!tighter) safety_input_at.reset();
  impl_->desired = command;
  if (command.kind == CommandKind::none) return;
  const bool first_after_connect = !impl_->desired_fresh;
  impl_->desired_fresh = true;
  if (first_after_connect || target_changed) ++impl_->desired_seq;
  if (!impl_->is_ready()) return;  // startup writes the safe state, then this
  if (first_after_connect || target_changed) {
    // A command already waiting keeps the earlier input: that one is not answered yet either.
    // One that is released before it was written was no reaction.
    if (!tighter)
      impl_->reaction_pending.reset();
    else if (safety_input_at && !impl_->reaction_pending)
      impl_->reaction_pending = safety_input_at;
    impl_->queue_assert();
  }
}

void ProfileInverterDriver::note_safety_input(TimePoint at) {
  impl_->safety_input_at = at;
}

const LatencyHistogram* ProfileInverterDriver::safety_reactions() const {
  return &impl_->safety_reactions;
}

bool ProfileInverterDriver::command_confirmed() const {
  return impl_->is_ready() && impl_->desired_fresh && impl_->confirmed_seq == impl_->desired_seq;
}

void ProfileInverterDriver::set_event_handler(EventHandler handler) {
  impl_->on_event = std::move(handler);
}

bool ProfileInverterDriver::ready() const {
  return impl_->is_ready();
}

std::map<std::uint16_t, std::uint16_t> ProfileInverterDriver::sunspec_models() const {
  return impl_->models.starts();
}

}  // namespace bessd::inverter
