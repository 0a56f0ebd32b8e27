#include <bessd/sim/sim_world.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::sim {

SimWorld::SimWorld(const WorldParams& params)
    : params_(params),
      pack_(params.pack),
      bms_(params.bms),
      inverter_(params.inverter),
      house_(params.house),
      sim_seconds_(0.0) {}

double SimWorld::seconds_of_day() const {
  return std::fmod(params_.start_seconds_of_day + sim_seconds_, 86400.0);
}

void SimWorld::advance(double real_dt_s) {
  double remaining = std::max(0.0, real_dt_s) * params_.time_scale;
  while (remaining > 1e-9) {
    const double dt = std::min(remaining, 1.0);
    sub_step(dt);
    remaining -= dt;
  }
}

void SimWorld::sub_step(double dt_s) {
  sim_seconds_ += dt_s;
  const auto report = bms_.report(pack_);
  InverterInputs in;
  in.load_w = house_.load_w(seconds_of_day());
  in.pv_w = house_.pv_w(seconds_of_day());
  in.pack_voltage_v = pack_.voltage_v();
  in.charge_current_limit_a = report.limits.charge_current_limit_a.value_or(0.0);
  in.discharge_current_limit_a = report.limits.discharge_current_limit_a.value_or(0.0);
  inverter_.step(in, sim_seconds_, dt_s);
  const double dc_load_a = pack_.voltage_v() > 0.0 ? dc_load_w_ / pack_.voltage_v() : 0.0;
  pack_.step(inverter_.battery_current_a(pack_.voltage_v()) - dc_load_a, dt_s);
  energy_.add(readings(), dt_s);
}

void SimEnergy::add(const SiteReadings& r, double dt_s) {
  const double h = dt_s / 3600.0 / 1000.0;  // W over dt_s, in kWh
  (r.battery_power_w >= 0.0 ? battery_charged_kwh : battery_discharged_kwh) +=
      std::abs(r.battery_power_w) * h;
  (r.grid_power_w >= 0.0 ? grid_import_kwh : grid_export_kwh) += std::abs(r.grid_power_w) * h;
  pv_kwh += std::max(0.0, r.pv_w) * h;
  load_kwh += std::max(0.0, r.load_w) * h;
  // The AC side balances load = grid + PV - battery_ac; the DC figure differs by the losses.
  losses_kwh += std::abs(r.ac_power_w - (r.pv_w - r.battery_power_w)) * h;
}

SiteReadings SimWorld::readings() const {
  SiteReadings r;
  r.load_w = house_.load_w(seconds_of_day());
  r.pv_w = house_.pv_w(seconds_of_day());
  r.grid_power_w = inverter_.grid_power_w();
  r.battery_power_w = inverter_.battery_power_w();
  r.ac_power_w = inverter_.ac_power_w();
  r.dc_load_w = dc_load_w_;
  return r;
}

}  // namespace bessd::sim
