#pragma once
// What GET /v1/plan shows (docs/api.md): the plan by price of mode schedule (docs/schedules.md
// "Planning by price"), its price file, and the slots from now to the deadline. /v1/status
// carries the summary.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>

namespace bessd::api {

struct PlanSlotDto {
  WallTime start;
  WallTime end;
  std::string action;  // none, charge, hold, sell
  double import_per_kwh{0.0};
  std::optional<double> export_per_kwh;
  double grid_kwh{0.0};  // + bought, − sold
  double soc_after_pct{0.0};
  bool assumed{false};  // no price in the file: import_per_kwh is assumed
  friend bool operator==(const PlanSlotDto&, const PlanSlotDto&) = default;
};

struct PriceFileDto {
  std::string file;
  std::optional<WallTime> read_at;
  std::size_t slots{0};
  std::optional<WallTime> first_start;
  std::optional<WallTime> last_end;
  std::optional<std::string> error;
  friend bool operator==(const PriceFileDto&, const PriceFileDto&) = default;
};

struct PlanDto {
  bool configured{false};  // schedule.by_price is set
  /// Mode schedule, outside the windows: the plan decides what the battery does now.
  bool in_force{false};
  PriceFileDto prices;
  std::string currency;
  std::string ready_by;  // "07:00", local
  std::optional<WallTime> made_at;
  std::optional<WallTime> deadline;
  std::optional<double> start_soc_pct;
  std::optional<double> target_soc_pct;
  double charge_kwh{0.0};
  double charge_cost{0.0};
  double sold_kwh{0.0};
  double sale_income{0.0};
  double expected_cost{0.0};
  bool target_reached{false};
  double shortfall_pct{0.0};
  double waiting_for_prices_kwh{0.0};
  double unpriced_minutes{0.0};
  std::string summary;  // describe_plan(); why there is none when there is none
  std::vector<PlanSlotDto> slots;
  friend bool operator==(const PlanDto&, const PlanDto&) = default;
};

}  // namespace bessd::api
