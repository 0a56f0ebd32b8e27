#pragma once
// Controller: the control state machine, setpoint arbitration and fault latching. Pure: no I/O,
// no clock of its own; the app calls step() on its timer and immediately on any safety-relevant
// input change (see safety_triggers.hpp), applies the returned command through the inverter
// driver, logs/stores the events and pets the systemd watchdog. Not thread-safe: one owner.
//
// States (ControlState):
//   starting  nothing is written until the inverter has been read once (its state is unknown)
//   standby   mode idle: the inverter holds 0 W
//   running   mode manual or self_consumption
//   fault     a fault that blocks both directions is active or latched: safe state
//             (a direction fault such as OP-I-01 holds only its direction at zero)
//   lockout   an installation rule blocks (compliance): safe state, the daemon keeps monitoring
//   stopped   the daemon is stopping (SIGTERM): safe state, terminal
// Priority: stopped > starting > fault > lockout > standby/running.
//
// COM-02: while the inverter link is down the command is the safe state (the driver keeps
// retrying); the first command after it returns — and the first after start-up — is the safe
// setpoint, the target follows on the next step.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/config/config.hpp>
#include <bessd/control/battery_reading_check.hpp>
#include <bessd/control/discharge_current_guard.hpp>
#include <bessd/control/fault_latch_store.hpp>
#include <bessd/control/obey_monitor.hpp>
#include <bessd/control/operating_reason.hpp>
#include <bessd/control/reserve_drain_check.hpp>
#include <bessd/control/scheduled_power.hpp>
#include <bessd/control/sign_check.hpp>
#include <bessd/control/soc_estimator.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/limits/limits_engine.hpp>

namespace bessd::control {

enum class ControlState : std::uint8_t { starting, standby, running, fault, lockout, stopped };
inline constexpr auto kControlStateNames =
    std::to_array<EnumName<ControlState>>({{ControlState::starting, "starting"},
                                           {ControlState::standby, "standby"},
                                           {ControlState::running, "running"},
                                           {ControlState::fault, "fault"},
                                           {ControlState::lockout, "lockout"},
                                           {ControlState::stopped, "stopped"}});
static_assert(enum_names_complete(kControlStateNames));
std::string_view to_string(ControlState s) noexcept;

struct ControllerSettings {
  config::SelfConsumptionConfig self_consumption;
  ObeySettings obey;  // OP-I-01/02
  // Recovery charge (docs/protection.md): on the BMS's force-charge request, or SOC at/below the
  // floor minus the margin, charge at this power until the floor plus the hysteresis.
  double recovery_charge_power_w{500.0};
  double recovery_soc_margin_pct{config::LimitsConfig{}.recovery_soc_margin_pct};
  // The same protection tripping this often within the window latches (OP-REPEAT-*).
  int repeat_trip_count{3};
  Duration repeat_trip_window{std::chrono::hours{1}};
  /// Inverter data older than this counts as link lost (COM-02). Default: 3 poll periods, ≥ 3 s.
  Duration inverter_timeout{std::chrono::seconds{3}};
  bool commissioning{false};  // COM-03 latches a fault instead of warning
  bool fire_alarm_configured{false};
  /// Longest step interval the self-consumption ramp integrates over (a late step must not
  /// allow a jump).
  Duration max_ramp_interval{std::chrono::seconds{2}};
  SocEstimatorSettings soc;
  SignCheckSettings sign;
  std::string inverter_link;  // the inverter's transport, for sentences ("modbus tcp h:502")

