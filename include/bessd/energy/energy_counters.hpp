#pragma once
// Energy counters from measured power (docs/architecture.md, `energy`): battery charged /
// discharged, grid import / export, PV and house, in kWh. Each is integrated between consecutive
// samples (the trapezoid), only when both samples have the flow and they are at most `max_gap`
// apart: a gap (a link down, the daemon stopped) is not guessed at, and the time it covers is
// counted as not measured. Every counter only grows (a signed flow feeds two counters), as Home
// Assistant's total_increasing needs. Pure: fed samples, time as an argument.

#include <optional>

#include <bessd/common/clock.hpp>

namespace bessd::energy {

struct PowerSample {
  TimePoint at{};
  std::optional<double> battery_w;  // + = charging
  std::optional<double> grid_w;     // + = import
  std::optional<double> pv_w;       // produced, >= 0
  std::optional<double> house_w;    // used, >= 0
};

struct EnergyTotals {
  double battery_charged_kwh{0.0};
  double battery_discharged_kwh{0.0};
  double grid_import_kwh{0.0};
  double grid_export_kwh{0.0};
  double pv_kwh{0.0};
  double house_kwh{0.0};
  double measured_s{0.0};    // time covered by samples of the battery flow
  double unmeasured_s{0.0};  // time between samples further apart than the gap
  // Time covered by samples of the other flows: a site without a grid meter or a PV reading
  // has none, and shows those totals as unknown, not as 0 kWh.
  double grid_measured_s{0.0};
  double pv_measured_s{0.0};
  double house_measured_s{0.0};
  // Counted, or carried over from totals kept before the time was (an older store).
  bool battery_known() const {
    return measured_s > 0.0 || battery_charged_kwh > 0.0 || battery_discharged_kwh > 0.0;
  }
  bool grid_known() const {
    return grid_measured_s > 0.0 || grid_import_kwh > 0.0 || grid_export_kwh > 0.0;
  }
  bool pv_known() const { return pv_measured_s > 0.0 || pv_kwh > 0.0; }
  bool house_known() const { return house_measured_s > 0.0 || house_kwh > 0.0; }
  friend bool operator==(const EnergyTotals&, const EnergyTotals&) = default;
};

/// Every counter of EnergyTotals, in declaration order (the order of the stored columns too), for
/// arithmetic and storage that treat them alike.
inline constexpr double EnergyTotals::*kTotalsCounters[] = {
    &EnergyTotals::battery_charged_kwh,
    &EnergyTotals::battery_discharged_kwh,
    &EnergyTotals::grid_import_kwh,
    &EnergyTotals::grid_export_kwh,
    &EnergyTotals::pv_kwh,
    &EnergyTotals::house_kwh,
    &EnergyTotals::measured_s,
    &EnergyTotals::unmeasured_s,
    &EnergyTotals::grid_measured_s,
    &EnergyTotals::pv_measured_s,
    &EnergyTotals::house_measured_s,
};

class EnergyCounters {
 public:
  explicit EnergyCounters(Duration max_gap = std::chrono::seconds{10}, EnergyTotals start = {})
      : max_gap_(max_gap), totals_(start) {}

  /// The next sample; one older than the last is ignored (time does not run backwards here).
  void add(const PowerSample& sample);
  const EnergyTotals& totals() const { return totals_; }

 private:
  Duration max_gap_;
  EnergyTotals totals_;
  std::optional<PowerSample> last_;
};

}  // namespace bessd::energy
