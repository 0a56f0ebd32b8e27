#pragma once
// The simulated home: pack + BMS + inverter + house, advanced together. Simulated time runs
// `time_scale` times faster than the caller's clock (a day compressed into minutes when asked).
// Pure: the bess-sim program drives it from its own timer and turns its outputs into CAN frames
// and Modbus registers.

#include <bessd/core/pack_state.hpp>
#include <bessd/sim/bms_model.hpp>
#include <bessd/sim/house_model.hpp>
#include <bessd/sim/inverter_model.hpp>
#include <bessd/sim/pack_model.hpp>

namespace bessd::sim {

struct WorldParams {
  PackParams pack;
  BmsParams bms;
  InverterParams inverter;
  HouseParams house;
  double start_seconds_of_day{12 * 3600.0};
  double time_scale{1.0};
};

/// What the meter and the inverter see, for registers.
struct SiteReadings {
  double load_w{0.0};
  double pv_w{0.0};
  double grid_power_w{0.0};     // + = import
  double battery_power_w{0.0};  // + = charging
  double ac_power_w{0.0};
  double dc_load_w{0.0};  // drawn from the battery bus past the inverter (a DC load)
};

/// The simulated site's own energy, from its true flows at every sub-step (simulated time): what
/// bessd's counters are checked against (docs/simulator.md).
struct SimEnergy {
  double battery_charged_kwh{0.0};  // at the inverter's DC side (+ = charging)
  double battery_discharged_kwh{0.0};
  double grid_import_kwh{0.0};
  double grid_export_kwh{0.0};
  double pv_kwh{0.0};
  double load_kwh{0.0};    // the house's AC load
  double losses_kwh{0.0};  // the inverter's conversion losses of the battery's flow
  void add(const SiteReadings& r, double dt_s);
};

class SimWorld {
 public:
  explicit SimWorld(const WorldParams& params);

  /// Advances by `real_dt_s` of the caller's time (× time_scale, in sub-steps of ≤ 1 s).
  void advance(double real_dt_s);
  /// A remote battery power setpoint (+ = charge) arriving now.
  void command_battery_power(double w) { inverter_.command(w, sim_seconds_); }

  core::PackState bms_report() const { return bms_.report(pack_); }
  SiteReadings readings() const;
  double sim_seconds() const { return sim_seconds_; }
  double seconds_of_day() const;

  PackModel& pack() { return pack_; }
  BmsModel& bms() { return bms_; }
  InverterModel& inverter() { return inverter_; }
  HouseModel& house() { return house_; }
  const PackModel& pack() const { return pack_; }
  const InverterModel& inverter() const { return inverter_; }
  void set_time_scale(double scale) { params_.time_scale = scale; }
  /// A load on the battery's DC bus that the inverter neither sees nor commands (a DC fridge, a
  /// 48 V telecom load): the pack discharges by this much more than the inverter's power.
  void set_dc_load_w(double w) { dc_load_w_ = w; }
  double dc_load_w() const { return dc_load_w_; }
  double time_scale() const { return params_.time_scale; }
  const SimEnergy& energy() const { return energy_; }

 private:
  void sub_step(double dt_s);

  WorldParams params_;
  PackModel pack_;
  BmsModel bms_;
  InverterModel inverter_;
  HouseModel house_;
  double sim_seconds_{0.0};
  double dc_load_w_{0.0};
  SimEnergy energy_;
};

}  // namespace bessd::sim
