#include <bessd/energy/energy_periods.hpp>

#include <algorithm>

namespace bessd::energy {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

Date shifted(Date day, int n) {
  return Date{sys_days{day} + days{n}};
}

}  // namespace

std::string_view to_string(PeriodKind kind) noexcept {
  return enum_name(kPeriodKindNames, kind, "day");
}

std::optional<PeriodKind> parse_period_kind(std::string_view text) noexcept {
  return enum_from_name(kPeriodKindNames, text);
}

EnergyTotals increase_between(const EnergyTotals& before, const EnergyTotals& after) {
  EnergyTotals out;
  for (const auto c : kTotalsCounters)
    out.*c = after.*c >= before.*c ? after.*c - before.*c : after.*c;
  return out;
}

EnergyTotals plus(const EnergyTotals& a, const EnergyTotals& b) {
  EnergyTotals out;
  for (const auto c : kTotalsCounters) out.*c = a.*c + b.*c;
  return out;
}

DayEnergy add_to_day(const std::optional<DayEnergy>& so_far, Date day,
                     const EnergyTotals& increase) {
  if (!so_far || so_far->day != day) return DayEnergy{day, increase};
  return DayEnergy{day, plus(so_far->increase, increase)};
}

Date period_start(PeriodKind kind, Date day) {
  switch (kind) {
    case PeriodKind::day:
      return day;
    case PeriodKind::week: {
      // ISO 8601 weeks begin on Monday.
      const std::chrono::weekday wd{sys_days{day}};
      const int since_monday = static_cast<int>((wd.c_encoding() + 6) % 7);
      return shifted(day, -since_monday);
    }
    case PeriodKind::month:
      return Date{day.year(), day.month(), std::chrono::day{1}};
    case PeriodKind::year:
      return Date{day.year(), std::chrono::January, std::chrono::day{1}};
  }
  return day;
}

Date next_period_start(PeriodKind kind, Date start) {
  switch (kind) {
    case PeriodKind::day:
      return shifted(start, 1);
    case PeriodKind::week:
      return shifted(start, 7);
    case PeriodKind::month: {
      const auto ym = std::chrono::year_month{start.year(), start.month()} + std::chrono::months{1};
      return Date{ym.year(), ym.month(), std::chrono::day{1}};
    }
    case PeriodKind::year:
      return Date{start.year() + std::chrono::years{1}, std::chrono::January, std::chrono::day{1}};
  }
  return shifted(start, 1);
}

std::vector<PeriodEnergy> energy_by_period(const std::vector<DayEnergy>& days_in, PeriodKind kind,
                                           Date today, int count) {
  std::vector<PeriodEnergy> out;
  if (count <= 0) return out;
  // Walk back from the present period, then fill oldest first.
  std::vector<Date> starts{period_start(kind, today)};
  while (static_cast<int>(starts.size()) < count) {
    const Date before = shifted(starts.back(), -1);
    starts.push_back(period_start(kind, before));
  }
  std::reverse(starts.begin(), starts.end());
  for (const Date& s : starts) out.push_back(PeriodEnergy{s, next_period_start(kind, s), {}, 0});
  for (const auto& d : days_in) {
    if (sys_days{d.day} > sys_days{today}) continue;  // a clock set back since: not yet
    const auto it = std::upper_bound(
        out.begin(), out.end(), d.day,
        [](const Date& day, const PeriodEnergy& p) { return sys_days{day} < sys_days{p.start}; });
    if (it == out.begin()) continue;  // before the first period
    PeriodEnergy& p = *std::prev(it);
    p.increase = plus(p.increase, d.increase);
    ++p.days_with_data;
  }
  return out;
}

}  // namespace bessd::energy
