#pragma once
// What a Pylontech-style BMS reports for a PackModel: measurements, cell extremes, and charge /
// discharge limits computed the way real BMSs do (rated current reduced near full, near empty
// and in the cold; zero on protection), alarm and protection flags with thresholds, request flags.
// Scenario hooks force flags for fault injection. Pure.

#include <optional>

#include <bessd/core/pack_state.hpp>
#include <bessd/sim/pack_model.hpp>

namespace bessd::sim {

struct BmsParams {
  double rated_charge_current_a{50.0};
  double rated_discharge_current_a{50.0};
  double cell_charge_voltage_v{3.55};      // CVL per cell
  double cell_discharge_voltage_v{2.90};   // DVL per cell
  double cell_over_voltage_v{3.65};        // protection
  double cell_high_voltage_alarm_v{3.60};  // warning
  double cell_under_voltage_v{2.50};
  double cell_low_voltage_alarm_v{2.80};
  double over_temperature_c{55.0};
  double high_temperature_alarm_c{50.0};
  double charge_min_temperature_c{0.0};
  int modules{3};
  bool v13_frame_set{false};  // Pylontech firmware V1.3 (0x35A/0x35F instead of 0x359/0x35C)
};

struct BmsOverrides {
  bool force_over_temperature{false};
  bool force_cell_over_voltage{false};
  bool force_protection_flag{false};     // BMS internal error protection
  bool force_cell_under_voltage{false};  // cell under-voltage protection (discharging blocked)
  bool force_charge_request{false};      // the force-charge request bit, whatever the SOC
  // The highest cell rests at this voltage (a cell that drifted high): reported in 0x373, and
  // the over-voltage protection follows it as for a measured cell; absent = the model's.
  std::optional<double> cell_voltage_max_v;
  // A current-sensor offset: the BMS reports this much more current than flows (+ = charge).
  double current_offset_a{0.0};
  // A BMS that lowers its charge-voltage limit (0x351), as real ones do when a cell rests high;
  // absent = the model's limit.
  std::optional<double> charge_voltage_limit_v;
};

class BmsModel {
 public:
  explicit BmsModel(const BmsParams& params) : params_(params) {}
  /// The state the BMS would broadcast now (timestamps left empty: the emitter's business).
  core::PackState report(const PackModel& pack) const;
  /// The current the BMS would let through for a requested current (contactor logic: zero when
  /// the direction is blocked; clamps to the limits it advertises).
  double admit_current_a(const PackModel& pack, double requested_a) const;

  BmsOverrides& overrides() { return overrides_; }
  const BmsParams& params() const { return params_; }

 private:
  BmsParams params_;
  BmsOverrides overrides_;
};

}  // namespace bessd::sim
