#pragma once
// LimitsEngine: every control cycle, the operating envelope (standards.md §4.2) from live
// telemetry. Pure: no I/O, time comes in as an argument. Holds the state the rules need across
// cycles (OP-HYST-01 hold timers, OP-I-01/02 over-current timers, which rules are active so that
// events are emitted on edges only). Not thread-safe: one owner (the control loop) calls it.
//
// Rule evaluation: for each direction, every rule offers a bound with its cause; the lowest
// bound wins (on a tie the earlier, more severe rule keeps the cause). Zero-blocks come first
// (stale data, faults, fire alarm, compliance, BMS flags, cell window, temperature window,
// over-current, SOC), then the rating bounds (BMS CCL/DCL, configured pack limits), then the
// factors (taper, temperature table, second-life k, cell spread, SOC soft band, over-current
// derate) applied to the direction's base current (the smaller of the BMS limit and the pack
// rating). Power bounds: current bound × pack voltage, configured power, inverter rating and
// the site's grid import/export headroom.

#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/limits/limits_input.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::limits {

/// Safety findings the controller turns into faults / safe state (control's fault catalog).
struct LimitsFindings {
  bool bms_stale{false};        // some required data older than stale_after (power is zero)
  bool bms_lost{false};         // COM-01: older than lost_after or never seen: safe state
  bool protection_flag{false};  // OP-FLAG-01: a BMS protection (alarm) item is active
  std::string protection_detail;
  bool cell_voltage_out_of_window{false};      // OP-V-01 or OP-V-03
  bool cell_temperature_out_of_window{false};  // OP-T-04: outside even the discharge window
  bool over_current_block{false};              // OP-I-01/02 escalated: inverter not obeying
  bool cell_spread_warning{false};             // OP-DV-01 above the warning level
  bool fire_alarm{false};                      // ALM-01
  bool compliance_block{false};
  friend bool operator==(const LimitsFindings&, const LimitsFindings&) = default;
};

struct LimitsResult {
  core::Envelope envelope;
  std::vector<core::Event> events;  // raised / cleared edges of rules (source "limits")
  LimitsFindings findings;
  /// Rule ids that constrain this cycle (blocks and derates), for the API.
  std::vector<std::string> active_rules;
};

class LimitsEngine {
 public:
  explicit LimitsEngine(LimitsSettings settings);

  /// Compute the envelope for `now`. Never throws on any input (absent values are "missing
  /// data"). `now` must not go backwards (steady clock).
  LimitsResult compute(const LimitsInput& input, TimePoint now);

  const LimitsSettings& settings() const noexcept { return settings_; }

 private:
  struct HysteresisState {
    bool held{false};
    std::optional<TimePoint> above_since;
    double max_seen{0.0};
    core::Cause held_cause;
  };
  struct OverCurrentState {
    std::optional<TimePoint> over_since;
  };
  struct ActiveRule {
    std::string id;
    std::string sentence;
    core::Severity severity;
  };

  core::Bound apply_hysteresis(HysteresisState& h, core::Bound raw, double reference_max,
                               TimePoint now, const char* direction) const;

  LimitsSettings settings_;
  HysteresisState hyst_charge_current_;
  HysteresisState hyst_discharge_current_;
  HysteresisState hyst_charge_power_;
  HysteresisState hyst_discharge_power_;
  OverCurrentState oc_charge_;
  OverCurrentState oc_discharge_;
  double last_charge_current_limit_a_{0.0};
  double last_discharge_current_limit_a_{0.0};
  bool have_last_limits_{false};
  std::vector<ActiveRule> active_;  // previous cycle's active rules (for edges)
};

}  // namespace bessd::limits
