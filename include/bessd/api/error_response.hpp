#pragma once
// Every API error is JSON: {"error": {"code": "...", "message": "...", "details": [...]}}.
// `details` lists each problem with a JSON pointer (bodies) or the parameter name (queries).

#include <string>
#include <vector>

#include <bessd/api/http_message.hpp>
#include <bessd/common/error.hpp>

namespace bessd::api {

struct ErrorDetail {
  std::string where;  // JSON pointer ("/setpoint_w") or query parameter ("limit")
  std::string message;
};

/// Stable error codes of the API (docs/api.md lists them with their HTTP status).
namespace error_code {
inline constexpr const char* kNotFound = "not_found";                           // 404
inline constexpr const char* kMethodNotAllowed = "method_not_allowed";          // 405
inline constexpr const char* kMalformedJson = "malformed_json";                 // 400
inline constexpr const char* kInvalidBody = "invalid_body";                     // 400
inline constexpr const char* kInvalidQuery = "invalid_query";                   // 400
inline constexpr const char* kUnsupportedMediaType = "unsupported_media_type";  // 415
inline constexpr const char* kUnauthorized = "unauthorized";                    // 401
inline constexpr const char* kForbidden = "forbidden";                          // 403
inline constexpr const char* kCsrf = "csrf";  // 403 (dashboard session without the CSRF proof)
inline constexpr const char* kRefused = "refused";                          // 409
inline constexpr const char* kBusy = "busy";                                // 409
inline constexpr const char* kRejected = "rejected";                        // 422
inline constexpr const char* kBodyTooLarge = "body_too_large";              // 413
inline constexpr const char* kHeadersTooLarge = "headers_too_large";        // 431
inline constexpr const char* kBadRequest = "bad_request";                   // 400 (HTTP syntax)
inline constexpr const char* kTooManyConnections = "too_many_connections";  // 503
inline constexpr const char* kMisdirected = "misdirected_request";          // 421
inline constexpr const char* kTooManyFailures = "too_many_failures";        // 429
inline constexpr const char* kTooManyWrites = "too_many_writes";            // 429
inline constexpr const char* kUnavailable = "unavailable";                  // 503
inline constexpr const char* kTimeout = "timeout";                          // 504
inline constexpr const char* kNotImplemented = "not_implemented";           // 501
inline constexpr const char* kInternal = "internal";                        // 500
}  // namespace error_code

Response error_response(unsigned status, std::string_view code, std::string_view message,
                        const std::vector<ErrorDetail>& details = {});

/// Maps a facade Error to a status and an API error code (docs/api.md "Errors").
Response error_response(const Error& error);

}  // namespace bessd::api
