#pragma once
// InverterDriver: the port the application uses to read the inverter and to command it.
// Everything is asynchronous and runs on the caller's io_context thread: no call blocks on
// Modbus. Values cross this boundary in bessd's sign convention only (battery power + =
// charging, grid power + = import).

#include <functional>

#include <bessd/common/clock.hpp>
#include <bessd/common/latency_histogram.hpp>
#include <bessd/common/result.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/core/inverter_state.hpp>

namespace bessd::inverter {

using StateHandler = std::function<void(Result<core::InverterState>)>;
using EventHandler = std::function<void(const core::Event&)>;

class InverterDriver {
 public:
  virtual ~InverterDriver() = default;
  /// Starts the link and the poll; the driver reads the device before it writes anything, then
  /// writes the safe state (the first write after every start and reconnect).
  virtual void start() = 0;
  virtual void stop() = 0;
  /// Reads the device now; the handler runs on the io_context thread.
  virtual void read_state(StateHandler handler) = 0;
  /// The latest state from the periodic poll (never blocks). Fails (not_found) before the
  /// first successful read; `online` is false while the link is down.
  virtual Result<core::InverterState> latest_state() const = 0;
  /// Commands the device. Returns at once; the target is written, read back, re-asserted every
  /// lease period and after reconnects (once the controller repeats it: until then the driver
  /// holds the safe state). Call it every control step.
  virtual void apply(const core::InverterCommand& command) = 0;
  /// The next apply() answers a safety input (a BMS alarm, the fire alarm, a compliance block)
  /// that reached the control loop at `at`. A driver that measures its reaction counts from
  /// then to the device's acknowledgement of the first write of that command.
  virtual void note_safety_input(TimePoint at) { (void)at; }
  /// Those reactions so far; null when the driver does not measure them.
  virtual const LatencyHistogram* safety_reactions() const { return nullptr; }
  /// Raised/cleared edges: inverter.link_lost, inverter.readback_mismatch,
  /// inverter.not_obeying, inverter.precondition, inverter.write_budget; raised at start:
  /// inverter.profile_unverified; once: inverter.write_failed, inverter.discovery_failed,
  /// inverter.control_unavailable, inverter.setpoint_fallback.
  virtual void set_event_handler(EventHandler handler) = 0;
};

/// Whether an event of a device's driver counts as a problem of its link (the link's
/// error_count in GET /v1/status): a warning or worse that is raised, but not the start-up
/// notice that the profile was never checked on hardware, which says nothing of the link.
inline bool is_link_problem(const core::Event& e) {
  return e.edge != core::EventEdge::cleared && e.severity >= core::Severity::warning &&
         !e.code.ends_with(".profile_unverified");
}

}  // namespace bessd::inverter
