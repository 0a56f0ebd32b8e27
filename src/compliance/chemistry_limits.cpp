#include <bessd/compliance/chemistry_limits.hpp>

namespace bessd::compliance {

namespace {
// docs/compliance.md BAT-CHEM-01. Charge 0 … 45 °C, discharge −20 … 60 °C for every chemistry.
// The last value is the usual nominal cell voltage of the chemistry (LFP 3.2 V, NMC/NCA 3.6 V,
// LiPo 3.7 V, LiHV 3.8 V).
constexpr ChemistryLimits kLfp{3.65, 2.50, 2.50, 0.0, 45.0, -20.0, 60.0, 3.2};
// NMC/NCA: 2.50 V is the absolute floor; 3.00 V is the practical default floor.
constexpr ChemistryLimits kNmcNca{4.20, 2.50, 3.00, 0.0, 45.0, -20.0, 60.0, 3.6};
constexpr ChemistryLimits kLiPo{4.20, 3.00, 3.00, 0.0, 45.0, -20.0, 60.0, 3.7};
constexpr ChemistryLimits kLiHv{4.35, 3.00, 3.00, 0.0, 45.0, -20.0, 60.0, 3.8};
}  // namespace

const ChemistryLimits& chemistry_limits(config::Chemistry chemistry) noexcept {
  switch (chemistry) {
    case config::Chemistry::LFP:
      return kLfp;
    case config::Chemistry::NMC:
    case config::Chemistry::NCA:
      return kNmcNca;
    case config::Chemistry::LiPo:
      return kLiPo;
    case config::Chemistry::LiHV:
      return kLiHv;
  }
  return kLfp;  // unreachable for a valid enum; LFP has the narrowest voltage window
}

CellLimits effective_cell_limits(const config::BatteryConfig& battery) noexcept {
  const auto& d = chemistry_limits(battery.chemistry);
  return CellLimits{
      battery.cell_voltage_max_v.value_or(d.cell_voltage_max_v),
      battery.cell_voltage_min_v.value_or(d.cell_voltage_min_practical_v),
      battery.charge_temperature_min_c.value_or(d.charge_temperature_min_c),
      battery.charge_temperature_max_c.value_or(d.charge_temperature_max_c),
      battery.discharge_temperature_min_c.value_or(d.discharge_temperature_min_c),
      battery.discharge_temperature_max_c.value_or(d.discharge_temperature_max_c),
  };
}

}  // namespace bessd::compliance
