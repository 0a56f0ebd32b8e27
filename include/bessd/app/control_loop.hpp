#pragma once
// The control loop on the io_context: gathers the latest BMS state, inverter state, compliance
// verdict, fire-alarm input and operator request, runs one Controller::step(), applies the
// command to the inverter driver, and hands events and telemetry to the sinks. It runs on a
// periodic timer and immediately on any safety-relevant change (BMS lost / alarm, fire input,
// compliance block). Single-threaded: every method is called on the io_context thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/common/clock.hpp>
#include <bessd/common/local_time.hpp>
#include <bessd/compliance/report.hpp>
#include <bessd/config/config.hpp>
#include <bessd/control/controller.hpp>
#include <bessd/control/lifetime_tracker.hpp>
#include <bessd/control/price_schedule.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/core/pack_state.hpp>
#include <bessd/energy/energy_counters.hpp>
#include <bessd/energy/energy_periods.hpp>

namespace bessd::app {

/// Where the loop's outputs go. Every callback runs on the io_context and must not block.
struct ControlLoopSinks {
  /// `safety_input_at`: the step ran because of a safety input that reached the loop then.
  std::function<void(const core::InverterCommand&, std::optional<TimePoint> safety_input_at)>
      apply_command;
  std::function<void(const core::Event&)> event;
  std::function<void(const control::StepInput&, const control::StepOutput&)> stepped;
  /// The operator's mode reached its expiry; the configured mode is in force from this step.
  std::function<void(const control::OperatorRequest& expired)> mode_expired;
};

class ControlLoop {
 public:
  ControlLoop(boost::asio::io_context& io, const Clock& clock, const config::Config& cfg,
              control::FaultLatchStore& latches, ControlLoopSinks sinks);

  void start();
  /// Drives the inverter to the safe state (one stop step) and cancels the timer.
  void stop();

  // Inputs. `safety_relevant` (or an edge the loop recognises) runs a step at once.
  void set_pack(const core::PackState& pack, bool safety_relevant);
  void set_inverter(const core::InverterState& inverter);
  /// Where each step reads the inverter's latest state (the driver polls on its own).
  void set_inverter_source(std::function<std::optional<core::InverterState>()> source) {
    inverter_source_ = std::move(source);
  }
  void set_inverter_offline();
  void set_compliance(const compliance::ComplianceReport& report);
  void set_fire_alarm(bool active);
  /// The operator's mode (from the API); it stays until changed or until its expiry.
  void set_request(const control::OperatorRequest& request);
  /// The operator's request from the safety state, before start() (no step runs).
  void restore_request(const control::OperatorRequest& request) {
    request_ = request;
    operator_mode_ = true;
  }
  /// The owner's reserve and charge target (docs/api.md "PUT /v1/settings"); runs a step now.
  void set_owner(const limits::OwnerSocSettings& owner);
  /// The same from the safety state, before start() (no step runs).
  void restore_owner(const limits::OwnerSocSettings& owner) { owner_ = owner; }
  const limits::OwnerSocSettings& owner() const { return owner_; }
  /// The zone the schedule's windows are read in; absent without a schedule.
  const std::optional<TimeZone>& schedule_zone() const { return schedule_zone_; }
  /// The price list for `schedule.by_price` (read again from its file); null: none readable.
  void set_prices(std::shared_ptr<const energy::PriceList> prices);
  /// The plan by price; absent without `schedule.by_price`.
  const control::PriceSchedule* price_schedule() const {
    return price_schedule_ ? &*price_schedule_ : nullptr;
  }
  /// At start, until the safety state is confirmed writable (docs/operations.md "Safety
  /// state"): every step runs as idle, whatever the mode; protections work as always.
  void hold_until_confirmed(bool hold) { hold_until_confirmed_ = hold; }
  bool holding_until_confirmed() const { return hold_until_confirmed_; }
  /// stop() was called: only stop steps run any more (a safety input still runs one, so a fire
  /// alarm while stopping is latched); an acknowledgement can no longer take effect.
  bool stopped() const { return stopped_; }
  /// Operator acknowledgement: applied by a step run now, or dropped when the loop is stopped
  /// (never kept for a later step). With `seen`, only those latches at those trip counts
  /// (control::StepInput::ack_seen).
  void acknowledge_faults(
      std::optional<std::map<std::string, std::uint64_t, std::less<>>> seen = std::nullopt);
  /// A safety-state write failed (reported after the step that asked for it): the controller
  /// latches FAULT-STORE at a step run now.
  void report_latch_write_failure(const std::string& what);
  /// Replaces the settings on reload (controller state and latched faults are kept).
  void reconfigure(const config::Config& cfg);

