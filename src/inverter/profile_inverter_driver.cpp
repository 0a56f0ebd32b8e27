// The generic profile-driven inverter driver. All work is a chain of asynchronous Modbus
// requests on the io_context thread; the driver runs one task (startup, poll, assert) at a
// time so that reads and writes of one device never interleave. What to read, what the
// registers mean, what to write and whether the device obeys are decided by the pure planning
// classes (include/bessd/inverter/planning/); this file carries their decisions to the device.
#include <bessd/inverter/profile_inverter_driver.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include <boost/asio/post.hpp>

#include <bessd/inverter/inverter_task_queue.hpp>
#include <bessd/inverter/planning/obey_check.hpp>
#include <bessd/inverter/planning/point_layout.hpp>
#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/write_planner.hpp>
#include <bessd/inverter/registers/register_codec.hpp>
#include <bessd/inverter/registers/sunspec.hpp>

namespace bessd::inverter {

using core::CommandKind;
using core::Event;
using core::EventEdge;
using core::InverterCommand;
using core::InverterState;
using core::Severity;
using modbus::Registers;
using registers::RegisterType;

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

struct ProfileInverterDriver::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io_ctx, modbus::ModbusClient& c, Profile p, DriverOptions o,
       const Clock& clk)
      : io(io_ctx),
        client(c),
        profile(std::move(p)),
        options(o),
        clock(clk),
        timer(io_ctx),
        obey(options.obey_tolerance_w, options.obey_window),
        tasks(io_ctx.get_executor()) {
    if (profile.control.style == ControlStyle::sunspec_storage &&
        profile.control.revert_timeout_s > 0) {
      const auto quarter = std::chrono::milliseconds{
          static_cast<long>(profile.control.revert_timeout_s * 1000.0 / 4.0)};
      options.lease = std::min(options.lease, quarter);
    }
  }

  boost::asio::io_context& io;
  modbus::ModbusClient& client;
  const Profile profile;
  DriverOptions options;
  const Clock& clock;
  boost::asio::steady_timer timer;
  EventHandler on_event;
  bool running{false};
  std::optional<TimePoint> last_startup;

  // The session with the device: each link edge starts it over (docs/devices.md, "What the
  // inverter driver does with it").
  enum class SessionPhase {
    link_down,  // no link: reads fail at once, commands wait for the next session
    starting,   // discovery, the first read, then the safe state; retried 5 s after a failure
    ready,      // the safe state was written and read back: polls, commands, supervision
  };
  SessionPhase phase{SessionPhase::link_down};
  bool link_up() const { return phase != SessionPhase::link_down; }
  bool is_ready() const { return phase == SessionPhase::ready; }
  registers::sunspec::ModelDirectory models;
  PointLayout layout;

  // Values from the last poll (and read-backs), and what is written for a command.
  PointValues values{profile};
  WritePlanner planner{profile};
  ObeyCheck obey;
  std::optional<InverterState> state;
  std::optional<double> last_readback_w;

  // Tasks: one transaction chain at a time; a link edge starts a new generation.
  InverterTaskQueue tasks;
  bool poll_queued{false};
  bool assert_queued{false};
  std::vector<StateHandler> waiting_readers;

  // Control.
  InverterCommand desired;    // last command from the controller
  bool desired_fresh{false};  // set by apply() after a (re)connect
  // apply() numbers each command that needs writing; an assert of `desired` that was read back
  // records the number it started with.
  std::uint64_t desired_seq{0};
  std::uint64_t confirmed_seq{0};
  Target asserted;  // what the device was last told (read back)
  std::optional<TimePoint> asserted_at;
  std::optional<TimePoint> last_attempt_at;
  std::optional<double> grid_setpoint_written;
  bool use_fallback_setpoint{false};
  bool control_available{true};

  // Edge-triggered conditions.
  std::map<std::string, bool> raised;
  // Since when writing or verifying the command has failed (reported in InverterState; the
  // controller turns a persistent failure into the INV-CMD fault).
  std::optional<TimePoint> failing_since;
  std::string failure;

  // ---------------------------------------------------------------- events
  void emit(Severity sev, EventEdge edge, const std::string& code, std::string message,
            std::map<std::string, std::string> fields = {}) {
    if (!on_event) return;
    Event e;
    e.at = clock.now();
    e.severity = sev;
    e.edge = edge;
    e.source = "inverter";
    e.code = code;
    e.message = std::move(message);
    e.fields = std::move(fields);
    on_event(e);
  }
  void condition(const std::string& code, bool active, Severity sev, const std::string& message,
                 std::map<std::string, std::string> fields = {}) {
    bool& was = raised[code];
    if (active == was) return;
    was = active;
    emit(active ? sev : Severity::info, active ? EventEdge::raised : EventEdge::cleared, code,
         message, std::move(fields));
  }

  // ---------------------------------------------------------------- tasks
  template <typename F>
  auto guard(F f) {
    std::weak_ptr<Impl> weak = shared_from_this();
    const std::uint64_t gen = tasks.generation();
    return [weak, gen, f = std::move(f)](auto&&... args) mutable {
      auto self = weak.lock();
      if (!self || !self->running) return;
      if (self->tasks.generation() != gen) {
        f(std::false_type{}, std::forward<decltype(args)>(args)...);
        return;
      }
      f(std::true_type{}, std::forward<decltype(args)>(args)...);
    };
  }

  // ---------------------------------------------------------------- layout
  void read_block(std::uint8_t unit, RegisterFunction fn, std::uint16_t address,
                  std::uint16_t count, modbus::ReadHandler h) {
    if (fn == RegisterFunction::input)
      client.read_input(unit, address, count, std::move(h));
    else
      client.read_holding(unit, address, count, std::move(h));
  }

  // ---------------------------------------------------------------- decoding
  std::optional<double> flow(const std::string& role) const {
    return values.flow(role, options.invert_battery_power);
  }

  InverterState compose() const {
    InverterState s;
    s.online = link_up();
    s.battery_power_w = flow("battery_power");
    s.battery_current_a = flow("battery_current");
    s.grid_power_w = flow("grid_power");
    s.ac_power_w = flow("ac_power");
    s.battery_voltage_v = flow("battery_voltage");
    s.pv_power_w = flow("pv_power");
    s.rated_power_w = options.rated_power_w ? options.rated_power_w : flow("rated_power");
    if (auto it = profile.readings.find("operating"); it != profile.readings.end()) {
      for (const auto& n : it->second.points) {
        auto v = values.raw_value_of(n);
        if (!v) continue;
        auto st = profile.operating_states.find(static_cast<std::int64_t>(*v));
        s.operating =
            st == profile.operating_states.end() ? core::InverterOperating::unknown : st->second;
        break;
      }
    }
    for (const auto& [role, out] :
         {std::pair<const char*, std::string InverterState::*>{"model", &InverterState::model},
          {"serial", &InverterState::serial}}) {
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
    s.read_at = clock.now();
    return s;
  }

  // ---------------------------------------------------------------- discovery
  void discover(std::function<void(bool)> done, std::size_t base_index = 0) {
    using registers::sunspec::kBaseAddresses;
    if (base_index >= kBaseAddresses.size()) {
      emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
           "SunSpec marker \"SunS\" not found at 40000, 0 or 50000 (" + client.describe() + ")");
      done(false);
      return;
    }
    const std::uint16_t base = kBaseAddresses[base_index];
    client.read_holding(options.unit_id, base, 2,
                        guard([this, done, base, base_index](auto current, Result<Registers> r) {
                          if (!current) return done(false);
                          if (r && registers::sunspec::is_marker(*r)) {
                            models = {};
                            walk(done, base + 2u);
                            return;
                          }
                          if (!r && r.error().code == ErrorCode::disconnected) return done(false);
                          discover(done, base_index + 1);
                        }));
  }

  void walk(std::function<void(bool)> done, std::uint32_t address) {
    if (models.size() >= registers::sunspec::kMaxModels || address > 0xFFFEu) {
      emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
           "SunSpec model chain too long or past the register space at " + std::to_string(address));
      return done(false);
    }
    client.read_holding(options.unit_id, static_cast<std::uint16_t>(address), 2,
                        guard([this, done, address](auto current, Result<Registers> r) {
                          if (!current) return done(false);
                          if (!r) {
                            emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
                                 "SunSpec chain walk failed: " + r.error().message);
                            return done(false);
                          }
                          // Some devices end with ID 0xFFFF and no valid L: the ID alone ends the
                          // chain.
                          const registers::sunspec::ModelHeader h{
                              (*r)[0], (*r)[0] == 0xFFFF ? std::uint16_t{0} : (*r)[1]};
                          auto next = registers::sunspec::next_model_address(address, h);
                          if (!next) {
                            emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
                                 next.error().message);
                            return done(false);
                          }
                          if (!next->has_value()) return done(true);
                          models.add(static_cast<std::uint16_t>(address), h);
                          walk(done, **next);
                        }));
  }

  // ---------------------------------------------------------------- polling
  void poll(std::function<void(bool)> done, std::size_t index = 0, bool any_ok = false) {
    const auto& blocks = layout.poll_blocks();
    if (index >= blocks.size()) {
      if (any_ok || blocks.empty()) {
        state = compose();
        after_poll();
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

  void after_poll() {
    // Preconditions (e.g. Victron Hub4Mode).
    bool ok = true;
    std::string why;
    for (const auto& pc : profile.control.preconditions) {
      auto v = values.raw_value_of(pc.point);
      const bool pass = v && std::any_of(pc.allowed.begin(), pc.allowed.end(),
                                         [&](double a) { return std::fabs(a - *v) < 1e-9; });
      if (!pass) {
        ok = false;
        why = (pc.message.empty() ? "precondition on " + pc.point + " not met" : pc.message) +
              " (read " + (v ? std::to_string(static_cast<long long>(*v)) : "nothing") + ")";
      }
    }
    const bool was_blocked = raised["inverter.precondition"];
    condition("inverter.precondition", !ok, Severity::error,
              ok ? "control preconditions met" : why);
    if (was_blocked && ok && desired_fresh) queue_assert();
    check_obeys();
  }

  void check_obeys() {
    if (!state || !state->battery_power_w || !is_ready()) return;
    const auto verdict = obey.check(asserted, *state->battery_power_w, clock.now());
    if (!verdict) return;
    if (verdict->obeying) {
      condition("inverter.not_obeying", false, Severity::warning,
                "inverter follows the command again");
      return;
    }
    condition("inverter.not_obeying", true, Severity::warning,
              "inverter does not follow the command: battery at " +
                  std::to_string(static_cast<long>(verdict->measured_w)) + " W, commanded " +
                  std::to_string(static_cast<long>(verdict->commanded_w)) + " W",
              {{"measured_w", std::to_string(verdict->measured_w)},
               {"commanded_w", std::to_string(verdict->commanded_w)},
               {"tolerance_w", std::to_string(options.obey_tolerance_w)}});
  }

  // ---------------------------------------------------------------- writing
  struct EncodedWrite {
    std::string name;
    double value;
    std::size_t offset;  // registers from the start of the block
    std::size_t count;
  };

  void write_all(std::vector<PointWrite> writes, std::function<void(Status)> done,
                 std::size_t index = 0) {
    if (index >= writes.size()) return done(Status{});
    // Merge the following writes while they continue the same register run, so that points
    // which belong together (SunSpec OutWRte + InWRte) change in one FC16 request.
    std::vector<EncodedWrite> items;
    Registers regs;
    PointAddress at{};
    bool persistent = false;
    std::size_t i = index;
    for (; i < writes.size(); ++i) {
      const PointWrite& w = writes[i];
      const PointSpec* p = profile.point(w.point);
      const PointAddress* loc = layout.find(w.point);
      if (p == nullptr || loc == nullptr) {
        if (items.empty())
          return done(fail(ErrorCode::unsupported, "point " + w.point + " is not on this device"));
        break;
      }
      auto enc = values.encode(*p, w.value);
      if (!enc) {
        if (items.empty()) return done(Status{Failure{enc.error()}});
        break;
      }
      if (!items.empty()) {
        const bool continues = !persistent && !p->persistent && loc->unit == at.unit &&
                               loc->address == at.address + regs.size() &&
                               regs.size() + enc->size() <= modbus::kMaxWriteRegisters;
        if (!continues) break;
      } else {
        at = *loc;
        persistent = p->persistent;
      }
      items.push_back({w.point, w.value, regs.size(), enc->size()});
      regs.insert(regs.end(), enc->begin(), enc->end());
      if (persistent) {
        ++i;
        break;
      }
    }
    auto next = [this, writes, done, i](Status st) {
      if (!st) return done(st);
      write_all(writes, done, i);
    };
    if (persistent) {
      // Stored setting: read first, write only on change (flash wear, VRM logging).
      read_block(at.unit, at.function, at.address, static_cast<std::uint16_t>(regs.size()),
                 guard([this, at, regs, items, next](auto current, Result<Registers> r) {
                   if (!current) return next(fail(ErrorCode::disconnected, "link changed"));
                   if (r && *r == regs) return next(Status{});
                   write_and_verify(at, regs, items, next);
                 }));
      return;
    }
    write_and_verify(at, regs, items, next);
  }

  void write_and_verify(PointAddress at, Registers regs, std::vector<EncodedWrite> items,
                        std::function<void(Status)> done) {
    client.write_registers(
        at.unit, at.address, regs, guard([this, at, regs, items, done](auto current, Status s) {
          if (!current) return done(fail(ErrorCode::disconnected, "link changed"));
          if (!s) return done(s);
          read_block(
              at.unit, RegisterFunction::holding, at.address,
              static_cast<std::uint16_t>(regs.size()),
              guard([this, items, done](auto cur, Result<Registers> r) {
                if (!cur) return done(fail(ErrorCode::disconnected, "link changed"));
                if (!r) return done(Status{Failure{r.error()}});
                for (const auto& item : items) {
                  const std::string& name = item.name;
                  const PointSpec& spec = *profile.point(name);
                  values.store(name,
                               Registers(r->begin() + static_cast<long>(item.offset),
                                         r->begin() + static_cast<long>(item.offset + item.count)));
                  const auto got = values.value_of(name);
                  const auto sf = values.scale_factor_of(spec);
                  const double tol = registers::resolution(spec.scale, sf.value_or(0)) / 2.0 + 1e-9;
                  if (!got || std::fabs(*got - item.value) > tol) {
                    const std::string read = got ? std::to_string(*got) : "nothing";
                    condition(
                        "inverter.readback_mismatch", true, Severity::error,
                        "read-back of " + name + " differs: wrote " + std::to_string(item.value) +
                            ", read " + read,
                        {{"point", name}, {"written", std::to_string(item.value)}, {"read", read}});
                    return done(fail(ErrorCode::protocol_error, "read-back mismatch on " + name));
                  }
                }
                done(Status{});
              }));
        }));
  }

  Result<WritePlan> plan(const Target& t) {
    auto planned = planner.plan(t, PlanInputs{.values = values,
                                              .state = state,
                                              .use_fallback_setpoint = use_fallback_setpoint,
                                              .invert_battery_power = options.invert_battery_power,
                                              .now = clock.now()});
    // The setpoint as planned: the drift correction compares with it even if the write fails.
    if (planned && planned->grid_setpoint) grid_setpoint_written = planned->grid_setpoint;
    return planned;
  }

  /// Writes `t`, reads it back; on success it becomes the asserted target.
  Duration retry_interval() const {
    return std::min<Duration>(options.lease, std::chrono::seconds{5});
  }

  void assert_target(Target t, std::function<void(Status)> done) {
    last_attempt_at = clock.now();
    if (!control_available && t.kind != CommandKind::none)
      return done(fail(ErrorCode::unsupported, "control unavailable on this device"));
    if (raised["inverter.precondition"] && t.kind == CommandKind::set_power)
      return done(fail(ErrorCode::unsupported, "control preconditions not met"));
    auto writes = plan(t);
    if (!writes) {
      emit(Severity::warning, EventEdge::once, "inverter.write_failed", writes.error().message);
      note_failure(writes.error().message);
      return done(Status{Failure{writes.error()}});
    }
    const bool command_changed =
        t.kind != asserted.kind || t.battery_power_w != asserted.battery_power_w;
    write_all(
        writes->writes, guard([this, t, done, command_changed](auto current, Status s) {
          if (!current) return done(fail(ErrorCode::disconnected, "link changed"));
          if (!s) {
            // Victron: 2716 missing before Venus 3.50 -> fall back to 2700 once.
            auto code = modbus::exception_code_of(s.error());
            if (profile.control.style == ControlStyle::grid_setpoint && !use_fallback_setpoint &&
                code == std::uint8_t{0x02} && profile.control.points.count("setpoint_fallback") &&
                s.error().message.find(
                    std::to_string(layout.has(profile.control.points.at("setpoint"))
                                       ? layout.find(profile.control.points.at("setpoint"))->address
                                       : 0)) != std::string::npos) {
              use_fallback_setpoint = true;
              emit(Severity::warning, EventEdge::once, "inverter.setpoint_fallback",
                   "volatile grid setpoint not offered (older Venus OS): using the stored setpoint "
                   "(written on change only)");
              return assert_target(t, done);
            }
            if (s.error().message.find("read-back mismatch") == std::string::npos)
              emit(Severity::warning, EventEdge::once, "inverter.write_failed", s.error().message);
            note_failure(s.error().message);
            return done(s);
          }
          condition("inverter.readback_mismatch", false, Severity::error,
                    "read-back matches again");
          failing_since.reset();
          failure.clear();
          if (state) {
            state->command_failing_since.reset();
            state->command_failure.clear();
          }
          asserted = t;
          asserted_at = clock.now();
          if (t.kind == CommandKind::set_power) last_readback_w = t.battery_power_w;
          if (t.kind == CommandKind::safe_state) last_readback_w = 0.0;
          if (command_changed) obey.restart();
          done(Status{});
        }));
  }

  void note_failure(const std::string& what) {
    if (!failing_since) failing_since = clock.now();
    failure = what;
    if (state) {
      state->command_failing_since = failing_since;
      state->command_failure = failure;
    }
  }

  void queue_assert() {
    if (assert_queued) return;
    assert_queued = true;
    tasks.enqueue(
        [this](std::function<void()> finished) {
          assert_queued = false;
          if (!is_ready()) return finished();
          const bool from_desired = desired_fresh;
          const std::uint64_t seq = desired_seq;
          const Target t = from_desired ? Target::of(desired) : asserted;
          assert_target(t, [this, finished, from_desired, seq](Status s) {
            if (s && from_desired) confirmed_seq = seq;
            finished();
          });
        },
        /*first=*/true);
  }

  void queue_poll(StateHandler reader = nullptr) {
    if (reader) waiting_readers.push_back(std::move(reader));
    if (poll_queued) return;
    poll_queued = true;
    tasks.enqueue([this](std::function<void()> finished) {
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

  /// After each poll: lease re-assertion and (grid setpoint style) drift correction.
  void maintain() {
    if (!is_ready()) return;
    const TimePoint now = clock.now();
    // A command that did not take (write error, read-back mismatch) is retried, rate-limited.
    if (desired_fresh && desired.kind != CommandKind::none && !asserted.same_as(desired) &&
        (!last_attempt_at || now - *last_attempt_at >= retry_interval())) {
      queue_assert();
      return;
    }
    if (asserted.kind == CommandKind::none) return;
    bool due = !asserted_at || now - *asserted_at >= options.lease;
    if (!due && profile.control.style == ControlStyle::grid_setpoint &&
        asserted.kind == CommandKind::set_power && state && state->grid_power_w &&
        state->battery_power_w && grid_setpoint_written) {
      const double next = *state->grid_power_w - *state->battery_power_w + asserted.battery_power_w;
      due = std::fabs(next - *grid_setpoint_written) > profile.control.deadband_w;
    }
    if (due) queue_assert();
  }

  void startup() {
    last_startup = clock.now();
    tasks.enqueue([this](std::function<void()> finished) {
      auto after_layout = [this, finished](bool ok) {
        if (!ok) return finished();
        layout = PointLayout(profile, models, options.unit_id);
        control_available = true;
        for (const auto& [role, n] : profile.control.points)
          if (!layout.has(n) && role != "setpoint_fallback" && role != "grid_charging" &&
              role != "readback") {
            control_available = false;
            emit(Severity::error, EventEdge::once, "inverter.control_unavailable",
                 "control point " + n + " (" + role + ") not found on the device");
            break;
          }
        // Read before writing anything; then the safe state is the first write.
        poll([this, finished](bool polled) {
          if (!polled) return finished();
          Target safe;
          safe.kind = CommandKind::safe_state;
          assert_target(safe, [this, finished](Status s) {
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

  void on_link(bool up, const std::string& detail) {
    // What was queued and what is in flight belong to the old session.
    tasks.reset();
    phase = up ? SessionPhase::starting : SessionPhase::link_down;
    asserted = {};
    asserted_at.reset();
    desired_fresh = false;
    grid_setpoint_written.reset();
    obey.restart();
    failing_since.reset();  // a lost link is COM-02, not a refused command
    failure.clear();
    if (state) {
      state->command_failing_since.reset();
      state->command_failure.clear();
    }
    poll_queued = false;
    assert_queued = false;
    if (state) state->online = up;
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

  void arm_timer() {
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
          if (self->tasks.idle() &&
              (!self->last_startup ||
               self->clock.now() - *self->last_startup >= std::chrono::seconds{5}))
            self->startup();  // discovery, first read or safe-state write failed: try again
          break;
        case SessionPhase::link_down:
          break;  // the client reconnects; its link edge starts the session
      }
      self->arm_timer();
    });
  }
};

ProfileInverterDriver::ProfileInverterDriver(boost::asio::io_context& io,
                                             modbus::ModbusClient& client, Profile profile,
                                             DriverOptions options, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, client, std::move(profile), options, clock)) {}

ProfileInverterDriver::~ProfileInverterDriver() {
  stop();
}

void ProfileInverterDriver::start() {
  if (impl_->running) return;
  impl_->running = true;
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
  impl_->tasks.stop();
}

void ProfileInverterDriver::read_state(StateHandler handler) {
  if (!impl_->is_ready()) {
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
  s.online = impl_->link_up();
  return s;
}

void ProfileInverterDriver::apply(const core::InverterCommand& command) {
  // Compare with the previous *desired* target, not with `asserted`: while a write is in flight
  // `asserted` still holds the target before it, so a command equal to that older target (a
  // safe state arriving during a setpoint write) would otherwise never be written.
  const bool target_changed = !impl_->desired_fresh || !Target::of(impl_->desired).same_as(command);
  impl_->desired = command;
  if (command.kind == CommandKind::none) return;
  const bool first_after_connect = !impl_->desired_fresh;
  impl_->desired_fresh = true;
  if (first_after_connect || target_changed) ++impl_->desired_seq;
  if (!impl_->is_ready()) return;  // startup writes the safe state, then this
  if (first_after_connect || target_changed) impl_->queue_assert();
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
