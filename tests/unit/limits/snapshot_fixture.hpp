#pragma once
// A healthy LFP snapshot for tests: 16 cells, mid SOC, 25 °C, BMS limits 100 A, all fresh.

#include <bessd/limits/limits_input.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::testing {

inline limits::LimitsInput healthy_snapshot(TimePoint now) {
  limits::LimitsInput in;
  auto& p = in.pack;
  p.voltage_v = 52.0;
  p.current_a = 0.0;
  p.temperature_c = 25.0;
  p.soc_pct = 50.0;
  p.soh_pct = 100.0;
  p.cell_voltage_min_v = 3.20;
  p.cell_voltage_max_v = 3.21;
  p.cell_temperature_min_c = 25.0;
  p.cell_temperature_max_c = 25.0;
  p.limits.charge_current_limit_a = 100.0;
  p.limits.discharge_current_limit_a = 100.0;
  p.limits.charge_voltage_limit_v = 56.8;
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i)
    p.protections.set(static_cast<core::BmsCondition>(i), core::FlagState::ok);
  p.requests.charge_enable = true;
  p.requests.discharge_enable = true;
  p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
  in.inverter.online = true;
  in.inverter.operating = core::InverterOperating::running;
  in.inverter.battery_power_w = 0.0;
  in.inverter.grid_power_w = 0.0;
  in.inverter.read_at = now;
  return in;
}

inline void refresh(limits::LimitsInput& in, TimePoint now) {
  auto& p = in.pack;
  p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
  in.inverter.read_at = now;
}

inline limits::LimitsSettings lfp_settings() {
  limits::LimitsSettings s = limits::LimitsSettings::from_config(config::Config{});
  s.series_cells = 16;
  return s;
}

}  // namespace bessd::testing
