#pragma once
// GET /v1/health: state of health and lifetime data (EU 2023/1542 Art. 14, Annex VII;
// docs/api.md). Each value says whether the BMS reported it or bessd derived it.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>

namespace bessd::api {

enum class ValueSource : std::uint8_t { reported, derived, configured, unavailable };
inline constexpr auto kValueSourceNames =
    std::to_array<EnumName<ValueSource>>({{ValueSource::reported, "reported"},
                                          {ValueSource::derived, "derived"},
                                          {ValueSource::configured, "configured"},
                                          {ValueSource::unavailable, "unavailable"}});
static_assert(enum_names_complete(kValueSourceNames));
std::string_view to_string(ValueSource s) noexcept;

struct HealthValue {
  std::string name;  // carries the unit: "soh_pct", "energy_charged_kwh", "manufacture_date"
  std::optional<double> number;
  std::optional<std::string> text;  // dates and other non-numeric values
  ValueSource source{ValueSource::unavailable};
  std::string note;  // how it was derived, or why it is unavailable
  friend bool operator==(const HealthValue&, const HealthValue&) = default;
};

struct HealthDto {
  WallTime time{};
  std::vector<HealthValue> values;  // Part A (state of health) then Part B (lifetime)
  friend bool operator==(const HealthDto&, const HealthDto&) = default;
};

}  // namespace bessd::api
