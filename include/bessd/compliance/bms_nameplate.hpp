#pragma once
// The nameplate energy the BMS reports, for BAT-CAP-01 and PAS-ENE-01 (docs/compliance.md).
// Pylontech-style BMSs report the installed capacity in Ah, not an energy: it becomes kWh with
// the pack's nominal voltage (configured, or series cells × the chemistry's nominal cell voltage,
// or, as a last resort, the measured pack voltage). Pure; no I/O.

#include <optional>
#include <string>

#include <bessd/config/battery_config.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::compliance {

struct BmsNameplate {
  double energy_kwh{0.0};
  double capacity_ah{0.0};
  double nominal_voltage_v{0.0};
  std::string voltage_basis;  // where nominal_voltage_v came from, for the log and the report
  bool from_measured_voltage{false};  // moves with the state of charge
  friend bool operator==(const BmsNameplate&, const BmsNameplate&) = default;
};

/// The BMS nameplate of `pack`, or nullopt while the BMS has reported no (non-zero) capacity or
/// no voltage is known to convert it.
std::optional<BmsNameplate> bms_nameplate(const config::BatteryConfig& battery,
                                          const core::PackState& pack);

/// True when `next` should trigger a new compliance check after `evaluated` (what the last check
/// used): first report, gone, or a change of more than `relative_change` (default 2 %; a value
/// based on the measured voltage moves with the state of charge and must not re-check every frame).
bool nameplate_changed(const std::optional<BmsNameplate>& evaluated,
                       const std::optional<BmsNameplate>& next, double relative_change = 0.02);

}  // namespace bessd::compliance
