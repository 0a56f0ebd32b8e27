#pragma once
// State-of-health and lifetime data (docs/api.md, EU 2023/1542 Art. 14 / Annex VII): kept
// per pack, fed with every BMS sample, persisted by the storage component through counters()
// and restored at start-up. Each value says whether the BMS reported it or bessd derived it
// from telemetry. Pure; one owner; never throws.
//
// Derivations ([I], engineering judgement; all thresholds configurable):
//  - energy / capacity throughput: ∫V·I dt and ∫I dt split by sign (BMS counters win when the
//    BMS reports them: 0x378);
//  - full-equivalent cycles: discharged Ah / usable capacity;
//  - deep discharges: SOC falling to ≤ deep_discharge_soc_pct, counted once until SOC is back
//    above deep_discharge_rearm_soc_pct;
//  - time in extreme temperatures: any cell outside [extreme_low_c, extreme_high_c]; time
//    charging there: the same while the current is a charge current;
//  - ohmic resistance: ΔV/ΔI between consecutive samples ≤ resistance_max_interval apart with a
//    current step ≥ resistance_min_step_a (exponential average, pack level);
//  - round-trip efficiency: energy out / (energy in − energy added to storage), the stored energy
//    change estimated from the SOC change; reported after one full-equivalent cycle.
// Self-discharge evolution is not derived: the BMS's own SOC at rest cannot separate it from
// its estimation error; it is stored when a BMS reports it (no current protocol does).

#include <cstdint>
#include <optional>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::control {

enum class Provenance : std::uint8_t { reported_by_bms, derived };
inline constexpr auto kProvenanceNames = std::to_array<EnumName<Provenance>>(
    {{Provenance::reported_by_bms, "reported_by_bms"}, {Provenance::derived, "derived"}});
static_assert(enum_names_complete(kProvenanceNames));
std::string_view to_string(Provenance p) noexcept;

struct HealthValue {
  std::optional<double> value;  // absent = not known (yet)
  Provenance provenance{Provenance::derived};
  friend bool operator==(const HealthValue&, const HealthValue&) = default;
};

struct LifetimeData {
  HealthValue soh_pct;
  HealthValue remaining_capacity_ah;
  HealthValue energy_charged_kwh;
  HealthValue energy_discharged_kwh;
  HealthValue capacity_charged_ah;
  HealthValue capacity_discharged_ah;
  HealthValue full_equivalent_cycles;
  HealthValue deep_discharge_count;
  HealthValue time_in_extreme_temperature_s;
  HealthValue time_charging_in_extreme_temperature_s;
  HealthValue ohmic_resistance_mohm;
  HealthValue round_trip_efficiency_pct;
};

/// What must be persisted to continue after a restart.
struct LifetimeCounters {
  double energy_charged_kwh{0.0};
  double energy_discharged_kwh{0.0};
  double capacity_charged_ah{0.0};
  double capacity_discharged_ah{0.0};
  std::int64_t deep_discharge_count{0};
  bool deep_discharge_armed{true};
  double time_in_extreme_temperature_s{0.0};
  double time_charging_in_extreme_temperature_s{0.0};
  std::optional<double> ohmic_resistance_ohm;
  std::optional<double> first_soc_pct;  // SOC when counting began (round-trip efficiency)
  friend bool operator==(const LifetimeCounters&, const LifetimeCounters&) = default;
};

struct LifetimeSettings {
  std::optional<double> capacity_ah;  // configured; else the BMS's reported capacity
  double deep_discharge_soc_pct{5.0};
  double deep_discharge_rearm_soc_pct{20.0};
  double extreme_low_c{0.0};
  double extreme_high_c{45.0};
  double charging_current_a{0.5};
  double resistance_min_step_a{5.0};
  Duration resistance_max_interval{std::chrono::seconds{2}};
  Duration max_sample_gap{std::chrono::seconds{10}};  // longer gaps are not integrated
  double resistance_average_weight{0.1};
};

class LifetimeTracker {
 public:
  explicit LifetimeTracker(LifetimeSettings settings, LifetimeCounters restored = {})
      : settings_(settings), counters_(restored) {}

  /// Feed one pack snapshot; a sample is used once (keyed by measured_at).
  void update(const core::PackState& pack);

  LifetimeData data() const;
  const LifetimeCounters& counters() const noexcept { return counters_; }

 private:
  struct Sample {
    TimePoint at;
    double voltage_v;
    double current_a;
  };
  LifetimeSettings settings_;
  LifetimeCounters counters_;
  std::optional<Sample> last_;
  // Latest BMS-reported values.
  std::optional<double> soh_pct_;
  std::optional<double> bms_capacity_ah_;
  std::optional<double> bms_energy_charged_kwh_;
  std::optional<double> bms_energy_discharged_kwh_;
  std::optional<double> soc_pct_;
  double mean_voltage_v_{0.0};
};

}  // namespace bessd::control
