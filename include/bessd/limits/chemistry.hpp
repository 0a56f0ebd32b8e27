#pragma once
// Chemistry defaults (docs/compliance.md BAT-CHEM-01) and default derating tables
// (docs/protection.md).
//
// Voltage taper tables are kept *relative* to the cell window so that a pack override of the
// cell max/min (or the second-life narrowing SL-DER-01) moves the taper with the window:
//  - LFP: docs/protection.md's table (1 at 3.42 V, 0.5 at 3.48, 0.1 at 3.53, 0 at 3.56 for a 3.65 V
//    max; 1 at 3.10, 0.5 at 2.90, 0.1 at 2.80, 0 at 2.70 for a 2.50 V min), expressed as
//    offsets from the max/min, so the default window reproduces it exactly.
//  - NMC/NCA/LiPo/LiHV (our engineering judgement [I], no published table): these cells
//    have a sloped voltage curve, so the taper is narrower: charge 1 at max−150 mV, 0.5 at
//    max−80 mV, 0.05 at max−40 mV, 0 at max−20 mV; discharge 1 at pmin+400 mV, 0.5 at
//    pmin+200 mV, 0.1 at pmin+100 mV, 0 at pmin, where pmin is the *practical* minimum
//    (3.00 V; the 2.50 V absolute minimum of NMC/NCA stays the OP-V-03 block threshold).
// Temperature tables are docs/protection.md's OP-T-02 for every chemistry (windows OP-T-03/04 still
// come from the chemistry / pack).

#include <bessd/config/battery_config.hpp>
#include <bessd/config/limits_config.hpp>

namespace bessd::limits {

struct ChemistryDefaults {
  double cell_voltage_max_v{};
  double cell_voltage_min_v{};
  /// Lowest voltage the default discharge taper reaches 0 at (NMC/NCA: 3.00 "practical").
  double cell_voltage_practical_min_v{};
  double charge_temperature_min_c{0.0};
  double charge_temperature_max_c{45.0};
  double discharge_temperature_min_c{-20.0};
  double discharge_temperature_max_c{60.0};
  /// Charge taper: x = cell voltage − effective cell max (V, ≤ 0).
  config::Breakpoints charge_taper_rel_max;
  /// Discharge taper: x = cell voltage − effective practical min (V, ≥ 0).
  config::Breakpoints discharge_taper_rel_min;
  config::Breakpoints charge_temperature_c;
  config::Breakpoints discharge_temperature_c;
  /// Open-circuit voltage of one cell at rest: (V, SOC %), for the SOC cross-check.
  config::Breakpoints ocv_soc_pct;
};

/// The defaults of one chemistry. Never throws.
const ChemistryDefaults& chemistry_defaults(config::Chemistry c) noexcept;

}  // namespace bessd::limits
