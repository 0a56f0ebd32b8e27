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

namespace {
constexpr std::string_view kTag = "exception 0x";
}

Error exception_error(std::string_view where, std::uint8_t code) {
  char hex[3];
  std::snprintf(hex, sizeof hex, "%02X", code);
  return Error{ErrorCode::protocol_error, std::string(where) + ": " + std::string(kTag) + hex +
                                              " " + std::string(exception_name(code))};
}

std::optional<std::uint8_t> exception_code_of(const Error& error) noexcept {
  if (error.code != ErrorCode::protocol_error) return std::nullopt;
  const auto pos = error.message.rfind(kTag);
  if (pos == std::string::npos || pos + kTag.size() + 2 > error.message.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const char c = error.message[pos + kTag.size() + i];
    unsigned d = 0;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'A' && c <= 'F')
      d = static_cast<unsigned>(c - 'A' + 10);
    else
      return std::nullopt;
    value = value * 16 + d;
  }
  return static_cast<std::uint8_t>(value);
}

}  // namespace bessd::modbus
