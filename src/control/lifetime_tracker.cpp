#include <algorithm>
#include <cmath>

#include <bessd/control/lifetime_tracker.hpp>

namespace bessd::control {

std::string_view to_string(Provenance p) noexcept {
  return enum_name(kProvenanceNames, p);
}

void LifetimeTracker::update(const core::PackState& pack) {
  if (pack.soh_pct) soh_pct_ = pack.soh_pct;
  if (pack.capacity_ah) bms_capacity_ah_ = pack.capacity_ah;
  if (pack.energy_charged_kwh) bms_energy_charged_kwh_ = pack.energy_charged_kwh;
  if (pack.energy_discharged_kwh) bms_energy_discharged_kwh_ = pack.energy_discharged_kwh;
  if (pack.soc_pct) {
    soc_pct_ = pack.soc_pct;
    if (!counters_.first_soc_pct) counters_.first_soc_pct = pack.soc_pct;
    // Deep discharges: counted on the falling edge, re-armed after a real recharge.
    if (counters_.deep_discharge_armed && *pack.soc_pct <= settings_.deep_discharge_soc_pct) {
      ++counters_.deep_discharge_count;
      counters_.deep_discharge_armed = false;
    } else if (!counters_.deep_discharge_armed &&
               *pack.soc_pct >= settings_.deep_discharge_rearm_soc_pct) {
      counters_.deep_discharge_armed = true;
    }
  }
  if (!pack.measured_at || !pack.voltage_v || !pack.current_a) return;
  if (last_ && *pack.measured_at <= last_->at) return;  // same or older sample
  const Sample now{*pack.measured_at, *pack.voltage_v, *pack.current_a};
  mean_voltage_v_ =
      mean_voltage_v_ == 0.0 ? now.voltage_v : 0.999 * mean_voltage_v_ + 0.001 * now.voltage_v;
  if (last_ && now.at - last_->at <= settings_.max_sample_gap) {
    const double dt_s = to_seconds(now.at - last_->at);
    const double dt_h = dt_s / 3600.0;
    // Trapezoid over the interval.
    const double i_avg = (now.current_a + last_->current_a) / 2.0;
    const double p_avg =
        (now.current_a * now.voltage_v + last_->current_a * last_->voltage_v) / 2.0;
    if (i_avg > 0.0) {
      counters_.capacity_charged_ah += i_avg * dt_h;
      counters_.energy_charged_kwh += p_avg * dt_h / 1000.0;
    } else {
      counters_.capacity_discharged_ah += -i_avg * dt_h;
      counters_.energy_discharged_kwh += -p_avg * dt_h / 1000.0;
    }
    const bool extreme =
        (pack.cell_temperature_min_c && *pack.cell_temperature_min_c < settings_.extreme_low_c) ||
        (pack.cell_temperature_max_c && *pack.cell_temperature_max_c > settings_.extreme_high_c);
    if (extreme) {
      counters_.time_in_extreme_temperature_s += dt_s;
      if (i_avg > settings_.charging_current_a)
        counters_.time_charging_in_extreme_temperature_s += dt_s;
    }
    // Ohmic resistance from a current step: V = OCV + I·R (I + = charging) so R = ΔV/ΔI.
    const double di = now.current_a - last_->current_a;
    if (std::abs(di) >= settings_.resistance_min_step_a &&
        now.at - last_->at <= settings_.resistance_max_interval) {
      const double r = (now.voltage_v - last_->voltage_v) / di;
      if (r > 0.0 && r < 10.0) {  // physically plausible only
        const double w = settings_.resistance_average_weight;
        counters_.ohmic_resistance_ohm = counters_.ohmic_resistance_ohm
                                             ? (1.0 - w) * *counters_.ohmic_resistance_ohm + w * r
                                             : r;
      }
    }
  }
  last_ = now;
}

LifetimeData LifetimeTracker::data() const {
  LifetimeData d;
  const auto derived = [](std::optional<double> v) { return HealthValue{v, Provenance::derived}; };
  const auto bms = [](std::optional<double> v) {
    return HealthValue{v, Provenance::reported_by_bms};
  };
  d.soh_pct = bms(soh_pct_);
  const std::optional<double> capacity =
      settings_.capacity_ah ? settings_.capacity_ah : bms_capacity_ah_;
  if (capacity && soh_pct_) d.remaining_capacity_ah = derived(*capacity * *soh_pct_ / 100.0);
  d.energy_charged_kwh = bms_energy_charged_kwh_ ? bms(bms_energy_charged_kwh_)
                                                 : derived(counters_.energy_charged_kwh);
  d.energy_discharged_kwh = bms_energy_discharged_kwh_ ? bms(bms_energy_discharged_kwh_)
                                                       : derived(counters_.energy_discharged_kwh);
  d.capacity_charged_ah = derived(counters_.capacity_charged_ah);
  d.capacity_discharged_ah = derived(counters_.capacity_discharged_ah);
  if (capacity && *capacity > 0.0) {
    const double usable = *capacity * (soh_pct_ ? *soh_pct_ / 100.0 : 1.0);
    d.full_equivalent_cycles = derived(counters_.capacity_discharged_ah / usable);
    // Round-trip efficiency over everything counted so far, corrected for the energy that is
    // still stored (SOC change since counting began).
    if (counters_.capacity_discharged_ah >= usable && soc_pct_ && counters_.first_soc_pct) {
      const double stored_kwh =
          (*soc_pct_ - *counters_.first_soc_pct) / 100.0 * usable * mean_voltage_v_ / 1000.0;
      const double in_kwh = counters_.energy_charged_kwh - stored_kwh;
      if (in_kwh > 0.0)
        d.round_trip_efficiency_pct =
            derived(std::clamp(counters_.energy_discharged_kwh / in_kwh * 100.0, 0.0, 100.0));
    }
  }
  d.deep_discharge_count = derived(static_cast<double>(counters_.deep_discharge_count));
  d.time_in_extreme_temperature_s = derived(counters_.time_in_extreme_temperature_s);
  d.time_charging_in_extreme_temperature_s =
      derived(counters_.time_charging_in_extreme_temperature_s);
  if (counters_.ohmic_resistance_ohm)
    d.ohmic_resistance_mohm = derived(*counters_.ohmic_resistance_ohm * 1000.0);
  return d;
}

}  // namespace bessd::control
