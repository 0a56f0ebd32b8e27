#include <bessd/sim/devices/bms_frames.hpp>

#include <algorithm>
#include <cstdint>

#include <bessd/bms/protocols/pylontech_lv_frames.hpp>

namespace bessd::sim {
namespace {

namespace py = bms::pylontech;
using core::BmsCondition;
using core::BmsFlagSet;
using core::FlagState;

bool active(const BmsFlagSet& s, BmsCondition c) {
  return s.get(c) == FlagState::active;
}

// docs/protocols.md "Flags: protections and warnings": byte 0/2 and byte 1/3 share their layouts
// (protection / alarm).
std::uint8_t pylon_byte0(const BmsFlagSet& s) {
  std::uint8_t b = 0;
  if (active(s, BmsCondition::cell_over_voltage)) b |= 0x02;
  if (active(s, BmsCondition::cell_under_voltage)) b |= 0x04;
  if (active(s, BmsCondition::over_temperature) || active(s, BmsCondition::charge_over_temperature))
    b |= 0x08;
  if (active(s, BmsCondition::under_temperature) ||
      active(s, BmsCondition::charge_under_temperature))
    b |= 0x10;
  if (active(s, BmsCondition::discharge_over_current)) b |= 0x80;
  return b;
}

std::uint8_t pylon_byte1(const BmsFlagSet& s) {
  std::uint8_t b = 0;
  if (active(s, BmsCondition::charge_over_current)) b |= 0x01;
  if (active(s, BmsCondition::bms_internal) || active(s, BmsCondition::general) ||
      active(s, BmsCondition::unknown))
    b |= 0x08;
  return b;
}

// docs/protocols.md "Flags: protections and warnings": four 2-bit pairs per byte,
// 0b01 = active, 0b10 = ok.
void sma_pairs(const BmsFlagSet& s, std::uint8_t* bytes) {
  constexpr BmsCondition kMap[4][4] = {
      {BmsCondition::general, BmsCondition::cell_over_voltage, BmsCondition::cell_under_voltage,
       BmsCondition::over_temperature},
      {BmsCondition::under_temperature, BmsCondition::charge_over_temperature,
       BmsCondition::charge_under_temperature, BmsCondition::discharge_over_current},
      {BmsCondition::charge_over_current, BmsCondition::contactor, BmsCondition::short_circuit,
       BmsCondition::bms_internal},
      {BmsCondition::cell_imbalance, BmsCondition::cell_imbalance, BmsCondition::cell_imbalance,
       BmsCondition::cell_imbalance}};
  for (int b = 0; b < 4; ++b) {
    std::uint8_t v = 0;
    const int pairs = b == 3 ? 1 : 4;  // byte 3: pair 0 only, the rest reserved (00)
    for (int p = 0; p < pairs; ++p) {
      const bool on = active(s, kMap[b][p]) ||
                      (kMap[b][p] == BmsCondition::general && active(s, BmsCondition::unknown));
      v = static_cast<std::uint8_t>(v | ((on ? 0b01U : 0b10U) << (2 * p)));
    }
    bytes[b] = v;
  }
}

std::uint16_t u16_of(double v) {
  return static_cast<std::uint16_t>(std::clamp(v, 0.0, 65535.0));
}

}  // namespace

std::vector<can::CanFrame> pylontech_broadcast(const core::PackState& r, PylontechFrameSet set,
                                               bool genuine) {
  std::vector<can::CanFrame> out;
  py::Limits limits;
  limits.charge_voltage_limit_v = r.limits.charge_voltage_limit_v.value_or(0.0);
  limits.charge_current_limit_a = r.limits.charge_current_limit_a.value_or(0.0);
  limits.discharge_current_limit_a = r.limits.discharge_current_limit_a.value_or(0.0);
  limits.discharge_voltage_limit_v = r.limits.discharge_voltage_limit_v;
  out.push_back(py::encode(limits));

  py::ChargeState charge;
  charge.soc_pct = r.soc_pct.value_or(0.0);
  charge.soh_pct = r.soh_pct.value_or(100.0);
  if (set == PylontechFrameSet::v12) {
    out.push_back(py::encode(charge, 4));  // Pylon V1.2 sends DLC 4
  } else {
    charge.soc_hires_pct = r.soc_pct;  // 0.01 % in bytes 4-5
    out.push_back(py::encode(charge, 6));
  }

  py::Measurements m;
  m.voltage_v = r.voltage_v.value_or(0.0);
  m.current_a = r.current_a.value_or(0.0);
  m.temperature_c = r.temperature_c.value_or(0.0);
  out.push_back(py::encode(m));

  if (set == PylontechFrameSet::v12) {
    py::PylonFlags flags;
    flags.protection1 = pylon_byte0(r.protections);
    flags.protection2 = pylon_byte1(r.protections);
    flags.alarm1 = pylon_byte0(r.warnings);
    flags.alarm2 = pylon_byte1(r.warnings);
    flags.module_count = static_cast<std::uint8_t>(r.modules.total.value_or(1));
    out.push_back(py::encode(flags));
    py::Requests req;
    if (r.requests.charge_enable.value_or(false)) req.bits |= py::kReqChargeEnable;
    if (r.requests.discharge_enable.value_or(false)) req.bits |= py::kReqDischargeEnable;
    if (r.requests.force_charge.value_or(false)) req.bits |= py::kReqForceChargeI;
    if (r.requests.full_charge.value_or(false)) req.bits |= py::kReqFullCharge;
    out.push_back(py::encode(req));
  } else {
    py::Alarms alarms;
    sma_pairs(r.protections, alarms.bytes.data());
    sma_pairs(r.warnings, alarms.bytes.data() + 4);
    out.push_back(py::encode(alarms));
    py::BatteryInfo info;
    info.battery_type = "LI";
    info.firmware_major = 1;
    info.firmware_minor = 3;
    info.capacity_ah = u16_of(r.capacity_ah.value_or(0.0));
    out.push_back(py::encode(info));
  }

  out.push_back(
      py::encode(py::Text{py::kIdManufacturer, r.manufacturer.empty() ? "PYLON" : r.manufacturer}));
  if (genuine) return out;
  if (r.modules.total) {
    py::Modules modules;
    modules.online = *r.modules.total;
    out.push_back(py::encode(modules));
  }
  if (r.cell_voltage_min_v && r.cell_voltage_max_v) {
    py::CellExtremes cells;
    cells.cell_voltage_min_v = *r.cell_voltage_min_v;
    cells.cell_voltage_max_v = *r.cell_voltage_max_v;
    cells.cell_temperature_min_c = r.cell_temperature_min_c.value_or(m.temperature_c);
    cells.cell_temperature_max_c = r.cell_temperature_max_c.value_or(m.temperature_c);
    out.push_back(py::encode(cells));
  }
  if (r.capacity_ah) out.push_back(py::encode(py::Capacity{u16_of(*r.capacity_ah)}));
  return out;
}

}  // namespace bessd::sim
