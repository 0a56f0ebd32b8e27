#include <bessd/sim/devices/hv_pack_frames.hpp>

#include <algorithm>
#include <initializer_list>
#include <utility>

#include <bessd/bms/protocols/pylontech_hv_frames.hpp>

namespace bessd::sim {
namespace {

namespace hv = bms::pylontech_hv;
using core::BmsCondition;
using core::BmsFlagSet;
using core::FlagState;

// docs/protocols.md "The BMS: Pylontech HV": the alarm and protection words share one map.
std::uint16_t hv_word(const BmsFlagSet& s) {
  static constexpr std::pair<BmsCondition, std::uint16_t> kBits[] = {
      {BmsCondition::cell_under_voltage, 0x0001},
      {BmsCondition::cell_over_voltage, 0x0002},
      {BmsCondition::charge_under_temperature, 0x0010},
      {BmsCondition::under_temperature, 0x0010},  // no own bit: the charge one (blocks charging)
      {BmsCondition::charge_over_temperature, 0x0020},
      {BmsCondition::discharge_under_temperature, 0x0040},
      {BmsCondition::over_temperature, 0x0080},
      {BmsCondition::charge_over_current, 0x0100},
      {BmsCondition::discharge_over_current, 0x0200},
      {BmsCondition::unknown, 0x1000},
  };
  std::uint16_t w = 0;
  for (const auto& [c, bit] : kBits)
    if (s.get(c) == FlagState::active) w = static_cast<std::uint16_t>(w | bit);
  return w;
}

std::uint8_t error_byte(const BmsFlagSet& s) {
  std::uint8_t b = 0;
  if (s.get(BmsCondition::bms_internal) == FlagState::active) b |= 0x04;
  if (s.get(BmsCondition::general) == FlagState::active) b |= 0x80;
  if (s.get(BmsCondition::contactor) == FlagState::active) b |= 0x20;
  return b;
}

std::uint16_t word_of(double v) {
  return static_cast<std::uint16_t>(std::clamp(v, 0.0, 65535.0));
}

}  // namespace

std::vector<can::CanFrame> hv_ensemble_burst(const core::PackState& r, std::uint8_t address) {
  std::vector<can::CanFrame> out;
  const double current = r.current_a.value_or(0.0);
  const hv::Ensemble ensemble{r.voltage_v.value_or(0.0), current, r.temperature_c,
                              r.soc_pct.value_or(0.0), r.soh_pct.value_or(100.0)};
  out.push_back(hv::encode(ensemble, address));

  const bool charge_allowed = r.requests.charge_enable.value_or(true) &&
                              r.limits.charge_current_limit_a.value_or(0.0) > 0.0;
  hv::Limits limits;
  if (charge_allowed) limits.charge_voltage_limit_v = r.limits.charge_voltage_limit_v;
  limits.discharge_voltage_limit_v = r.limits.discharge_voltage_limit_v.value_or(0.0);
  limits.charge_current_limit_a = charge_allowed ? r.limits.charge_current_limit_a.value_or(0) : 0;
  limits.discharge_current_limit_a = r.limits.discharge_current_limit_a.value_or(0.0);
  out.push_back(hv::encode(limits, address));

  const double t = r.temperature_c.value_or(25.0);
  if (r.cell_voltage_min_v && r.cell_voltage_max_v)
    out.push_back(
        hv::encode(hv::CellVoltages{*r.cell_voltage_max_v, *r.cell_voltage_min_v, 1, 2}, address));
  out.push_back(hv::encode(hv::CellTemperatures{r.cell_temperature_max_c.value_or(t),
                                                r.cell_temperature_min_c.value_or(t), 1, 2},
                           address));

  hv::Status status;
  // Mode in bits 0-2 (1 charge, 2 discharge, 3 idle), force charge bit 3, balance bit 4.
  status.basic = current > 0.5 ? 1 : current < -0.5 ? 2 : 3;
  if (r.requests.force_charge.value_or(false)) status.basic |= hv::kStatusForceCharge;
  if (r.requests.full_charge.value_or(false)) status.basic |= hv::kStatusBalanceCharge;
  status.errors = error_byte(r.protections);
  status.alarms = hv_word(r.warnings);
  status.protections = hv_word(r.protections);
  out.push_back(hv::encode(status, address));

  out.push_back(hv::encode(
      hv::Forbidden{!charge_allowed, !r.requests.discharge_enable.value_or(true)}, address));
  out.push_back(hv::encode(hv::FaultExtension{0}, address));
  return out;
}

std::vector<can::CanFrame> hv_system_burst(const core::PackState& r, std::uint8_t address) {
  const std::uint16_t modules = r.modules.total.value_or(1);
  const auto series = static_cast<std::uint16_t>(16 * modules);
  return {hv::encode(hv::Versions{1, 2, 5}, address),
          hv::encode(
              hv::System{series, static_cast<std::uint8_t>(modules), 16,
                         word_of(r.voltage_v.value_or(0.0)), word_of(r.capacity_ah.value_or(0.0))},
              address),
          hv::encode(hv::Name{hv::kIdName1, r.manufacturer.empty() ? "PYLON" : r.manufacturer},
                     address)};
}

}  // namespace bessd::sim
