#pragma once
// The inside of ProfileInverterDriver, shared by its source files (private to src/inverter).
// All work is a chain of asynchronous Modbus requests on the io_context thread, one task
// (start-up, poll, command) at a time, so that reads and writes of one device never interleave.
// What to read, what the registers mean, what to write and whether the device obeys are decided
// by the pure planning classes (include/bessd/inverter/planning/); these files carry their
// decisions to the device:
//   profile_inverter_driver.cpp  the public interface, events and the session (link edges,
//                                start-up, the timer)
//   driver_discovery.cpp         SunSpec discovery: the marker and the model chain
//   driver_polling.cpp           polls, what they mean (InverterState), preconditions, obey check
//   driver_register_writes.cpp   points to registers: merged, stored settings on change, read back
//   driver_commands.cpp          commands: plan, write, retry, lease and drift re-assertion

#include <bessd/inverter/profile_inverter_driver.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/inverter/inverter_task_queue.hpp>
#include <bessd/inverter/planning/obey_check.hpp>
#include <bessd/inverter/planning/point_layout.hpp>
#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/write_budget.hpp>
#include <bessd/inverter/planning/write_planner.hpp>
#include <bessd/inverter/registers/sunspec.hpp>

namespace bessd::inverter {

using core::CommandKind;
using core::Event;
using core::EventEdge;
using core::InverterCommand;
using core::InverterState;
using core::Severity;
using modbus::Registers;

struct ProfileInverterDriver::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io_ctx, modbus::ModbusClient& c, Profile p, DriverOptions o,
       const Clock& clk)
      : io(io_ctx),
        client(c),
        profile(std::move(p)),
        options(o),
        clock(clk),
        timer(io_ctx),
        settle_timer(io_ctx),
        obey(options.obey_tolerance_w, options.obey_window),
        tasks(io_ctx.get_executor()) {
    // A device timer that only a write restarts must see the target re-written well within it;
    // the lease is looked at after each poll, so the polls come at least that often too.
    const auto quarter_of = [this](double timeout_s) {
      const auto quarter = std::chrono::milliseconds{static_cast<long>(timeout_s * 1000.0 / 4.0)};
      options.lease = std::min(options.lease, quarter);
      options.poll_period = std::min<std::chrono::milliseconds>(
          options.poll_period,
          std::chrono::duration_cast<std::chrono::milliseconds>(options.lease));
    };
    if (profile.control.style == ControlStyle::sunspec_storage &&
        profile.control.revert_timeout_s > 0)
      quarter_of(profile.control.revert_timeout_s);
    if (const auto& w = profile.control.watchdog; w && w->feed == WatchdogFeed::writes)
      quarter_of(w->timeout_s);
  }

  boost::asio::io_context& io;
  modbus::ModbusClient& client;
  const Profile profile;
  DriverOptions options;
  const Clock& clock;
  boost::asio::steady_timer timer;
  // Waits between the read-backs of a write the device shows a moment late.
  boost::asio::steady_timer settle_timer;
  EventHandler on_event;
  bool running{false};
  std::optional<TimePoint> last_startup;

  // The session with the device: each link edge starts it over (docs/protocols.md, "What the
  // inverter driver does with it").
  enum class SessionPhase {
    link_down,  // no link: reads fail at once, commands wait for the next session
    starting,   // discovery, the first read, then the safe state; retried 5 s after a failure
    ready,      // the safe state was written and read back: polls, commands, supervision
  };
  SessionPhase phase{SessionPhase::link_down};
  bool link_up() const { return phase != SessionPhase::link_down; }
  bool is_ready() const { return phase == SessionPhase::ready; }
  // The device answered a poll in this session: while a refused safe state is retried, its
  // readings stay fresh, so the refusal reads as a failing command (INV-CMD), not as a link
  // that does not answer.
  bool session_polled{false};
  bool answers() const { return is_ready() || (phase == SessionPhase::starting && session_polled); }

  // Where the profile's points are on this device.
  registers::sunspec::ModelDirectory models;
  PointLayout layout;

  // Values from the last poll (and read-backs), and what is written for a command.
  PointValues values{profile};
  WritePlanner planner{profile};
  WriteBudget budget{profile};
  bool budget_exempt{false};            // the writes under way are the safe state's
  bool safe_state_budget_spent{false};  // said that even the safe state is no longer written
  bool budget_refused{false};           // the last write was refused by a spent write budget
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
  int failures_in_row{0};          // commands whose writes were refused since the last success
  bool quick_retry_done{false};    // the retry at the next poll after a refusal was made
  std::string last_write_failure;  // inverter.write_failed said for it, until a write succeeds
  std::optional<double> grid_setpoint_written;
  std::optional<double> ac_planned_pv_w;  // ac_setpoint: the PV the setpoint was planned with
  int pv_polls_missed{0};                 // polls in a row without a PV reading
  std::optional<double> device_rating_w;  // the rating the device last reported
  double planned_excess_w{0.0};           // ac_setpoint: the last plan's charge beyond the envelope
  double planned_allowed_w{0.0};          // ... and the charge it allowed
  std::optional<TimePoint> excess_edge_since;  // pv_beyond_rating about to change since
  std::optional<TimePoint> excess_dip_since;   // ... and back on the side it is on since
  bool use_fallback_setpoint{false};
  bool control_available{true};

  // Reaction to safety inputs (docs/api.md, "GET /metrics"): noted before apply(), pending
  // until the assert that writes the command starts, then in flight until its first write is
  // acknowledged.
  std::optional<TimePoint> safety_input_at;
  std::optional<TimePoint> reaction_pending;
  std::optional<TimePoint> reaction_in_flight;
  LatencyHistogram safety_reactions;

  // Edge-triggered conditions.
  std::map<std::string, bool> raised;
  // Since when writing or verifying the command has failed (reported in InverterState; the
  // controller turns a persistent failure into the INV-CMD fault).
  std::optional<TimePoint> failing_since;
  std::string failure;
  std::string precondition_failure;              // why the last poll found the preconditions unmet
  std::map<std::string, bool> precondition_met;  // per point, as last read (this session)

  // profile_inverter_driver.cpp: events and the session.
  void emit(Severity sev, EventEdge edge, const std::string& code, std::string message,
            std::map<std::string, std::string> fields = {});
  void condition(const std::string& code, bool active, Severity sev, const std::string& message,
                 std::map<std::string, std::string> fields = {});
  void startup();
  void on_link(bool up, const std::string& detail);
  void arm_timer();

  // A completion handler for a request of this session: it runs with std::true_type while the
  // session is current, std::false_type once a link edge made it stale, not at all once stopped.
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

  // driver_discovery.cpp
  void discover(const std::function<void(bool)>& done, std::size_t base_index = 0);
  void walk(const std::function<void(bool)>& done, std::uint32_t address);

  // driver_polling.cpp
  void read_block(std::uint8_t unit, RegisterFunction fn, std::uint16_t address,
                  std::uint16_t count, modbus::ReadHandler h);
  std::optional<double> flow(ReadingRole role) const;
  InverterState compose() const;
  void poll(const std::function<void(bool)>& done, std::size_t index = 0, bool any_ok = false);
  void after_poll();
  void check_rating();
  std::optional<double> usable_device_rating() const;
  void check_obeys();
  void queue_poll(StateHandler reader = nullptr);

  // driver_register_writes.cpp
  struct EncodedWrite {
    std::string name;
    double value;
    std::size_t offset;  // registers from the start of the block
    std::size_t count;
  };
  void write_all(std::vector<PointWrite> writes, const std::function<void(Status)>& done,
                 std::size_t index = 0);
  /// Each point's registers, as read where the point is read (its `read_at`, if any).
  using PointRegisters = std::map<std::string, Registers>;
  /// Reads `points` (write-only ones are left out) in as few requests as a poll would.
  void read_points(const std::vector<EncodedWrite>& items,
                   const std::function<void(Result<PointRegisters>)>& done);
  void read_requests(std::vector<PollBlock> reads, std::size_t index, PointRegisters got,
                     const std::function<void(Result<PointRegisters>)>& done);
  /// `single`: one register, written with FC06 (the point's write_function).
  void write_and_verify(PointAddress at, const Registers& regs,
                        const std::vector<EncodedWrite>& items,
                        const std::function<void(Status)>& done, bool single = false);
  /// Reads the written points back where they are read and compares them with what was written;
  /// a device may show a write a moment late, so a difference is read again `rereads` times.
  void verify(const std::vector<EncodedWrite>& items, int rereads,
              const std::function<void(Status)>& done);
  /// Counts the request against the write budgets; a failure when it would overspend one
  /// (the safe state is written anyway, and says so).
  Status spend_budget(const std::vector<EncodedWrite>& items);

  // driver_commands.cpp
  void check_port_excess();
  void report_write_failure(const std::string& what);
  Result<WritePlan> plan(const Target& t);
  Duration retry_interval() const;
  /// Writes `t`, reads it back; on success it becomes the asserted target.
  void assert_target(Target t, const std::function<void(Status)>& done);
  void note_failure(const std::string& what);
  void queue_assert();
  /// After each poll: lease re-assertion and (grid setpoint style) drift correction.
  void maintain();
};

}  // namespace bessd::inverter
