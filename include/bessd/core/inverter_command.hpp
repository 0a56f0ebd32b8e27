#pragma once
#include <cstdint>
#include <string>

namespace bessd::core {

/// What the controller tells the inverter driver to do.
enum class CommandKind : std::uint8_t {
  none,        // write nothing (starting: the inverter has not been read yet)
  safe_state,  // standards.md §4.3: 0 W (or the profile's standby), charge/discharge disabled
  set_power,   // hold the battery at `battery_power_w`
};

struct InverterCommand {
  CommandKind kind{CommandKind::none};
  double battery_power_w{0.0};  // + = charging; meaningful for set_power only
  /// Magnitude limits the inverter should enforce itself where the profile supports it.
  double charge_power_max_w{0.0};
  double discharge_power_max_w{0.0};
  std::string reason;  // why (rule id or operator request), for the audit log
  friend bool operator==(const InverterCommand&, const InverterCommand&) = default;
};

}  // namespace bessd::core
