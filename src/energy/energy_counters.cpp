#include <bessd/energy/energy_counters.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::energy {

namespace {

constexpr double kSecondsPerHour = 3600.0;

// The energy of a flow between two samples, split into its positive and negative parts. A flow
// that changes sign between the samples is split where the straight line crosses zero, so a
// charge followed by a discharge is not netted against it.
void integrate(std::optional<double> a, std::optional<double> b, double dt_s, double& positive_kwh,
               double& negative_kwh) {
  if (!a || !b) return;
  const double p0 = *a;
  const double p1 = *b;
  if ((p0 >= 0.0) == (p1 >= 0.0)) {
    const double wh = (p0 + p1) / 2.0 * dt_s / kSecondsPerHour;
    (wh >= 0.0 ? positive_kwh : negative_kwh) += std::abs(wh) / 1000.0;
    return;
  }
  const double t0 = dt_s * std::abs(p0) / (std::abs(p0) + std::abs(p1));  // time to zero
  const double first = p0 / 2.0 * t0 / kSecondsPerHour / 1000.0;
  const double second = p1 / 2.0 * (dt_s - t0) / kSecondsPerHour / 1000.0;
  for (const double kwh : {first, second})
    (kwh >= 0.0 ? positive_kwh : negative_kwh) += std::abs(kwh);
}

}  // namespace

void EnergyCounters::add(const PowerSample& s) {
  if (last_ && s.at < last_->at) return;
  if (last_) {
    const double dt_s = to_seconds(s.at - last_->at);
    if (s.at - last_->at > max_gap_) {
      totals_.unmeasured_s += dt_s;
    } else {
      auto& t = totals_;
      integrate(last_->battery_w, s.battery_w, dt_s, t.battery_charged_kwh,
                t.battery_discharged_kwh);
      integrate(last_->grid_w, s.grid_w, dt_s, t.grid_import_kwh, t.grid_export_kwh);
      double never = 0.0;  // PV and house have one direction; a negative reading is noise
      integrate(last_->pv_w, s.pv_w, dt_s, t.pv_kwh, never);
      integrate(last_->house_w, s.house_w, dt_s, t.house_kwh, never);
      if (last_->battery_w && s.battery_w) t.measured_s += dt_s;
      if (last_->grid_w && s.grid_w) t.grid_measured_s += dt_s;
      if (last_->pv_w && s.pv_w) t.pv_measured_s += dt_s;
      if (last_->house_w && s.house_w) t.house_measured_s += dt_s;
    }
  }
  last_ = s;
}

}  // namespace bessd::energy
