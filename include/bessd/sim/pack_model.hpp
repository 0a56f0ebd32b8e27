#pragma once
// Physics of a simulated battery pack: N series cells with small spreads in capacity, initial SOC
// and resistance; an open-circuit-voltage curve per chemistry; ohmic drop; a one-node thermal
// model towards ambient. Pure and deterministic (seeded); time advances only through step().
// Sign: current positive when charging.

#include <cstdint>
#include <vector>

#include <bessd/config/battery_config.hpp>

namespace bessd::sim {

struct PackParams {
  config::Chemistry chemistry{config::Chemistry::LFP};
  int series_cells{16};
  double capacity_ah{100.0};  // nominal, new
  double soh_pct{100.0};      // usable capacity = nominal × SOH
  double cell_resistance_ohm{0.0008};
  double initial_soc_pct{50.0};
  double ambient_c{20.0};
  double heat_capacity_j_per_k{40'000.0};
  double cooling_w_per_k{4.0};
  double capacity_spread_pct{1.0};  // ± spread across cells
  double soc_spread_pct{0.5};
  std::uint32_t seed{1};
};

struct CellState {
  double soc_pct{0.0};
  double capacity_ah{0.0};
  double resistance_ohm{0.0};
  double voltage_v{0.0};
};

class PackModel {
 public:
  explicit PackModel(const PackParams& params);

  /// Applies `current_a` (+ = charging) for `dt_s` seconds. The current a real pack would let
  /// through is the caller's business (the BMS and inverter models limit it).
  void step(double current_a, double dt_s);

  double voltage_v() const;
  double current_a() const { return current_a_; }
  double soc_pct() const;
  double soh_pct() const { return params_.soh_pct; }
  double temperature_c() const { return temperature_c_; }
  double cell_voltage_min_v() const;
  double cell_voltage_max_v() const;
  /// Cell temperatures: the pack node ± a fixed gradient (sensors are not all equally warm).
  double cell_temperature_min_c() const { return temperature_c_ - 0.8; }
  double cell_temperature_max_c() const { return temperature_c_ + 0.7; }
  double capacity_ah() const { return params_.capacity_ah * params_.soh_pct / 100.0; }
  const std::vector<CellState>& cells() const { return cells_; }
  const PackParams& params() const { return params_; }

  void set_ambient_c(double c) { params_.ambient_c = c; }
  /// Scenario hooks: force a temperature or a cell voltage offset (fault injection).
  void set_temperature_c(double c) { temperature_c_ = c; }
  void set_cell_soc_pct(std::size_t cell, double soc) {
    cells_.at(cell).soc_pct = soc;
    refresh();
  }

 private:
  void refresh();

  PackParams params_;
  std::vector<CellState> cells_;
  double current_a_{0.0};
  double temperature_c_{20.0};
};

/// Open-circuit voltage of one cell at `soc_pct` for the chemistry (piecewise linear table).
double open_circuit_voltage_v(config::Chemistry chemistry, double soc_pct);

}  // namespace bessd::sim
