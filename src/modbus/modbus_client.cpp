#include <bessd/modbus/modbus_client.hpp>

#include <cstdio>

namespace bessd::modbus {

std::string_view exception_name(std::uint8_t code) noexcept {
  switch (code) {
    case 0x01:
      return "Illegal Function";
    case 0x02:
      return "Illegal Data Address";
    case 0x03:
      return "Illegal Data Value";
    case 0x04:
      return "Server Device Failure";
    case 0x05:
      return "Acknowledge";
    case 0x06:
      return "Server Device Busy";
    case 0x07:
      return "Negative Acknowledge";
    case 0x08:
      return "Memory Parity Error";
    case 0x0A:
      return "Gateway Path Unavailable";
    case 0x0B:
      return "Gateway Target Device Failed to Respond";
    default:
      return "Unknown exception";
  }
}

Error exception_error(std::string_view where, std::uint8_t code, ModbusDetail request) {
  char hex[3];
  std::snprintf(hex, sizeof hex, "%02X", code);
  request.exception = code;
  return Error{
      ErrorCode::protocol_error,
      std::string(where) + ": exception 0x" + hex + " " + std::string(exception_name(code)),
      request};
}

Error with_request(Error error, const ModbusDetail& request) {
  const auto exception = error.modbus ? error.modbus->exception : std::nullopt;
  error.modbus = request;
  error.modbus->exception = exception;
  return error;
}

std::optional<std::uint8_t> exception_code_of(const Error& error) noexcept {
  return error.modbus ? error.modbus->exception : std::nullopt;
}

}  // namespace bessd::modbus
