#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/enum_names.hpp>
#include <bessd/config/modbus_link_config.hpp>

namespace bessd::config {

/// What bessd leaves the inverter in when it stops without a fault (docs/operations.md).
enum class OnStop : std::uint8_t { hold, release };
inline constexpr auto kOnStopNames =
    std::to_array<EnumName<OnStop>>({{OnStop::hold, "hold"}, {OnStop::release, "release"}});
static_assert(enum_names_complete(kOnStopNames));
std::string_view to_string(OnStop s) noexcept;

struct InverterConfig : ModbusLinkConfig {
  /// Register-map profile: a name under the profile directory ("sunspec", "victron_ess") or a path.
  std::string profile{"sunspec"};
  /// Where profile names are looked up; a relative path is relative to the config file.
  std::string profile_dir{"/usr/share/bessd/profiles"};
  /// Re-assert period of the setpoint; absent = the profile's lease.
  std::optional<double> lease_s;
  /// Inverter AC rating; absent = read from the device when the profile offers it.
  std::optional<double> rated_power_w;
  /// "Obeys" check: |measured - commanded| ≤ tolerance within the window.
  double obey_tolerance_w{200.0};
  double obey_window_s{10.0};
  /// Battery power below this never counts as not obeying (standby draw, a sensor offset);
  /// absent = obey_tolerance_w, but at least 0.02 C of the pack (docs/protection.md).
  std::optional<double> standby_tolerance_w;
  /// How fast the inverter follows a lowered command: the obey allowance decays at this rate.
  double ramp_w_per_s{200.0};
  bool invert_battery_power{false};
  /// Stop without an active or latched fault: keep the safe state (hold) or hand the inverter
  /// back to its own mode (release, the profile's release writes). A fault always holds.
  OnStop on_stop{OnStop::hold};
};

/// The inverter's transport for people: "modbus tcp 192.0.2.7:502", "modbus rtu /dev/ttyUSB0".
inline std::string inverter_link_text(const InverterConfig& c) {
  return modbus_link_text(c);
}

}  // namespace bessd::config
