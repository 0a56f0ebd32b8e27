#pragma once
// Energy per calendar period (docs/api.md "GET /v1/energy"): the increase of each counter on
// each local calendar day, as stored, added up into days, weeks (Monday to Sunday, ISO 8601),
// months or years. A period bessd did not run in has nothing counted and says so by how much of
// it was measured, never by a 0 kWh figure. Pure: fed days, the present day as an argument.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <bessd/common/date.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/energy/energy_counters.hpp>

namespace bessd::energy {

/// What the counters increased by on one local calendar day.
struct DayEnergy {
  Date day;
  EnergyTotals increase;
  friend bool operator==(const DayEnergy&, const DayEnergy&) = default;
};

enum class PeriodKind : std::uint8_t { day, week, month, year };
inline constexpr auto kPeriodKindNames =
    std::to_array<EnumName<PeriodKind>>({{PeriodKind::day, "day"},
                                         {PeriodKind::week, "week"},
                                         {PeriodKind::month, "month"},
                                         {PeriodKind::year, "year"}});
static_assert(enum_names_complete(kPeriodKindNames));
std::string_view to_string(PeriodKind kind) noexcept;
std::optional<PeriodKind> parse_period_kind(std::string_view text) noexcept;

struct PeriodEnergy {
  Date start;  // the period's first day
  Date end;    // the day after its last
  EnergyTotals increase;
  int days_with_data{0};
  friend bool operator==(const PeriodEnergy&, const PeriodEnergy&) = default;
};

/// The counters' increase from `before` to `after` (each counter only grows; a smaller one is a
/// counter that was reset, and counts from 0).
EnergyTotals increase_between(const EnergyTotals& before, const EnergyTotals& after);
/// `a` + `b`, counter by counter.
EnergyTotals plus(const EnergyTotals& a, const EnergyTotals& b);

/// The energy of `day` after `increase` is added: `so_far` is the running day's, and a new
/// day (the first save after midnight) starts from `increase` alone.
DayEnergy add_to_day(const std::optional<DayEnergy>& so_far, Date day,
                     const EnergyTotals& increase);

/// The first day of the period of `kind` that holds `day`.
Date period_start(PeriodKind kind, Date day);
/// The first day of the period after the one starting on `start`.
Date next_period_start(PeriodKind kind, Date start);

/// The `count` periods of `kind` up to and including the one holding `today`, oldest first,
/// each with the sum of the `days` inside it (days before them or after `today` are left out).
std::vector<PeriodEnergy> energy_by_period(const std::vector<DayEnergy>& days, PeriodKind kind,
                                           Date today, int count);

}  // namespace bessd::energy
