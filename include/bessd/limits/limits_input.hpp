#pragma once
// Everything the limits engine reads in one cycle. Plain values: the caller (the controller)
// assembles it from the latest BMS and inverter snapshots and from the compliance component's
// verdict, which it takes as plain inputs (limits links compliance only for the chemistry table,
// compliance/chemistry_limits.hpp; it never runs the installation check itself).

#include <optional>
#include <string>
#include <vector>

#include <bessd/core/inverter_state.hpp>
#include <bessd/core/pack_state.hpp>
#include <bessd/limits/owner_soc_settings.hpp>

namespace bessd::limits {

/// The installation verdict (compliance component), as plain data.
struct ComplianceVerdict {
  bool blocked{false};  // a rule blocks power flow (both directions)
  std::string reason;   // for people: "PAS-LOC-01: the battery is in a bedroom."
};

/// SL-DER-01 derating of a second-life pack (compliance component's output).
struct SecondLifeDerate {
  double factor_k{1.0};  // current limits × k, k in [0.5, 1]; values outside are clamped
  /// Narrowed cell window (V); absent = the normal window.
  std::optional<double> cell_voltage_max_v;
  std::optional<double> cell_voltage_min_v;
};

/// A latched or active fault that holds one or both directions at zero (from the controller;
/// the directions come from docs/protection.md through the fault catalog).
struct ActiveFault {
  std::string id;      // fault catalog id ("ALM-01")
  std::string reason;  // sentence for people
  bool blocks_charge{true};
  bool blocks_discharge{true};
};

struct LimitsInput {
  core::PackState pack;
  core::InverterState inverter;
  ComplianceVerdict compliance;
  SecondLifeDerate second_life;
  bool fire_alarm_configured{false};
  bool fire_alarm_active{false};  // ALM-01 input trips (not debounced: one poll that reads the
                                  // active value, or cannot read the input, trips it)
  std::vector<ActiveFault> faults;
  OwnerSocSettings owner;  // the owner's reserve and charge target (OP-SOC-01/02)
};

}  // namespace bessd::limits
