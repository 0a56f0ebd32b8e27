#pragma once
// A Modbus device's link: the inverter's and a meter's (docs/configuration.md).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class ModbusTransport : std::uint8_t { tcp, rtu };
inline constexpr auto kModbusTransportNames = std::to_array<EnumName<ModbusTransport>>(
    {{ModbusTransport::tcp, "tcp"}, {ModbusTransport::rtu, "rtu"}});
static_assert(enum_names_complete(kModbusTransportNames));
enum class Parity : std::uint8_t { none, even, odd };
inline constexpr auto kParityNames = std::to_array<EnumName<Parity>>(
    {{Parity::none, "none"}, {Parity::even, "even"}, {Parity::odd, "odd"}});
static_assert(enum_names_complete(kParityNames));
std::string_view to_string(ModbusTransport t) noexcept;
std::string_view to_string(Parity p) noexcept;

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

struct ModbusLinkConfig {
  ModbusTransport transport{ModbusTransport::tcp};
  ModbusTcpConfig tcp;
  ModbusRtuConfig rtu;
  std::int64_t unit_id{1};
  std::int64_t response_timeout_ms{500};
  std::int64_t byte_timeout_ms{100};
  std::int64_t poll_period_ms{1000};
};

/// The transport for people: "modbus tcp 192.0.2.7:502", "modbus rtu /dev/ttyUSB0".
inline std::string modbus_link_text(const ModbusLinkConfig& c) {
  return c.transport == ModbusTransport::tcp
             ? "modbus tcp " + c.tcp.host + ":" + std::to_string(c.tcp.port)
             : "modbus rtu " + c.rtu.device;
}

}  // namespace bessd::config
