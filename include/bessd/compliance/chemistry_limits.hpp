#pragma once
// Chemistry defaults (docs/compliance.md BAT-CHEM-01): the bounds BAT-CHEM-01 checks pack
// limits against, and the defaults the limits engine uses where the pack's datasheet gives none.
// Pure data; no allocation; safe from any thread.

#include <bessd/config/battery_config.hpp>

namespace bessd::compliance {

/// Cell-level limits of one chemistry. Voltages in V per cell, temperatures in °C of the cell.
struct ChemistryLimits {
  double cell_voltage_max_v;            // absolute maximum, also the default
  double cell_voltage_min_v;            // absolute minimum (sane bound)
  double cell_voltage_min_practical_v;  // default minimum when the pack gives none
  double charge_temperature_min_c;      // no charging below 0 °C cell temperature, ever [C]
  double charge_temperature_max_c;
  double discharge_temperature_min_c;
  double discharge_temperature_max_c;
  double cell_voltage_nominal_v;  // datasheet nominal, for Ah -> kWh when the pack gives none
};

/// The row of `chemistry` in docs/compliance.md BAT-CHEM-01 (NMC and NCA share a row).
const ChemistryLimits& chemistry_limits(config::Chemistry chemistry) noexcept;

/// The cell limits in force for a pack: each datasheet value of `battery` where configured,
/// otherwise the chemistry default (the practical minimum for the cell voltage floor).
struct CellLimits {
  double cell_voltage_max_v;
  double cell_voltage_min_v;
  double charge_temperature_min_c;
  double charge_temperature_max_c;
  double discharge_temperature_min_c;
  double discharge_temperature_max_c;
  friend bool operator==(const CellLimits&, const CellLimits&) = default;
};
CellLimits effective_cell_limits(const config::BatteryConfig& battery) noexcept;

}  // namespace bessd::compliance
