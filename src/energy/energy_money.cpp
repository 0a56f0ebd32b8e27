#include <bessd/energy/energy_money.hpp>

namespace bessd::energy {

EnergyMoney money_of(const EnergyTotals& t, const FlatPrices& p) {
  EnergyMoney m;
  if (t.grid_known()) {
    m.grid_cost = t.grid_import_kwh * p.import_per_kwh;
    m.export_income = t.grid_export_kwh * p.export_per_kwh;
  }
  if (t.measured_s > 0.0 || t.battery_charged_kwh > 0.0 || t.battery_discharged_kwh > 0.0)
    m.battery_saving =
        t.battery_discharged_kwh * p.import_per_kwh - t.battery_charged_kwh * p.export_per_kwh;
  return m;
}

}  // namespace bessd::energy