  static ControllerSettings from_config(const config::Config& cfg);
};

/// What the operator (API/CLI) asks for. The controller may refuse or clamp: safety wins.
struct OperatorRequest {
  config::OperatingMode mode{config::OperatingMode::idle};
  double manual_setpoint_w{0.0};        // + = charge
  std::optional<double> target_grid_w;  // self-consumption; absent = configured target
  /// When the operator's mode ends and the configured mode returns; absent = until changed.
  /// Wall time, because it is kept across restarts (docs/api.md, "PUT /v1/mode").
  std::optional<WallTime> expires_at;
};

/// True once an operator's mode with an expiry has reached it.
inline bool has_expired(const OperatorRequest& request, WallTime wall_now) noexcept {
  return request.expires_at && wall_now >= *request.expires_at;
}

struct StepInput {
  TimePoint now{};
  WallTime wall_now{};           // only for records (latched-fault time)
  limits::LimitsInput snapshot;  // pack, inverter, compliance verdict, SL derate, fire alarm
  std::optional<double> meter_grid_power_w;  // external meter (+ = import); else inverter's
  OperatorRequest request;
  bool ack_faults{false};  // operator acknowledges latched faults (edge: one step)
  /// With ack_faults: only these latched faults, each at the trip count seen when the
  /// acknowledgement was asked for (FaultStatus::trips). A fault that tripped again since, or
  /// latched since, stays latched: nobody has seen it yet. Absent: every latched fault whose
  /// cause is gone.
  std::optional<std::map<std::string, std::uint64_t, std::less<>>> ack_seen;
  bool stop_requested{false};  // daemon stop: safe state, then `stopped`
  /// Mode schedule: the action of the window in force (the app reads the local clock).
  std::optional<ScheduledAction> scheduled;
  /// The operator's mode is held as idle until the safety state is on disk at start.
  bool mode_held_at_start{false};
  /// A latch write the app made after applying the previous step's command (so that a slow or
  /// stuck disk never delays a safe command) failed: latches FAULT-STORE, as a failed write in
  /// the step would.
  std::optional<std::string> latch_write_failure;
};

/// A clamp of the requested setpoint by the envelope (reported, never silent).
struct ClampInfo {
  bool clamped{false};
  double requested_w{0.0};
  double allowed_w{0.0};
  core::Cause cause;  // the bound that clamped
};

struct FaultStatus {
  std::string id;
  std::string reason;
  bool latched{false};       // needs an ack
  bool cause_active{false};  // the condition is still present (ack would be refused)
  /// Set when the latest acknowledgement could not be stored: the fault stays latched (an ack
  /// that a restart would undo must not release power now).
  std::string ack_not_stored;
  /// How often its cause has become active since it was raised (1 = once): an acknowledgement
  /// names the count it saw.
  std::uint64_t trips{1};
};

struct StepOutput {
  core::InverterCommand command;
  ControlState state{ControlState::starting};
  core::Envelope envelope;
  limits::LimitsFindings findings;
  std::vector<std::string> active_rules;
  std::vector<core::Event> events;  // limits + control events of this step, on edges
  ClampInfo clamp;
  std::vector<FaultStatus> faults;
  bool inverter_online{false};
  /// Safe state verified by read-back (|battery power| within the obey tolerance).
  bool safe_state_verified{false};
  SocEstimate soc;
  /// Recovery charge running, and why ("Recharging to 12 %: the BMS asked for a charge").
  std::optional<std::string> recovery;
  /// BMS data: still waiting for the first frames after start (info, not a fault).
  bool waiting_for_bms{false};
  /// A discharge the battery supplies without a command (a DC load), which the discharge
  /// envelope leaves room for; 0 when none (docs/protection.md "Inverter not obeying").
  double uncommanded_discharge_w{0.0};
  /// The discharge current guard holds the command up (its sentence), else absent.
  std::optional<std::string> current_guard;
  /// The guard needs more than the charge envelope allows to cover a load: the pack drains
  /// beyond its discharge limit (event control.discharge_uncovered).
  bool discharge_uncovered{false};
  /// Mode schedule: what the window's action asked for this step.
  std::optional<ScheduledPower> scheduled;
  /// Why the battery has the power it has now (docs/api.md "Operating reason").
  OperatingReason operating;
};

class Controller {
 public:
  /// Loads latched faults from `store` (they survive restarts). A load error latches
  /// FAULT-STORE (fail safe). `store` must outlive the controller.
  Controller(ControllerSettings settings, limits::LimitsSettings limits, FaultLatchStore& store);

  /// One control step. Never throws; `in.now` must not go backwards.
  StepOutput step(const StepInput& in);

  /// New settings (SIGHUP): latches, acknowledgements, hold timers, the obey monitor and the
  /// recovery state are kept.
  void reconfigure(ControllerSettings settings, limits::LimitsSettings limits);

  ControlState state() const noexcept { return state_; }
  const ControllerSettings& settings() const noexcept { return settings_; }
  const limits::LimitsSettings& limits_settings() const noexcept { return engine_.settings(); }

 private:
  struct FaultState {
    std::string id;
    std::string reason;
    bool latched{false};
    bool cause_active{false};
    std::string ack_not_stored;  // why the latest ack could not be stored (empty: none failed)
    std::uint64_t trips{1};      // times its cause became active (FaultStatus::trips)
    bool restored{false};        // loaded at start: its cause not yet active in this run
  };

