#pragma once
// Error values for expected runtime failures (I/O, protocol, timeouts). Start-up and
// configuration problems throw instead (see bessd/config/config_error.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd {

enum class ErrorCode : std::uint8_t {
  invalid_argument,   // the caller passed something unusable
  out_of_range,       // a value outside what the device or rule accepts
  parse_error,        // bytes or text that do not decode
  timeout,            // no answer within the configured time
  io_error,           // the OS reported a failure (errno kept in the message)
  disconnected,       // link down; the driver is reconnecting
  permission_denied,  // the OS or a peer refused
  not_found,          // a device, file or record that does not exist
  unsupported,        // the device or build does not offer this
  protocol_error,     // the peer answered, but with an exception or nonsense
  busy,               // resource temporarily unavailable; retry later
  storage_error,      // database problem
  readback_mismatch,  // a device acknowledged a write but reads back another value
  internal,           // a bug in bessd: please report it
};
inline constexpr auto kErrorCodeNames =
    std::to_array<EnumName<ErrorCode>>({{ErrorCode::invalid_argument, "invalid_argument"},
                                        {ErrorCode::out_of_range, "out_of_range"},
                                        {ErrorCode::parse_error, "parse_error"},
                                        {ErrorCode::timeout, "timeout"},
                                        {ErrorCode::io_error, "io_error"},
                                        {ErrorCode::disconnected, "disconnected"},
                                        {ErrorCode::permission_denied, "permission_denied"},
                                        {ErrorCode::not_found, "not_found"},
                                        {ErrorCode::unsupported, "unsupported"},
                                        {ErrorCode::protocol_error, "protocol_error"},
                                        {ErrorCode::busy, "busy"},
                                        {ErrorCode::storage_error, "storage_error"},
                                        {ErrorCode::readback_mismatch, "readback_mismatch"},
                                        {ErrorCode::internal, "internal"}});
static_assert(enum_names_complete(kErrorCodeNames));

std::string_view to_string(ErrorCode code) noexcept;

/// The Modbus request a failure belongs to, and the exception the device answered with. Kept as
/// data so that a program decides on it (the Victron setpoint fallback, docs/protocols.md) without
/// reading the message, which is for people and may change.
struct ModbusDetail {
  // Function codes of the requests bessd makes.
  static constexpr std::uint8_t kReadHolding = 0x03;
  static constexpr std::uint8_t kReadInput = 0x04;
  static constexpr std::uint8_t kWriteRegister = 0x06;
  static constexpr std::uint8_t kWriteRegisters = 0x10;

  std::uint8_t function{0};  // 0x03 read holding, 0x04 read input, 0x06 write single, 0x10 multiple
  std::uint8_t unit{0};      // the unit (slave) id addressed
  std::uint16_t address{0};  // first register of the request
  std::uint16_t count{0};    // registers in the request
  std::optional<std::uint8_t> exception{};  // the Modbus exception code, if the device sent one

  /// Whether the request covered `register_address`.
  bool covers(std::uint16_t register_address) const noexcept {
    return register_address >= address &&
           static_cast<std::uint32_t>(register_address) < std::uint32_t{address} + count;
  }

  friend bool operator==(const ModbusDetail&, const ModbusDetail&) = default;
};

/// A failure with a code for programs and a message for people. The message names what
/// failed and where ("modbus tcp 127.0.0.1:502: read 40070+12: timeout after 500 ms"); what a
/// program needs beyond the code is data beside it (`modbus`), never parsed from the message.
struct Error {
  ErrorCode code{ErrorCode::internal};
  std::string message;
  /// Set by a ModbusClient for a failure of one of its requests.
  std::optional<ModbusDetail> modbus{};
  /// The configuration key whose value caused the failure, as a JSON pointer
  /// ("/api/tcp/token_file"), when a configured value is at fault; `--check-config` names it.
  std::string config_pointer{};

  friend bool operator==(const Error&, const Error&) = default;
};

}  // namespace bessd
