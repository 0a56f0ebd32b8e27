#pragma once
// The slow, database-backed queries (events, history, audit, energy) and their results. The router
// validates every parameter before the facade sees it: ranges and limits below are guaranteed.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/api/requester.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/core/event.hpp>
#include <bessd/energy/energy_money.hpp>
#include <bessd/energy/energy_periods.hpp>

namespace bessd::api {

inline constexpr std::uint32_t kMaxQueryLimit = 1000;
inline constexpr std::uint32_t kDefaultQueryLimit = 100;

struct EventQuery {
  WallTime since{};                                    // events at or after this time
  core::Severity min_severity{core::Severity::debug};  // this level and worse
  std::uint32_t limit{kDefaultQueryLimit};             // 1 ... kMaxQueryLimit, newest first
};

struct EventRecord {
  std::int64_t id{0};  // storage row id, increasing
  WallTime time{};
  core::Event event;  // event.at (monotonic) is not shown
  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

/// Storage resolutions (retention tiers of the storage component).
enum class Resolution : std::uint8_t { raw, minute, quarter_hour };
inline constexpr auto kResolutionNames =
    std::to_array<EnumName<Resolution>>({{Resolution::raw, "raw"},
                                         {Resolution::minute, "minute"},
                                         {Resolution::quarter_hour, "quarter_hour"}});
static_assert(enum_names_complete(kResolutionNames));
std::string_view to_string(Resolution r) noexcept;
std::optional<Resolution> parse_resolution(std::string_view text) noexcept;

/// Telemetry fields that GET /v1/history can return (units in the names).
const std::vector<std::string_view>& history_fields();

struct HistoryQuery {
  WallTime from{};
  WallTime to{};  // from < to
  Resolution resolution{Resolution::minute};
  std::vector<std::string> fields;  // non-empty, each one of history_fields(), no duplicates
};

struct HistoryPoint {
  WallTime time{};
  std::vector<std::optional<double>> values;  // one per requested field, in order; absent = gap
  friend bool operator==(const HistoryPoint&, const HistoryPoint&) = default;
};

struct HistorySeries {
  std::vector<std::string> fields;
  Resolution resolution{Resolution::minute};
  std::vector<HistoryPoint> points;  // oldest first
  friend bool operator==(const HistorySeries&, const HistorySeries&) = default;
};

struct AuditQuery {
  WallTime since{};
  std::uint32_t limit{kDefaultQueryLimit};  // newest first
};

/// One write through the API, as recorded by the facade.
struct AuditRecord {
  std::int64_t id{0};
  WallTime time{};
  Requester who;
  std::string action;   // "mode", "ack_faults", "self_test"
  std::string request;  // the request body or parameters, as JSON text
  std::string outcome;  // "accepted", "refused", "error"
  std::string message;
  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

/// GET /v1/energy: the `count` periods up to the present one, in the gateway's local calendar.
inline constexpr int kMaxEnergyPeriods = 400;
int default_energy_periods(energy::PeriodKind kind) noexcept;

struct EnergyQuery {
  energy::PeriodKind period{energy::PeriodKind::day};
  int count{0};  // 1 ... kMaxEnergyPeriods
};

struct EnergyReport {
  energy::PeriodKind period{energy::PeriodKind::day};
  std::vector<energy::PeriodEnergy> periods;  // oldest first, the present one last
  std::optional<energy::FlatPrices> prices;   // configured: money figures too
  friend bool operator==(const EnergyReport&, const EnergyReport&) = default;
};

}  // namespace bessd::api
