#pragma once
// LimitsEngine: every control cycle, the operating envelope (docs/protection.md) from live
// telemetry. Pure: no I/O, time comes in as an argument. Holds the state the rules need across
// cycles (OP-HYST-01 hold timers, the recovery state of the direction blocks, which rules are
// active so that events are emitted on edges only). Not thread-safe: one owner calls it.
//
// Rule evaluation: for each direction, every rule offers a bound with its cause; the lowest
// bound wins (on a tie the earlier, more severe rule keeps the cause). Each rule family has its
// own file (src/limits/rules_*.cpp) and follows docs/protection.md: a block holds only the
// direction that makes the condition worse. Factors (tapers, temperature tables, second-life k,
// cell spread) scale the pack's rating — the configured current limit, or the largest BMS limit
// seen — and are offered next to the BMS's own limit, so the lower of the two wins (never the
// product). Power bounds: current bound × pack voltage, configured power, inverter rating and
// the site's grid import/export headroom.

#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/limits/limits_input.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::limits {

/// A direction block that is active this cycle (for the controller's repeated-trip count).
struct ActiveBlock {
  std::string id;  // rule id or "FLAG:<bms condition>"
  bool charge{false};
  bool discharge{false};
  friend bool operator==(const ActiveBlock&, const ActiveBlock&) = default;
};

/// Safety findings the controller turns into faults, recovery charges and status.
struct LimitsFindings {
  bool bms_stale{false};        // some required data older than stale_after (power is zero)
  bool bms_lost{false};         // COM-01: older than lost_after or never seen: safe state
  bool protection_flag{false};  // OP-FLAG-01: a BMS protection (alarm) item is active
  std::string protection_detail;
  bool bms_over_temperature{false};  // the BMS's over-temperature protection (BMS-OT latches)
  bool cell_spread_warning{false};   // OP-DV-01 above the warning level
  bool fire_alarm{false};            // ALM-01
  bool compliance_block{false};
  /// No cell extremes from the BMS (no 0x373): the cell values are the pack voltage divided by
  /// the series cells and the pack temperature (docs/protection.md "Packs without cell data").
  bool cell_data_estimated{false};
  std::optional<double> estimated_cell_voltage_v;
  /// The SOC floor (OP-SOC-01) or the BMS's force-charge request asks for a recovery charge.
  bool soc_at_floor{false};
  bool force_charge_requested{false};
  std::vector<ActiveBlock> blocks;  // direction blocks of protections (not SOC, not enables)
  /// What the cells may give, A: the pack's own limits and protections (the BMS's DCL and
  /// flags, the rating, cell voltage, temperature, second life), not the SOC reserve, a fault
  /// or the power bounds. The discharge current guard holds every draw to it, a DC load's too
  /// (docs/protection.md "Discharge current guard"). Absent: nothing known.
  std::optional<double> cells_discharge_current_max_a;
  /// The most the inverter may charge to cover a DC load the cells must not supply, W, while
  /// charging the cells is not allowed or limited: the inverter's rating and the site's import
  /// headroom. Absent: no cover, as charging is blocked for something other than the cells
  /// (a fault, the compliance verdict, the fire alarm, missing data). Infinity: nothing caps it.
  std::optional<double> load_cover_max_w;
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

  /// Take new settings (SIGHUP) and keep every hold timer and recovery state.
  void reconfigure(LimitsSettings settings) { settings_ = std::move(settings); }

  /// Recovery state of the direction blocks with hysteresis (one per rule family).
  struct RuleMemory {
    bool over_voltage{false};           // OP-V-01 until below max - margin
    bool under_voltage{false};          // OP-V-03 until above min + margin
    bool freezing{false};               // OP-T-01 until above 0 °C + hysteresis
    bool charge_temperature{false};     // OP-T-03
    bool discharge_temperature{false};  // OP-T-04
    bool soc_floor{false};              // OP-SOC-01 until above min + hysteresis
    double charge_reference_a{0.0};     // the largest CCL seen (factor reference without rating)
    double discharge_reference_a{0.0};
  };

 private:
  struct HysteresisState {
    bool held{false};
    std::optional<TimePoint> above_since;
    double max_seen{0.0};
    core::Cause held_cause;
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
  RuleMemory memory_;
  std::vector<ActiveRule> active_;  // previous cycle's active rules (for edges)
};

}  // namespace bessd::limits
