#pragma once
// SOC cross-check: an independent state-of-charge estimate by coulomb counting the measured
// current, corrected at rest by the chemistry's open-circuit-voltage curve, compared with the
// BMS's SOC. Raises event "SOC-XCHK" when they diverge by more than the margin (default 10
// points), clears it below margin − 2 points. Pure; one owner; never throws.

#include <optional>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/config/limits_config.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::control {

struct SocEstimatorSettings {
  config::Breakpoints ocv_soc_pct;    // cell rest voltage (V) -> SOC (%)
  std::optional<double> capacity_ah;  // configured; else the BMS's reported capacity
  double divergence_pct{10.0};
  double rest_current_a{1.0};  // |I| below this counts as rest
  Duration rest_time{std::chrono::minutes{20}};
  /// The OCV curve corrects only where it is steep enough to resolve SOC (LFP's plateau is not).
  double min_ocv_slope_v_per_pct{0.002};
  /// A gap between current samples longer than this cannot be integrated: re-anchor to the BMS.
  Duration max_sample_gap{std::chrono::seconds{10}};
};

struct SocEstimate {
  std::optional<double> estimate_pct;
  std::optional<double> bms_pct;
  bool diverged{false};
  bool last_correction_by_ocv{false};
};

class SocEstimator {
 public:
  explicit SocEstimator(SocEstimatorSettings settings) : settings_(std::move(settings)) {}

  /// Feed the latest pack state (a sample is used once, keyed by its measured_at).
  std::vector<core::Event> update(const core::PackState& pack, TimePoint now);
  const SocEstimate& estimate() const noexcept { return estimate_; }

 private:
  SocEstimatorSettings settings_;
  SocEstimate estimate_;
  std::optional<TimePoint> last_sample_at_;
  std::optional<TimePoint> rest_since_;
};

}  // namespace bessd::control
