#include <bessd/app/energy_records.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace bessd::app {

namespace {

struct Field {
  std::string_view key;
  double energy::EnergyTotals::*value;
};

constexpr Field kFields[] = {
    {"flow_battery_charged_kwh", &energy::EnergyTotals::battery_charged_kwh},
    {"flow_battery_discharged_kwh", &energy::EnergyTotals::battery_discharged_kwh},
    {"flow_grid_import_kwh", &energy::EnergyTotals::grid_import_kwh},
    {"flow_grid_export_kwh", &energy::EnergyTotals::grid_export_kwh},
    {"flow_pv_kwh", &energy::EnergyTotals::pv_kwh},
    {"flow_house_kwh", &energy::EnergyTotals::house_kwh},
    {"flow_measured_s", &energy::EnergyTotals::measured_s},
    {"flow_unmeasured_s", &energy::EnergyTotals::unmeasured_s},
    {"flow_grid_measured_s", &energy::EnergyTotals::grid_measured_s},
    {"flow_pv_measured_s", &energy::EnergyTotals::pv_measured_s},
    {"flow_house_measured_s", &energy::EnergyTotals::house_measured_s},
};
constexpr std::string_view kSinceKey = "flow_since_unix_ms";

}  // namespace

std::vector<storage::LifetimeCounter> energy_records(const energy::EnergyTotals& totals,
                                                     WallTime since, WallTime now) {
  std::vector<storage::LifetimeCounter> out;
  for (const auto& f : kFields)
    out.push_back({std::string(f.key), totals.*f.value, storage::CounterOrigin::derived, now});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since.time_since_epoch());
  out.push_back({std::string(kSinceKey), static_cast<double>(ms.count()),
                 storage::CounterOrigin::derived, now});
  return out;
}

StoredEnergy stored_energy(const std::vector<storage::LifetimeCounter>& stored) {
  StoredEnergy out;
  for (const auto& c : stored) {
    if (!std::isfinite(c.value) || c.value < 0.0) continue;
    if (c.key == kSinceKey) {
      out.since = WallTime{} + std::chrono::duration_cast<WallTime::duration>(
                                   std::chrono::milliseconds(static_cast<std::int64_t>(c.value)));
      continue;
    }
    for (const auto& f : kFields)
      if (c.key == f.key) {
        out.totals.*f.value = c.value;
        out.saved_at = std::max(out.saved_at.value_or(c.updated_at), c.updated_at);
      }
  }
  return out;
}

}  // namespace bessd::app
