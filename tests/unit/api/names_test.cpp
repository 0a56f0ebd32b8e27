// The API's words are what clients send and read: each enum's names are pinned here, and every
// name parses back to its value where the API parses it.

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/api/health_dto.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/limits_dto.hpp>
#include <bessd/api/query_dto.hpp>
#include <bessd/api/requester.hpp>
#include <bessd/api/status_dto.hpp>

namespace bessd::api {
namespace {

template <typename E, std::size_t N>
std::vector<std::string_view> api_names(const std::array<EnumName<E>, N>& table) {
  std::vector<std::string_view> out;
  for (const auto& row : table) {
    EXPECT_EQ(to_string(row.value), row.name);
    out.push_back(to_string(row.value));
  }
  return out;
}

using Names = std::vector<std::string_view>;

TEST(ApiNames, ModeRoundTrips) {
  EXPECT_EQ(api_names(kModeNames), (Names{"idle", "manual", "self_consumption", "schedule"}));
  for (const auto& row : kModeNames) EXPECT_EQ(parse_mode(to_string(row.value)), row.value);
  EXPECT_EQ(parse_mode("Idle"), std::nullopt);
  EXPECT_EQ(parse_mode("invalid"), std::nullopt);
}

TEST(ApiNames, ResolutionRoundTrips) {
  EXPECT_EQ(api_names(kResolutionNames), (Names{"raw", "minute", "quarter_hour"}));
  for (const auto& row : kResolutionNames)
    EXPECT_EQ(parse_resolution(to_string(row.value)), row.value);
  EXPECT_EQ(parse_resolution("auto"), std::nullopt);
}

TEST(ApiNames, MethodRoundTrips) {
  EXPECT_EQ(api_names(kMethodNames),
            (Names{"GET", "PUT", "POST", "HEAD", "DELETE", "PATCH", "OPTIONS", "OTHER"}));
  for (const auto& row : kMethodNames) EXPECT_EQ(parse_method(to_string(row.value)), row.value);
  EXPECT_EQ(parse_method("TRACE"), Method::other);
  EXPECT_EQ(parse_method("get"), Method::other);
  EXPECT_EQ(to_string(static_cast<Method>(200)), "OTHER");
}

TEST(ApiNames, WrittenOnlyNames) {
  EXPECT_EQ(api_names(kTransportNames), (Names{"unix", "tcp", "internal", "mqtt"}));
  EXPECT_EQ(api_names(kScopeNames), (Names{"read", "control"}));
  EXPECT_EQ(api_names(kLinkStateNames), (Names{"unknown", "up", "stale", "down", "disabled"}));
  EXPECT_EQ(api_names(kVerdictNames), (Names{"pass", "warn", "derate", "block"}));
  EXPECT_EQ(api_names(kDirectionNames), (Names{"charge", "discharge", "both"}));
  EXPECT_EQ(api_names(kValueSourceNames),
            (Names{"reported", "derived", "configured", "unavailable"}));
  EXPECT_EQ(to_string(static_cast<Mode>(200)), "invalid");
}

}  // namespace
}  // namespace bessd::api
