#pragma once
// Mode schedule between the windows when `schedule.by_price` is set (docs/schedules.md
// "Planning by price"): keeps the plan from the price list current and says what it asks for
// now. Pure: fed the prices, the clock reading, the SOC and the window in force.
//
// A plan is made again when the prices, the target, the reserve or the deadline change, when a
// slot ends, when the power the pack takes moves by a fifth, and when the SOC is 2 points away
// from where the plan expected it (the house used the battery): it never runs on old figures.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <bessd/common/local_time.hpp>
#include <bessd/config/config.hpp>
#include <bessd/config/schedule_config.hpp>
#include <bessd/control/price_plan.hpp>
#include <bessd/control/schedule_calendar.hpp>

namespace bessd::control {

struct PriceScheduleSettings {
  config::PricePlanConfig plan;
  double capacity_kwh{0.0};    // the battery's nominal energy
  double charge_power_w{0.0};  // by_price.charge_power_w, else the battery's or inverter's rating
  std::string currency;        // for people; the price list's when it has one
  static PriceScheduleSettings from_config(const config::Config& cfg);
};

class PriceSchedule {
 public:
  static constexpr double kSocDriftPct = 2.0;

  explicit PriceSchedule(PriceScheduleSettings settings) : settings_(std::move(settings)) {}

  /// A new price list (read again from its file); null: none could be read.
  void set_prices(std::shared_ptr<const energy::PriceList> prices);

  /// The plan's action at `now`, planning again first when needed; absent where the plan has
  /// none (no prices, no SOC reading, a slot without action): the schedule's `outside` holds.
  /// `pack_charge_w`: what the pack takes now, its BMS's limit (absent: not known).
  std::optional<ScheduledAction> action_at(WallTime now, const TimeZone& zone,
                                           std::optional<double> soc_pct, double reserve_pct,
                                           double target_pct,
                                           std::optional<double> pack_charge_w = std::nullopt);

  /// The plan in force; null before the first.
  std::shared_ptr<const PricePlan> plan() const { return plan_; }
  /// Counts the plans made, so a reader sees a new one.
  std::uint64_t plans_made() const { return plans_made_; }
  const PriceScheduleSettings& settings() const { return settings_; }
  const std::shared_ptr<const energy::PriceList>& prices() const { return prices_; }

 private:
  bool needs_plan(WallTime now, WallTime deadline, double soc_pct, double reserve_pct,
                  double target_pct, double charge_power_w) const;
  std::string describe_charge(const PricePlan& plan, WallTime now, const TimeZone& zone) const;
  const std::string& currency() const;

  PriceScheduleSettings settings_;
  std::shared_ptr<const energy::PriceList> prices_;
  std::uint64_t prices_version_{0};
  std::uint64_t planned_version_{0};
  std::shared_ptr<const PricePlan> plan_;
  double planned_reserve_pct_{0.0};
  double planned_charge_power_w_{0.0};
  std::uint64_t plans_made_{0};
};

/// "7.5 p/kWh", "7.5–8.1 p/kWh", "0.25/kWh" (no currency).
std::string price_text(double low, double high, const std::string& currency);

/// The plan in a sentence or two, for status, the CLI and MQTT: "Charging 6 kWh from the grid
/// 00:30–02:30 at 7.5 p/kWh for 90 % by 07:00. Expected cost 45 p."
std::string describe_plan(const PricePlan& plan, WallTime now, const TimeZone& zone,
                          const std::string& currency);

/// The SOC the plan expects at `t` (the house not counted); absent outside it.
std::optional<double> expected_soc_pct(const PricePlan& plan, WallTime t);

}  // namespace bessd::control