  const control::StepOutput& last_output() const { return last_output_; }
  const control::OperatorRequest& request() const { return request_; }
  /// False while the configuration's mode is in force (none set, or the operator's expired).
  bool operator_mode() const { return operator_mode_; }
  const core::PackState& pack() const { return pack_; }
  const core::InverterState& inverter() const { return inverter_; }
  control::LifetimeData lifetime() const { return lifetime_.data(); }
  const control::LifetimeCounters& lifetime_counters() const { return lifetime_.counters(); }
  void restore_lifetime(const control::LifetimeCounters& counters);
  /// kWh per flow since `energy_since()` (docs/api.md "Energy counters"), integrated at every step.
  const energy::EnergyTotals& energy_totals() const { return energy_.totals(); }
  std::optional<WallTime> energy_since() const { return energy_since_; }
  /// What people are shown: the totals handed to the store one save before the last, when
  /// totals are stored, so that a crash never shows a lower total after the restart than
  /// before it; the live totals when they are not stored.
  struct ShownEnergy {
    energy::EnergyTotals totals;
    WallTime as_of{};  // counted up to
    // The local calendar day's increase up to `as_of`, as the store has it; absent when the
    // totals are not stored.
    std::optional<energy::DayEnergy> today;
    friend bool operator==(const ShownEnergy&, const ShownEnergy&) = default;
  };
  ShownEnergy energy_shown() const {
    return energy_shown_ ? *energy_shown_
                         : ShownEnergy{energy_.totals(), clock_.wall_now(), std::nullopt};
  }
  /// The totals were handed to the store at `at`, and with them the day's energy `today`.
  void energy_stored(const energy::EnergyTotals& totals, WallTime at,
                     std::optional<energy::DayEnergy> today = std::nullopt) {
    energy_shown_ = std::exchange(energy_pending_, ShownEnergy{totals, at, today});
  }
  /// The counters of the previous runs (before start()), stored at `saved_at`; without them
  /// counting begins at `since`. `stored`: this run stores its totals (then only stored ones
  /// are shown).
  void restore_energy(const energy::EnergyTotals& totals, WallTime since, WallTime saved_at,
                      bool stored, std::optional<energy::DayEnergy> today = std::nullopt);
  std::uint64_t steps() const { return steps_; }

  /// Runs one step now (timer, safety trigger or test).
  void step_now();

 private:
  void schedule();
  control::StepInput make_input(bool stop, bool ack) const;
  void refresh_inverter();
  void end_expired_request();
  void safety_step();
  void stop_step();
  void run_step(bool stop, bool ack);
  static control::OperatorRequest configured_request(const config::Config& cfg);
  void set_schedule(const config::Config& cfg);
  void plan_by_price(control::StepInput& in);

  boost::asio::steady_timer timer_;
  const Clock& clock_;
  std::chrono::milliseconds period_;
  std::unique_ptr<control::Controller> controller_;
  ControlLoopSinks sinks_;
  std::function<std::optional<core::InverterState>()> inverter_source_;
  control::LifetimeSettings lifetime_settings_;
  control::LifetimeTracker lifetime_;
  energy::EnergyCounters energy_;
  std::optional<WallTime> energy_since_;
  std::optional<ShownEnergy> energy_shown_;  // absent: the live totals
  ShownEnergy energy_pending_;               // handed to the store, maybe not on disk yet

  core::PackState pack_;
  core::InverterState inverter_;
  limits::ComplianceVerdict compliance_;
  limits::SecondLifeDerate second_life_;
  bool fire_alarm_configured_{false};
  bool fire_alarm_active_{false};
  control::OperatorRequest configured_;
  control::OperatorRequest request_;
  limits::OwnerSocSettings owner_;
  std::optional<config::ScheduleConfig> schedule_;
  std::optional<TimeZone> schedule_zone_;
  std::optional<control::PriceSchedule> price_schedule_;
  double min_soc_pct_{10.0};  // the configured window, narrowed by owner_ for a plan
  double max_soc_pct_{100.0};
  double soc_gap_pct_{3.0};
  bool hold_until_confirmed_{false};
  bool operator_mode_{false};
  bool ack_pending_{false};
  std::optional<TimePoint> safety_input_at_;  // the safety input this step answers, if any
  std::optional<std::map<std::string, std::uint64_t, std::less<>>> ack_seen_;
  std::optional<std::string> latch_write_failure_;
  bool stopped_{false};
  control::StepOutput last_output_;
  std::uint64_t steps_{0};
};

}  // namespace bessd::app