  void set_cause(std::string_view id, bool active, const std::string& reason, const StepInput& in,
                 std::vector<core::Event>& events);
  void handle_ack(const StepInput& in, std::vector<core::Event>& events);
  void raise_latch_store_fault(const std::string& what, const StepInput& in,
                               std::vector<core::Event>& events);
  void restore_trips(const StepInput& in);
  void restore_obey_holds();
  std::vector<FaultState>::iterator find_fault_state(std::string_view id);
  std::optional<std::string> charge_missing_text() const;
  void report_uncovered_discharge(const StepInput& in, StepOutput& out);
  void store_trips(const StepInput& in, std::vector<core::Event>& events);
  double self_consumption_setpoint(const StepInput& in);
  /// Raises or clears control.no_grid_reading for a mode that follows the house.
  void check_grid_reading(const StepInput& in, std::vector<core::Event>& events);
  // Rule families of the step (controller_*.cpp).
  bool in_start_grace(const StepInput& in) const;
  void pass_limits_events(const StepInput& in, std::vector<core::Event>& from,
                          std::vector<core::Event>& to);
  void update_bms_link_faults(const StepInput& in, const limits::LimitsFindings& fnd,
                              StepOutput& out);
  void update_repeated_trips(const StepInput& in, const limits::LimitsFindings& fnd,
                             std::vector<core::Event>& events);
  void update_recovery(const StepInput& in, const limits::LimitsFindings& fnd,
                       std::vector<core::Event>& events);
  bool any_fault_blocks_both() const;
  // The stages of step(), in order (controller.cpp, controller_command.cpp).
  void check_reading_at_battery(const StepInput& in, bool online, std::vector<core::Event>& events);
  void check_reserve_drain(const StepInput& in, std::vector<core::Event>& events);
  bool observe_inverter(const StepInput& in, StepOutput& out);
  void guard_discharge_current(const StepInput& in, const limits::LimitsResult& lr,
                               std::vector<core::Event>& events);
  void report_charge_shortfall(const StepInput& in, std::vector<core::Event>& events);
  limits::LimitsResult compute_limits(const StepInput& in, limits::LimitsInput& li,
                                      std::vector<core::Event>& events);
  void update_fault_causes(const StepInput& in, const limits::LimitsFindings& fnd, bool online,
                           StepOutput& out);
  void update_sign_check(const StepInput& in, std::vector<core::Event>& events);
  core::Envelope hold_new_fault_directions(core::Envelope env, const limits::LimitsInput& li) const;
  core::Envelope leave_room_for_loads(core::Envelope env, TimePoint now) const;
  double room_minutes_left(TimePoint now) const;
  bool room_moved(TimePoint now) const;
  void update_state(const StepInput& in, std::vector<core::Event>& events);
  /// The recovery charge's reason, with what it waits for when charging is blocked.
  std::optional<std::string> recovery_status(const core::Envelope& env) const;
  double dc_load_carried_a(const StepInput& in);
  /// The operating reason of this step; an event once a new one has held for a while.
  void update_operating_reason(const StepInput& in, StepOutput& out);
  core::InverterCommand command_for(const StepInput& in, const core::Envelope& env, bool online,
                                    StepOutput& out);

  ControllerSettings settings_;
  limits::LimitsEngine engine_;
  FaultLatchStore& store_;
  SocEstimator soc_;
  SignCheck sign_;
  std::vector<FaultState> faults_;
  ControlState state_{ControlState::starting};
  config::OperatingMode mode_{config::OperatingMode::idle};
  bool inverter_read_once_{false};
  bool safe_first_pending_{true};
  core::InverterCommand last_command_;  // last command written (kind none = nothing yet)
  double sc_setpoint_w_{0.0};           // self-consumption integrator state
  std::optional<TimePoint> last_step_at_;
  ObeyMonitor obey_;
  ObeyVerdict obey_verdict_;
  DischargeCurrentGuard current_guard_;
  BatteryReadingCheck reading_check_;
  ReserveDrainCheck reserve_drain_;
  ScheduledPowerPlanner scheduled_power_;
  // The inverter's battery reading is the battery's (the profile says so, and it agrees with the
  // BMS), and the target is the battery's own power (docs/protection.md "Covering a DC load").
  bool reading_at_battery_{false};
  bool target_at_battery_{false};
  std::optional<double>
      last_charge_envelope_w_;  // the obey check's bound on a charge not commanded
  struct TripEdge {
    TimePoint at;
    std::int64_t unix_ms{0};  // the same moment on the wall clock, for the store
  };
  struct TripHistory {
    std::string id;
    bool charge{false};
    bool discharge{false};
    std::vector<TripEdge> at;  // rising edges within the window
  };
  std::vector<TripHistory> trips_;
  std::optional<std::vector<TripRecord>> stored_trips_;  // the last run's, until the first step
  std::vector<limits::ActiveBlock> prev_blocks_;
  std::string repeat_reason_charge_;  // non-empty: OP-REPEAT-CHARGE is due
  std::string repeat_reason_discharge_;
  std::optional<std::string> recovery_;      // the reason while a recovery charge runs
  std::optional<double> recovery_from_soc_;  // the SOC it started at
  bool waiting_announced_{false};
  bool com01_edge_hidden_{false};         // the limits' COM-01 raise fell in the start-up wait
  bool obey_measured_at_battery_{false};  // the obey check's power is the BMS's V x I
  bool clamp_active_{false};
  std::string reported_reason_;  // the operating reason's code last announced as an event
  std::optional<std::pair<std::string, TimePoint>> new_reason_;  // a new code, since when
  bool no_grid_reading_{false};
  bool sign_warning_{false};
  bool shortfall_reported_{false};                  // control.charge_not_delivered is raised
  bool uncovered_reported_{false};                  // control.discharge_uncovered is raised
  std::optional<TimePoint> uncovered_since_clear_;  // within the limit since, while raised
  // The DC-load room as last stored with the trip counts (restored after a restart).
  std::optional<LoadRoom::Peak> stored_room_;
  // How far a charge may go to cover a DC load the cells must not supply (LimitsFindings).
  std::optional<double> load_cover_max_w_;
  // The DC load a device holding the battery at the target is let carry: its peak, in whole
  // amperes, held for 10 minutes, so a load that wanders or cycles does not rewrite a stored
  // limit.
  double dc_load_carried_a_{0.0};
  TimePoint dc_load_carried_at_{};
  std::optional<TimePoint> first_step_at_;
};

}  // namespace bessd::control
