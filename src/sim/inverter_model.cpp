#include <bessd/sim/inverter_model.hpp>

#include <algorithm>

namespace bessd::sim {

void InverterModel::command(double battery_power_w, double now_s) {
  // An inverter that ignores commands still stores the register (so read-back matches), but
  // keeps running its own mode: the case bessd's "obeys" check exists for.
  setpoint_w_ = battery_power_w;
  last_command_s_ = now_s;
  if (!ignore_commands_) mode_ = InverterMode::remote;
}

void InverterModel::restart() {
  mode_ = InverterMode::self_use;
  setpoint_w_ = 0.0;
  battery_power_w_ = 0.0;
}

double InverterModel::step(const InverterInputs& in, double now_s, double dt_s) {
  if (mode_ == InverterMode::remote && now_s - last_command_s_ > params_.revert_timeout_s) {
    mode_ = InverterMode::self_use;
  }
  double target = 0.0;
  if (mode_ == InverterMode::remote) {
    target = setpoint_w_;
  } else {
    // Self-use: charge from surplus PV, discharge to cover the load.
    target = in.pv_w - in.load_w;
  }
  const double v = std::max(in.pack_voltage_v, 1.0);
  target = std::clamp(target, -params_.rated_power_w, params_.rated_power_w);
  target = std::clamp(target, -in.discharge_current_limit_a * v, in.charge_current_limit_a * v);
  const double max_step = params_.ramp_w_per_s * dt_s;
  battery_power_w_ += std::clamp(target - battery_power_w_, -max_step, max_step);
  // AC side: PV is DC-coupled; what the battery takes is not exported, and losses go both ways.
  const double battery_ac_w = battery_power_w_ > 0 ? battery_power_w_ / params_.efficiency
                                                   : battery_power_w_ * params_.efficiency;
  ac_power_w_ = in.pv_w - battery_ac_w;
  grid_power_w_ = in.load_w - ac_power_w_;
  return battery_power_w_;
}

double InverterModel::battery_current_a(double pack_voltage_v) const {
  return pack_voltage_v > 1.0 ? battery_power_w_ / pack_voltage_v : 0.0;
}

}  // namespace bessd::sim
