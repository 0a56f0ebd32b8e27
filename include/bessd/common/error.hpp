#pragma once
// Error values for expected runtime failures (I/O, protocol, timeouts). Start-up and
// configuration problems throw instead (see bessd/config/config_error.hpp).

#include <cstdint>
#include <string>
#include <string_view>

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
  internal,           // a bug in bessd: please report it
};

std::string_view to_string(ErrorCode code) noexcept;

/// A failure with a code for programs and a message for people. The message names what
/// failed and where ("modbus tcp 127.0.0.1:502: read 40070+12: timeout after 500 ms").
struct Error {
  ErrorCode code{ErrorCode::internal};
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

}  // namespace bessd
