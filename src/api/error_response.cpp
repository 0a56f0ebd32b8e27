#include <bessd/api/error_response.hpp>

#include <nlohmann/json.hpp>

namespace bessd::api {

Response error_response(unsigned status, std::string_view code, std::string_view message,
                        const std::vector<ErrorDetail>& details) {
  nlohmann::json error{{"code", code}, {"message", message}};
  if (!details.empty()) {
    auto& list = error["details"] = nlohmann::json::array();
    for (const auto& d : details) list.push_back({{"where", d.where}, {"message", d.message}});
  }
  Response r;
  r.status = status;
  // Invalid UTF-8 in an echoed value must not make the error itself fail to serialise.
  r.body = nlohmann::json{{"error", error}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(const Error& error) {
  using error_code::kBusy;
  using error_code::kInternal;
  using error_code::kNotImplemented;
  using error_code::kRejected;
  using error_code::kTimeout;
  using error_code::kUnavailable;
  switch (error.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::out_of_range:
      return error_response(422, kRejected, error.message);
    case ErrorCode::permission_denied:
      return error_response(403, error_code::kForbidden, error.message);
    case ErrorCode::not_found:
      return error_response(404, error_code::kNotFound, error.message);
    case ErrorCode::busy:
      return error_response(409, kBusy, error.message);
    case ErrorCode::unsupported:
      return error_response(501, kNotImplemented, error.message);
    case ErrorCode::timeout:
      return error_response(504, kTimeout, error.message);
    case ErrorCode::disconnected:
    case ErrorCode::io_error:
    case ErrorCode::storage_error:
      return error_response(503, kUnavailable, error.message);
    case ErrorCode::parse_error:
    case ErrorCode::protocol_error:
    case ErrorCode::readback_mismatch:
    case ErrorCode::internal:
      return error_response(500, kInternal, error.message);
  }
  return error_response(500, kInternal, error.message);
}

}  // namespace bessd::api
