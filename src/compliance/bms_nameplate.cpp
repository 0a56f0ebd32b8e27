#include <bessd/compliance/bms_nameplate.hpp>

#include <cmath>
#include <cstdio>

#include <bessd/compliance/chemistry_limits.hpp>

namespace bessd::compliance {

namespace {
std::string volts(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

std::optional<BmsNameplate> bms_nameplate(const config::BatteryConfig& battery,
                                          const core::PackState& pack) {
  if (!pack.capacity_ah || !std::isfinite(*pack.capacity_ah) || *pack.capacity_ah <= 0.0)
    return std::nullopt;
  BmsNameplate n;
  n.capacity_ah = *pack.capacity_ah;
  if (battery.nominal_voltage_v && *battery.nominal_voltage_v > 0.0) {
    n.nominal_voltage_v = *battery.nominal_voltage_v;
    n.voltage_basis = "battery.nominal_voltage_v";
  } else if (battery.series_cells && *battery.series_cells > 0) {
    const double cell_v = chemistry_limits(battery.chemistry).cell_voltage_nominal_v;
    n.nominal_voltage_v = static_cast<double>(*battery.series_cells) * cell_v;
    n.voltage_basis = "battery.series_cells × " + volts(cell_v) + " V (" +
                      std::string{config::to_string(battery.chemistry)} + " nominal)";
  } else if (pack.voltage_v && std::isfinite(*pack.voltage_v) && *pack.voltage_v > 0.0) {
    // Within about ±10 % of the nominal voltage over the state of charge: good enough for the
    // energy cap, which must not ignore a large pack because its nominal voltage is not set.
    n.nominal_voltage_v = *pack.voltage_v;
    n.voltage_basis = "measured pack voltage (set battery.nominal_voltage_v for the nameplate)";
    n.from_measured_voltage = true;
  } else {
    return std::nullopt;
  }
  n.energy_kwh = n.capacity_ah * n.nominal_voltage_v / 1000.0;
  return n;
}

bool nameplate_changed(const std::optional<BmsNameplate>& evaluated,
                       const std::optional<BmsNameplate>& next, double relative_change) {
  if (!next) return false;  // a BMS that stops repeating its capacity keeps the last one
  if (!evaluated) return true;
  if (next->capacity_ah != evaluated->capacity_ah) return true;
  return std::abs(next->energy_kwh - evaluated->energy_kwh) >
         relative_change * evaluated->energy_kwh;
}

}  // namespace bessd::compliance
