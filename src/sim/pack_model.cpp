#include <bessd/sim/pack_model.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <utility>

namespace bessd::sim {

namespace {

using Table = std::vector<std::pair<double, double>>;  // (SOC %, OCV V)

// Typical cell OCV curves. LFP is flat in the middle (why BMS SOC drifts and needs calibration
// at the ends); NMC-family curves slope throughout.
const Table& ocv_table(config::Chemistry c) {
  static const Table lfp{{0, 2.50},  {2, 2.90},  {5, 3.10},  {10, 3.20}, {20, 3.25}, {40, 3.29},
                         {60, 3.31}, {80, 3.33}, {90, 3.35}, {95, 3.38}, {98, 3.45}, {100, 3.55}};
  static const Table nmc{{0, 3.00},  {5, 3.30},  {10, 3.45}, {20, 3.55}, {40, 3.68},
                         {60, 3.83}, {80, 3.98}, {90, 4.07}, {100, 4.18}};
  static const Table lihv{{0, 3.00},  {5, 3.35},  {10, 3.50}, {20, 3.62}, {40, 3.76},
                          {60, 3.92}, {80, 4.10}, {90, 4.22}, {100, 4.33}};
  switch (c) {
    case config::Chemistry::LFP:
      return lfp;
    case config::Chemistry::NMC:
    case config::Chemistry::NCA:
    case config::Chemistry::LiPo:
      return nmc;
    case config::Chemistry::LiHV:
      return lihv;
  }
  return lfp;
}

}  // namespace

double open_circuit_voltage_v(config::Chemistry chemistry, double soc_pct) {
  const Table& t = ocv_table(chemistry);
  if (soc_pct <= t.front().first) return t.front().second;
  if (soc_pct >= t.back().first) return t.back().second;
  for (std::size_t i = 1; i < t.size(); ++i) {
    if (soc_pct <= t[i].first) {
      const auto [x0, y0] = t[i - 1];
      const auto [x1, y1] = t[i];
      return y0 + (y1 - y0) * (soc_pct - x0) / (x1 - x0);
    }
  }
  return t.back().second;
}

PackModel::PackModel(const PackParams& params) : params_(params), temperature_c_(params.ambient_c) {
  std::mt19937 rng(params.seed);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  const double usable_ah = capacity_ah();
  cells_.resize(static_cast<std::size_t>(std::max(1, params.series_cells)));
  for (auto& cell : cells_) {
    cell.capacity_ah = usable_ah * (1.0 + unit(rng) * params.capacity_spread_pct / 100.0);
    cell.soc_pct =
        std::clamp(params.initial_soc_pct + unit(rng) * params.soc_spread_pct, 0.0, 100.0);
    cell.resistance_ohm = params.cell_resistance_ohm * (1.0 + 0.05 * unit(rng));
  }
  refresh();
}

void PackModel::step(double current_a, double dt_s) {
  current_a_ = current_a;
  double heat_w = 0.0;
  for (auto& cell : cells_) {
    // Coulombic efficiency below 1 when charging: some charge ends up as heat.
    const double efficiency = current_a > 0 ? 0.995 : 1.0;
    cell.soc_pct += 100.0 * efficiency * current_a * dt_s / 3600.0 / cell.capacity_ah;
    cell.soc_pct = std::clamp(cell.soc_pct, 0.0, 100.0);
    heat_w += current_a * current_a * cell.resistance_ohm;
  }
  const double cooling_w = params_.cooling_w_per_k * (temperature_c_ - params_.ambient_c);
  temperature_c_ += (heat_w - cooling_w) * dt_s / params_.heat_capacity_j_per_k;
  refresh();
}

void PackModel::refresh() {
  // Cell resistance rises in the cold (roughly doubling by 0 °C).
  const double cold_factor = 1.0 + std::max(0.0, 20.0 - temperature_c_) / 20.0;
  for (auto& cell : cells_) {
    cell.voltage_v = open_circuit_voltage_v(params_.chemistry, cell.soc_pct) +
                     current_a_ * cell.resistance_ohm * cold_factor;
  }
}

double PackModel::voltage_v() const {
  double v = 0.0;
  for (const auto& cell : cells_) v += cell.voltage_v;
  return v;
}

double PackModel::soc_pct() const {
  // The pack's SOC as a BMS reports it: charge-weighted mean of the cells.
  double charge = 0.0;
  double capacity = 0.0;
  for (const auto& cell : cells_) {
    charge += cell.soc_pct * cell.capacity_ah;
    capacity += cell.capacity_ah;
  }
  return capacity > 0 ? std::clamp(charge / capacity, 0.0, 100.0) : 0.0;
}

double PackModel::cell_voltage_min_v() const {
  return std::min_element(cells_.begin(), cells_.end(),
                          [](const auto& a, const auto& b) { return a.voltage_v < b.voltage_v; })
      ->voltage_v;
}

double PackModel::cell_voltage_max_v() const {
  return std::max_element(cells_.begin(), cells_.end(),
                          [](const auto& a, const auto& b) { return a.voltage_v < b.voltage_v; })
      ->voltage_v;
}

}  // namespace bessd::sim
