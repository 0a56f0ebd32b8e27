// The API's words are what clients send and read: each enum's names are pinned here, and every
// name parses back to its value where the API parses it.

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/api/health_dto.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/limits_dto.hpp>
#include <bessd/api/metric_sample.hpp>
#include <bessd/api/query_dto.hpp>
#include <bessd/api/requester.hpp>
#include <bessd/api/status_dto.hpp>
#include <bessd/core/bms_condition.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/flag_state.hpp>
#include <bessd/core/inverter_state.hpp>

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

// The transport is read back from the audit log's actor column, the scope from the token file,
// the metric type is the word of a # TYPE line that Prometheus reads: each name reads back and
// no other word does.
TEST(ApiNames, TransportScopeAndMetricTypeReadBack) {
  for (const auto& row : kTransportNames)
    EXPECT_EQ(enum_from_name(kTransportNames, to_string(row.value)), row.value);
  EXPECT_EQ(enum_from_name(kTransportNames, "unix_socket"), std::nullopt);
  EXPECT_EQ(enum_from_name(kTransportNames, "TCP"), std::nullopt);
  for (const auto& row : kScopeNames)
    EXPECT_EQ(enum_from_name(kScopeNames, to_string(row.value)), row.value);
  EXPECT_EQ(enum_from_name(kScopeNames, "Control"), std::nullopt);
  EXPECT_EQ(enum_from_name(kScopeNames, "write"), std::nullopt);
  Names types;
  for (const auto& row : kMetricTypeNames) {
    EXPECT_EQ(enum_from_name(kMetricTypeNames, row.name), row.value);
    types.push_back(enum_name(kMetricTypeNames, row.value));
  }
  EXPECT_EQ(types, (Names{"counter", "gauge", "histogram"}));
  EXPECT_EQ(enum_from_name(kMetricTypeNames, "summary"), std::nullopt);
}

template <typename E, std::size_t N>
std::vector<std::string_view> core_names(const std::array<EnumName<E>, N>& table) {
  std::vector<std::string_view> out;
  for (const auto& row : table) {
    EXPECT_EQ(core::to_string(row.value), row.name);
    EXPECT_EQ(enum_from_name(table, core::to_string(row.value)), row.value);
    out.push_back(core::to_string(row.value));
  }
  return out;
}

// The core words the API shows (events, envelope causes, BMS flags, the inverter's state); the
// event level is also GET /v1/events' `level` parameter.
TEST(ApiNames, CoreWords) {
  EXPECT_EQ(core_names(core::kSeverityNames),
            (Names{"debug", "info", "warning", "error", "critical"}));
  EXPECT_EQ(core_names(core::kEventEdgeNames), (Names{"once", "raised", "cleared"}));
  EXPECT_EQ(core_names(core::kFlagStateNames), (Names{"not_reported", "ok", "active"}));
  EXPECT_EQ(core_names(core::kInverterOperatingNames),
            (Names{"unknown", "off", "standby", "running", "fault"}));
  EXPECT_EQ(core_names(core::kCauseKindNames),
            (Names{"none", "bms_limit", "pack_rating", "cell_voltage", "temperature", "soc_reserve",
                   "second_life", "inverter_rating", "site_grid_limit", "protection_flag",
                   "stale_data", "compliance_block", "fault", "hysteresis", "over_current",
                   "cell_spread", "fire_alarm"}));
  EXPECT_EQ(core_names(core::kBmsConditionNames),
            (Names{"general", "cell_over_voltage", "cell_under_voltage", "over_temperature",
                   "under_temperature", "charge_over_temperature", "charge_under_temperature",
                   "discharge_under_temperature", "discharge_over_current", "charge_over_current",
                   "contactor", "short_circuit", "bms_internal", "cell_imbalance", "unknown"}));
}

}  // namespace
}  // namespace bessd::api
