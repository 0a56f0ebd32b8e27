#pragma once
// Why the battery has the power it has now, in one sentence and a stable code (docs/api.md
// "Operating reason"). The envelope's causes say what bounds each direction; this says which of
// them, if any, is the reason for the present power, or that nothing bounds it (no surplus, the
// operator's mode). Pure: built from one step's facts.

#include <optional>
#include <string>
#include <vector>

#include <bessd/config/control_config.hpp>
#include <bessd/core/inverter_command.hpp>

namespace bessd::control {

struct ScheduledPower;

enum class ControlState : std::uint8_t;
struct ClampInfo;
struct FaultStatus;

struct OperatingReason {
  std::string code{"starting"};   // stable, snake_case: see docs/api.md for the list
  std::string text{"Starting."};  // one plain sentence
  friend bool operator==(const OperatingReason&, const OperatingReason&) = default;
};

/// What the step knew when it chose the command.
struct OperatingFacts {
  ControlState state;
  config::OperatingMode mode{config::OperatingMode::idle};
  const core::InverterCommand& command;
  const ClampInfo& clamp;
  const std::vector<FaultStatus>& faults;
  std::optional<std::string> recovery;       // the recovery charge's reason (with "waiting: ...")
  std::optional<std::string> current_guard;  // the discharge current guard's reason, when it holds
  bool waiting_for_bms{false};
  bool inverter_online{false};
  bool safe_first_pending{false};  // the inverter (re)connected: the safe setpoint goes first
  bool no_grid_reading{false};     // self-consumption has no grid power to follow
  bool mode_held_at_start{false};  // the operator's mode waits for the safety state on disk
  std::string lockout_reason;      // the installation check's reason, when it blocks
  std::string inverter_link;       // "modbus tcp 192.0.2.7:502"
  double idle_band_w{0.0};         // |power| at or below this reads as idle
  /// The charge commanded does not arrive (control.charge_not_delivered): what the battery
  /// does instead, to continue a sentence ("the battery discharges 1700 W").
  std::optional<std::string> charge_missing;
  /// The discharge current guard cannot cover a load (current_guard says why): said even while
  /// a recovery charge waits.
  bool discharge_uncovered{false};
  /// The grid reading comes from the site meter (docs/protocols.md "Meters"), not the inverter.
  bool grid_from_meter{false};
  /// Mode schedule: what the window's action asked for (docs/schedules.md).
  const ScheduledPower* scheduled{nullptr};
};

OperatingReason operating_reason(const OperatingFacts& f);

}  // namespace bessd::control
