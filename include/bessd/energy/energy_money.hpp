#pragma once
// Money from counted energy at flat prices (docs/api.md "GET /v1/energy"). The battery's saving
// is an estimate with a stated method: each kWh it gave displaced a kWh bought from the grid,
// each kWh it stored would otherwise have been sold to it. Pure.

#include <optional>
#include <string>

#include <bessd/energy/energy_counters.hpp>

namespace bessd::energy {

struct FlatPrices {
  std::string currency;
  double import_per_kwh{0.0};
  double export_per_kwh{0.0};
  friend bool operator==(const FlatPrices&, const FlatPrices&) = default;
};

/// Absent where the flow it comes from was not measured.
struct EnergyMoney {
  std::optional<double> grid_cost;       // import × import price
  std::optional<double> export_income;   // export × export price
  std::optional<double> battery_saving;  // discharged × import price − charged × export price
};

EnergyMoney money_of(const EnergyTotals& increase, const FlatPrices& prices);

}  // namespace bessd::energy
