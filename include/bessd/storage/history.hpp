#pragma once
// History queries: a time range at a resolution, answered from the tier that holds it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/core/event.hpp>

namespace bessd::storage {

/// Storage tiers. `automatic` picks by span and by what each tier still holds: raw up to 2 h,
/// 1-minute up to 3 days, 15-minute beyond; a tier whose retention no longer covers `from`
/// gives way to the next coarser one.
enum class Resolution : std::uint8_t { automatic, raw, minute, quarter_hour };
inline constexpr auto kResolutionNames =
    std::to_array<EnumName<Resolution>>({{Resolution::automatic, "auto"},
                                         {Resolution::raw, "raw"},
                                         {Resolution::minute, "1m"},
                                         {Resolution::quarter_hour, "15m"}});
static_assert(enum_names_complete(kResolutionNames));

std::string_view to_string(Resolution r) noexcept;
std::optional<Resolution> parse_resolution(std::string_view text);

struct HistoryQuery {
  WallTime from{};  // inclusive
  WallTime to{};    // exclusive
  Resolution resolution{Resolution::automatic};
  std::vector<std::string> fields;  // names from kTelemetryFields; empty = all
  std::size_t max_points{100'000};  // the oldest points in range first, at most this many
};

/// One field over one point. For raw points min == mean == max.
struct FieldStats {
  std::optional<double> min;
  std::optional<double> mean;
  std::optional<double> max;
  friend bool operator==(const FieldStats&, const FieldStats&) = default;
};

struct HistoryPoint {
  WallTime at{};                   // sample time, or bucket start for rollups
  std::uint32_t samples{1};        // raw samples behind this point
  std::vector<FieldStats> values;  // parallel to History::fields
  double charge_kwh{0.0};          // energy into the battery within the bucket (0 for raw points)
  double discharge_kwh{0.0};       // energy out of the battery within the bucket (0 for raw points)
  std::string controller_state;    // at the sample, or the last one in the bucket
  std::string controller_mode;
  friend bool operator==(const HistoryPoint&, const HistoryPoint&) = default;
};

struct History {
  Resolution resolution{Resolution::raw};  // the tier actually used (never automatic)
  std::vector<std::string> fields;
  std::vector<HistoryPoint> points;  // ascending time
};

struct EventQuery {
  WallTime since{};  // inclusive
  core::Severity min_severity{core::Severity::debug};
  std::size_t limit{1000};  // ascending time from `since`
};

}  // namespace bessd::storage
