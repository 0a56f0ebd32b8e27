#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace bessd::config {

enum class ModbusTransport : std::uint8_t { tcp, rtu };
enum class Parity : std::uint8_t { none, even, odd };
/// What bessd leaves the inverter in when it stops without a fault (docs/operations.md).
enum class OnStop : std::uint8_t { hold, release };
std::string_view to_string(ModbusTransport t) noexcept;
std::string_view to_string(Parity p) noexcept;
std::string_view to_string(OnStop s) noexcept;

struct ModbusTcpConfig {
  std::string host{"127.0.0.1"};
  std::int64_t port{502};
};

struct ModbusRtuConfig {
  std::string device;
  std::int64_t baud{9600};
  Parity parity{Parity::none};
  std::int64_t data_bits{8};
  std::int64_t stop_bits{1};
  bool rs485{false};
};

struct InverterConfig {
  /// Register-map profile: a name under the profile directory ("sunspec", "victron_ess") or a path.
  std::string profile{"sunspec"};
  /// Where profile names are looked up; a relative path is relative to the config file.
  std::string profile_dir{"/usr/share/bessd/profiles"};
  ModbusTransport transport{ModbusTransport::tcp};
  ModbusTcpConfig tcp;
  ModbusRtuConfig rtu;
  std::int64_t unit_id{1};
  std::int64_t response_timeout_ms{500};
  std::int64_t byte_timeout_ms{100};
  std::int64_t poll_period_ms{1000};
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
  return c.transport == ModbusTransport::tcp
             ? "modbus tcp " + c.tcp.host + ":" + std::to_string(c.tcp.port)
             : "modbus rtu " + c.rtu.device;
}

}  // namespace bessd::config
