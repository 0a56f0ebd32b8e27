#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace bessd::core {

/// What the controller tells the inverter driver to do.
enum class CommandKind : std::uint8_t {
  none,        // write nothing (starting: the inverter has not been read yet)
  safe_state,  // docs/protection.md "Safe state": the profile's safe_state writes, 0 W
  set_power,   // hold the battery at `battery_power_w`
  /// Hand the inverter back to its own mode (the profile's release writes). Only on a stop
  /// without a fault, when `inverter.on_stop` is "release" (docs/operations.md).
  release,
};

struct InverterCommand {
  CommandKind kind{CommandKind::none};
  double battery_power_w{0.0};  // + = charging; meaningful for set_power only
  /// Magnitude limits the inverter should enforce itself where the profile supports it.
  double charge_power_max_w{0.0};
  double discharge_power_max_w{0.0};
  std::string reason;  // why (rule id or operator request), for the audit log
  /// The envelope's current limits (A, magnitudes) and the charge-voltage limit (V; absent when
  /// unknown), mirrored into the device's own limit registers where the profile has them.
  double charge_current_max_a{0.0};
  double discharge_current_max_a{0.0};
  std::optional<double> charge_voltage_max_v{};
  /// The part of `charge_current_max_a` that lets the device carry a DC load (a device that
  /// holds the battery at the target, docs/protocols.md): written at once, not paced as a stored
  /// limit's loosening, or every load start would drain the pack for the pacing interval.
  double charge_current_carried_load_a{0.0};
  friend bool operator==(const InverterCommand&, const InverterCommand&) = default;
};

}  // namespace bessd::core
