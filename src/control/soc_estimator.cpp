#include <algorithm>
#include <cmath>
#include <cstdio>

#include <bessd/control/soc_estimator.hpp>
#include <bessd/limits/breakpoints.hpp>

namespace bessd::control {
namespace {

// Local slope of the OCV curve (V per SOC %) around `soc`; 0 when unknown.
double ocv_slope_v_per_pct(const config::Breakpoints& curve, double cell_v) {
  for (std::size_t i = 1; i < curve.size(); ++i) {
    if (cell_v <= curve[i].first || i + 1 == curve.size()) {
      const double dv = curve[i].first - curve[i - 1].first;
      const double dsoc = curve[i].second - curve[i - 1].second;
      return dsoc > 0.0 ? dv / dsoc : 0.0;
    }
  }
  return 0.0;
}

std::string fmt_soc(const char* what, double bms, double est, double margin) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%s: the BMS reports %.1f %% state of charge, bessd's own estimate is %.1f %% "
                "(margin %.0f points).",
                what, bms, est, margin);
  return buf;
}

}  // namespace

std::vector<core::Event> SocEstimator::update(const core::PackState& pack, TimePoint now) {
  std::vector<core::Event> events;
  if (!pack.measured_at || !pack.current_a || !pack.soc_pct) return events;
  if (last_sample_at_ && *pack.measured_at == *last_sample_at_) return events;  // same sample
  const double bms = *pack.soc_pct;
  estimate_.bms_pct = bms;
  std::optional<double> capacity = settings_.capacity_ah ? settings_.capacity_ah : pack.capacity_ah;
  if (capacity && pack.soh_pct && *pack.soh_pct > 0.0) *capacity *= *pack.soh_pct / 100.0;

  const double current = *pack.current_a;
  const bool gap = !last_sample_at_ || *pack.measured_at < *last_sample_at_ ||
                   *pack.measured_at - *last_sample_at_ > settings_.max_sample_gap;
  if (!estimate_.estimate_pct || gap || !capacity || *capacity <= 0.0) {
    estimate_.estimate_pct = bms;  // (re-)anchor: nothing to integrate across
    estimate_.last_correction_by_ocv = false;
  } else {
    const double dt_h = to_seconds(*pack.measured_at - *last_sample_at_) / 3600.0;
    *estimate_.estimate_pct += current * dt_h / *capacity * 100.0;
    *estimate_.estimate_pct = std::clamp(*estimate_.estimate_pct, 0.0, 100.0);
  }
  // OCV correction after a rest long enough for the voltage to relax.
  if (std::abs(current) < settings_.rest_current_a) {
    if (!rest_since_) rest_since_ = *pack.measured_at;
  } else {
    rest_since_.reset();
  }
  if (rest_since_ && *pack.measured_at - *rest_since_ >= settings_.rest_time &&
      pack.cell_voltage_min_v && pack.cell_voltage_max_v && !settings_.ocv_soc_pct.empty()) {
    const double cell_v = (*pack.cell_voltage_min_v + *pack.cell_voltage_max_v) / 2.0;
    if (ocv_slope_v_per_pct(settings_.ocv_soc_pct, cell_v) >= settings_.min_ocv_slope_v_per_pct) {
      estimate_.estimate_pct = limits::interpolate(settings_.ocv_soc_pct, cell_v);
      estimate_.last_correction_by_ocv = true;
    }
  }
  last_sample_at_ = *pack.measured_at;

  const double diff = std::abs(bms - *estimate_.estimate_pct);
  const double margin = settings_.divergence_pct;
  if (!estimate_.diverged && diff > margin) {
    estimate_.diverged = true;
    events.push_back(
        core::Event{now,
                    core::Severity::warning,
                    core::EventEdge::raised,
                    "control",
                    "SOC-XCHK",
                    fmt_soc("State of charge disagrees", bms, *estimate_.estimate_pct, margin),
                    {}});
  } else if (estimate_.diverged && diff < margin - 2.0) {
    estimate_.diverged = false;
    events.push_back(
        core::Event{now,
                    core::Severity::info,
                    core::EventEdge::cleared,
                    "control",
                    "SOC-XCHK",
                    fmt_soc("State of charge agrees again", bms, *estimate_.estimate_pct, margin),
                    {}});
  }
  return events;
}

}  // namespace bessd::control
