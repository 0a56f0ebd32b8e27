#include <bessd/storage/history.hpp>
#include <bessd/storage/telemetry_sample.hpp>

namespace bessd::storage {

// Order is the on-disk order (value_codec.hpp): append only.
const std::array<TelemetryFieldInfo, kTelemetryFieldCount> kTelemetryFields{{
    {"pack_voltage_v", &TelemetrySample::pack_voltage_v, 0.01},
    {"pack_current_a", &TelemetrySample::pack_current_a, 0.1},
    {"pack_power_w", &TelemetrySample::pack_power_w, 1.0},
    {"pack_temperature_c", &TelemetrySample::pack_temperature_c, 0.1},
    {"soc_pct", &TelemetrySample::soc_pct, 0.1},
    {"soh_pct", &TelemetrySample::soh_pct, 0.1},
    {"cell_voltage_min_v", &TelemetrySample::cell_voltage_min_v, 0.001},
    {"cell_voltage_max_v", &TelemetrySample::cell_voltage_max_v, 0.001},
    {"cell_temperature_min_c", &TelemetrySample::cell_temperature_min_c, 0.1},
    {"cell_temperature_max_c", &TelemetrySample::cell_temperature_max_c, 0.1},
    {"bms_charge_current_limit_a", &TelemetrySample::bms_charge_current_limit_a, 0.1},
    {"bms_discharge_current_limit_a", &TelemetrySample::bms_discharge_current_limit_a, 0.1},
    {"bms_charge_voltage_limit_v", &TelemetrySample::bms_charge_voltage_limit_v, 0.01},
    {"inverter_battery_power_w", &TelemetrySample::inverter_battery_power_w, 1.0},
    {"grid_power_w", &TelemetrySample::grid_power_w, 1.0},
    {"pv_power_w", &TelemetrySample::pv_power_w, 1.0},
    {"ac_power_w", &TelemetrySample::ac_power_w, 1.0},
    {"setpoint_readback_w", &TelemetrySample::setpoint_readback_w, 1.0},
    {"charge_power_max_w", &TelemetrySample::charge_power_max_w, 1.0},
    {"discharge_power_max_w", &TelemetrySample::discharge_power_max_w, 1.0},
    {"charge_current_max_a", &TelemetrySample::charge_current_max_a, 0.1},
    {"discharge_current_max_a", &TelemetrySample::discharge_current_max_a, 0.1},
    {"charge_voltage_max_v", &TelemetrySample::charge_voltage_max_v, 0.01},
    {"command_power_w", &TelemetrySample::command_power_w, 1.0},
    {"cell_voltage_estimated_v", &TelemetrySample::cell_voltage_estimated_v, 0.001},
}};

std::optional<std::size_t> telemetry_field_index(std::string_view name) {
  for (std::size_t i = 0; i < kTelemetryFields.size(); ++i) {
    if (kTelemetryFields[i].name == name) return i;
  }
  return std::nullopt;
}

TelemetrySample make_telemetry_sample(WallTime at, const core::PackState& pack,
                                      const core::InverterState& inverter,
                                      const core::Envelope& envelope,
                                      const core::InverterCommand& command,
                                      std::string controller_state, std::string controller_mode) {
  TelemetrySample s;
  s.at = at;
  s.pack_voltage_v = pack.voltage_v;
  s.pack_current_a = pack.current_a;
  s.pack_power_w = pack.power_w();
  s.pack_temperature_c = pack.temperature_c;
  s.soc_pct = pack.soc_pct;
  s.soh_pct = pack.soh_pct;
  s.cell_voltage_min_v = pack.cell_voltage_min_v;
  s.cell_voltage_max_v = pack.cell_voltage_max_v;
  s.cell_temperature_min_c = pack.cell_temperature_min_c;
  s.cell_temperature_max_c = pack.cell_temperature_max_c;
  s.bms_charge_current_limit_a = pack.limits.charge_current_limit_a;
  s.bms_discharge_current_limit_a = pack.limits.discharge_current_limit_a;
  s.bms_charge_voltage_limit_v = pack.limits.charge_voltage_limit_v;
  s.inverter_battery_power_w = inverter.battery_power_w;
  s.grid_power_w = inverter.grid_power_w;
  s.pv_power_w = inverter.pv_power_w;
  s.ac_power_w = inverter.ac_power_w;
  s.setpoint_readback_w = inverter.setpoint_readback_w;
  s.charge_power_max_w = envelope.charge_power_max_w.value;
  s.discharge_power_max_w = envelope.discharge_power_max_w.value;
  s.charge_current_max_a = envelope.charge_current_max_a.value;
  s.discharge_current_max_a = envelope.discharge_current_max_a.value;
  s.charge_voltage_max_v = envelope.charge_voltage_max_v.value;
  if (command.kind == core::CommandKind::set_power) s.command_power_w = command.battery_power_w;
  if (command.kind == core::CommandKind::safe_state) s.command_power_w = 0.0;
  s.controller_state = std::move(controller_state);
  s.controller_mode = std::move(controller_mode);
  return s;
}

std::string_view to_string(Resolution r) noexcept {
  return enum_name(kResolutionNames, r);
}

std::optional<Resolution> parse_resolution(std::string_view text) {
  return enum_from_name(kResolutionNames, text);
}

}  // namespace bessd::storage
