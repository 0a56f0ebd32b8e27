#pragma once
// A hybrid (PV + battery) inverter as bessd sees it from the meter and its registers. Remote
// control holds a battery power setpoint; without a fresh write for `revert_timeout_s` it falls
// back to its own self-use mode (SunSpec model 124 InOutWRte_RvrtTms behaviour). It obeys its
// rating, the BMS's current limits and a ramp rate. Scenario hooks: ignore commands, restart
// (loses the setpoint). Pure; time advances through step(). Signs: battery + = charging,
// grid + = import.

namespace bessd::sim {

struct InverterParams {
  double rated_power_w{5000.0};
  double ramp_w_per_s{2500.0};
  double revert_timeout_s{120.0};
  double efficiency{0.96};  // battery-side conversion losses (charging and discharging)
};

enum class InverterMode { self_use, remote };

struct InverterInputs {
  double load_w{0.0};
  double pv_w{0.0};
  double pack_voltage_v{50.0};
  double charge_current_limit_a{0.0};  // from the BMS
  double discharge_current_limit_a{0.0};
};

class InverterModel {
 public:
  explicit InverterModel(const InverterParams& params) : params_(params) {}

  /// A remote setpoint write (+ = charge), at simulated time `now_s`.
  void command(double battery_power_w, double now_s);
  /// Advances to `now_s` by `dt_s`; returns the battery power actually flowing.
  double step(const InverterInputs& in, double now_s, double dt_s);

  double battery_power_w() const { return battery_power_w_; }
  double battery_current_a(double pack_voltage_v) const;
  double grid_power_w() const { return grid_power_w_; }
  double ac_power_w() const { return ac_power_w_; }
  double setpoint_w() const { return setpoint_w_; }
  InverterMode mode() const { return mode_; }
  const InverterParams& params() const { return params_; }

  /// An inverter switched to local control: it keeps storing setpoints (read-back matches) but
  /// runs its own self-use from now on, also when it was under remote control before.
  void set_ignore_commands(bool ignore) {
    ignore_commands_ = ignore;
    if (ignore) mode_ = InverterMode::self_use;
  }
  bool ignores_commands() const { return ignore_commands_; }
  /// Remote control ends (the device's own revert timer fired): back to self-use.
  void release() { mode_ = InverterMode::self_use; }
  /// A power cycle: the setpoint and remote mode are lost.
  void restart();
  void set_revert_timeout_s(double s) { params_.revert_timeout_s = s; }

 private:
  InverterParams params_;
  InverterMode mode_{InverterMode::self_use};
  double setpoint_w_{0.0};
  double last_command_s_{0.0};
  double battery_power_w_{0.0};
  double grid_power_w_{0.0};
  double ac_power_w_{0.0};
  bool ignore_commands_{false};
};

}  // namespace bessd::sim
