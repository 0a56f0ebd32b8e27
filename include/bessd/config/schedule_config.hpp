#pragma once
// The `schedule` section (docs/schedules.md): weekly windows in local time, each with one
// action, and the action outside them. Used by the operating mode `schedule`.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class ScheduleActionKind : std::uint8_t { charge, hold, discharge, self_consumption, idle };
inline constexpr auto kScheduleActionKindNames = std::to_array<EnumName<ScheduleActionKind>>(
    {{ScheduleActionKind::charge, "charge"},
     {ScheduleActionKind::hold, "hold"},
     {ScheduleActionKind::discharge, "discharge"},
     {ScheduleActionKind::self_consumption, "self_consumption"},
     {ScheduleActionKind::idle, "idle"}});
static_assert(enum_names_complete(kScheduleActionKindNames));
std::string_view to_string(ScheduleActionKind k) noexcept;

struct ScheduleAction {
  ScheduleActionKind kind{ScheduleActionKind::self_consumption};
  /// charge: from the grid (and the sun) up to this SOC; absent = the charge target in force.
  std::optional<double> target_soc_pct;
  /// discharge: down to this SOC; absent = the reserve in force.
  std::optional<double> floor_soc_pct;
  /// charge, discharge: at most this power; absent = what the envelope allows.
  std::optional<double> power_w;
  friend bool operator==(const ScheduleAction&, const ScheduleAction&) = default;
};

struct ScheduleWindow {
  std::uint8_t days{0x7f};  // bit 0 = Monday ... bit 6 = Sunday: the days the window starts on
  int start_minute{0};      // local minute of the day it starts
  int end_minute{0};        // ends (exclusive); at or before the start: runs past midnight
  ScheduleAction action;
  friend bool operator==(const ScheduleWindow&, const ScheduleWindow&) = default;
};

/// `schedule.by_price`: between the windows, a plan from a price file (docs/schedules.md
/// "Planning by price").
struct PricePlanConfig {
  std::string file;                      // the price list (JSON or CSV), absolute path
  int ready_by_minute{7 * 60};           // local minute of the day the target is due
  std::optional<double> target_soc_pct;  // absent: the charge target in force
  /// The grid charge's power; absent: the battery's or inverter's rated power.
  std::optional<double> charge_power_w;
  std::optional<double> sell_power_w;         // absent: nothing is sold
  std::optional<double> sell_margin_per_kwh;  // a sale earns this over buying back (to sell)
  double round_trip_efficiency_pct{90.0};
  friend bool operator==(const PricePlanConfig&, const PricePlanConfig&) = default;
};

struct ScheduleConfig {
  std::string time_zone;   // IANA name; empty = the system's
  ScheduleAction outside;  // between the windows (and, with by_price, where the plan has none)
  std::vector<ScheduleWindow> windows;
  std::optional<PricePlanConfig> by_price;
  friend bool operator==(const ScheduleConfig&, const ScheduleConfig&) = default;
};

/// "Mon–Fri 00:30–04:30", "daily 16:00–19:00", "Sat Sun 23:30–05:30": a window for people.
std::string describe(const ScheduleWindow& w);
/// "00:30" from a minute of the day (24:00 for 1440).
std::string clock_text(int minute);

}  // namespace bessd::config
