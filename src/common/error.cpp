#include <bessd/common/error.hpp>

namespace bessd {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::out_of_range:
      return "out_of_range";
    case ErrorCode::parse_error:
      return "parse_error";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::io_error:
      return "io_error";
    case ErrorCode::disconnected:
      return "disconnected";
    case ErrorCode::permission_denied:
      return "permission_denied";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::unsupported:
      return "unsupported";
    case ErrorCode::protocol_error:
      return "protocol_error";
    case ErrorCode::busy:
      return "busy";
    case ErrorCode::storage_error:
      return "storage_error";
    case ErrorCode::readback_mismatch:
      return "readback_mismatch";
    case ErrorCode::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace bessd
