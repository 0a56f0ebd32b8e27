#include <bessd/app/energy_records.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
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

// The lifetime counters that are plain totals; the count of deep discharges is an integer,
// whether one is armed a flag, and the resistance and the first SOC may be unknown, so those four
// have rows of their own below. One table for both directions: a key written and a key read back
// cannot differ.
struct LifetimeField {
  std::string_view key;
  double control::LifetimeCounters::*value;
};

constexpr LifetimeField kLifetimeFields[] = {
    {"energy_charged_kwh", &control::LifetimeCounters::energy_charged_kwh},
    {"energy_discharged_kwh", &control::LifetimeCounters::energy_discharged_kwh},
    {"capacity_charged_ah", &control::LifetimeCounters::capacity_charged_ah},
    {"capacity_discharged_ah", &control::LifetimeCounters::capacity_discharged_ah},
    {"time_in_extreme_temperature_s", &control::LifetimeCounters::time_in_extreme_temperature_s},
    {"time_charging_in_extreme_temperature_s",
     &control::LifetimeCounters::time_charging_in_extreme_temperature_s},
};
constexpr std::string_view kDeepDischargeKey = "deep_discharge_count";
constexpr std::string_view kResistanceKey = "ohmic_resistance_ohm";
// Whether the next fall to the deep-discharge SOC counts: kept, or a gateway that restarts while
// the pack is still nearly empty would count the same discharge again at every start.
constexpr std::string_view kDeepDischargeArmedKey = "deep_discharge_armed";
// The SOC when counting began: the round-trip efficiency corrects for it over the whole count.
constexpr std::string_view kFirstSocKey = "first_soc_pct";

bool damaged(const storage::LifetimeCounter& c) {
  return !std::isfinite(c.value) || c.value < 0.0 || (c.key == kFirstSocKey && c.value > 100.0);
}

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
    if (damaged(c)) continue;
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

std::vector<storage::LifetimeCounter> lifetime_records(const control::LifetimeCounters& counters,
                                                       WallTime now) {
  std::vector<storage::LifetimeCounter> out;
  auto add = [&](std::string_view key, double value) {
    out.push_back({std::string(key), value, storage::CounterOrigin::derived, now});
  };
  for (const auto& f : kLifetimeFields) add(f.key, counters.*f.value);
  add(kDeepDischargeKey, static_cast<double>(counters.deep_discharge_count));
  add(kDeepDischargeArmedKey, counters.deep_discharge_armed ? 1.0 : 0.0);
  if (counters.ohmic_resistance_ohm) add(kResistanceKey, *counters.ohmic_resistance_ohm);
  if (counters.first_soc_pct) add(kFirstSocKey, *counters.first_soc_pct);
  return out;
}

control::LifetimeCounters stored_lifetime(const std::vector<storage::LifetimeCounter>& stored) {
  control::LifetimeCounters out;
  for (const auto& c : stored) {
    if (damaged(c)) continue;
    for (const auto& f : kLifetimeFields)
      if (c.key == f.key) out.*f.value = c.value;
    if (c.key == kDeepDischargeKey)
      out.deep_discharge_count = static_cast<std::int64_t>(std::llround(std::min(c.value, 1e15)));
    if (c.key == kResistanceKey) out.ohmic_resistance_ohm = c.value;
    // A database of an older version has no row: armed, as every start was before.
    if (c.key == kDeepDischargeArmedKey) out.deep_discharge_armed = c.value >= 0.5;
    if (c.key == kFirstSocKey) out.first_soc_pct = c.value;
  }
  return out;
}

std::vector<storage::LifetimeCounter> damaged_counters(
    const std::vector<storage::LifetimeCounter>& stored) {
  auto read_here = [](std::string_view key) {
    if (key == kSinceKey || key == kDeepDischargeKey || key == kResistanceKey ||
        key == kDeepDischargeArmedKey || key == kFirstSocKey)
      return true;
    return std::any_of(std::begin(kFields), std::end(kFields),
                       [&](const Field& f) { return f.key == key; }) ||
           std::any_of(std::begin(kLifetimeFields), std::end(kLifetimeFields),
                       [&](const LifetimeField& f) { return f.key == key; });
  };
  std::vector<storage::LifetimeCounter> out;
  for (const auto& c : stored)
    if (read_here(c.key) && damaged(c)) out.push_back(c);
  return out;
}

}  // namespace bessd::app
