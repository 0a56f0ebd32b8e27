#pragma once
// Transport-free HTTP request and response, so that the router is tested without sockets.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <bessd/api/requester.hpp>
#include <bessd/common/enum_names.hpp>

namespace bessd::api {

enum class Method : std::uint8_t { get, put, post, head, delete_, patch, options, other };
inline constexpr auto kMethodNames = std::to_array<EnumName<Method>>({{Method::get, "GET"},
                                                                      {Method::put, "PUT"},
                                                                      {Method::post, "POST"},
                                                                      {Method::head, "HEAD"},
                                                                      {Method::delete_, "DELETE"},
                                                                      {Method::patch, "PATCH"},
                                                                      {Method::options, "OPTIONS"},
                                                                      {Method::other, "OTHER"}});
static_assert(enum_names_complete(kMethodNames));
std::string_view to_string(Method m) noexcept;
Method parse_method(std::string_view text) noexcept;

struct Request {
  Method method{Method::get};
  std::string method_name;   // as sent ("TRACE" when method is other), for messages
  std::string target;        // path and query as sent: "/v1/events?level=warning&limit=10"
  std::string content_type;  // empty when absent
  std::string body;
  Requester requester;
};

struct Response {
  unsigned status{200};
  std::string content_type{"application/json"};
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers ("Allow", ...)
  /// API answers are never cached; the dashboard's static files are revalidated ("no-cache").
  std::string cache_control{"no-store"};
};

}  // namespace bessd::api
