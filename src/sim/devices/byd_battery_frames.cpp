#include <bessd/sim/devices/byd_battery_frames.hpp>

#include <bessd/bms/protocols/byd_hvs_frames.hpp>

namespace bessd::sim {
namespace {
namespace byd = bms::byd_hvs;
}  // namespace

can::CanFrame byd_limits_frame(const core::PackState& r) {
  const bool charge = r.requests.charge_enable.value_or(true);
  const bool discharge = r.requests.discharge_enable.value_or(true);
  return byd::encode(byd::Limits{r.limits.charge_voltage_limit_v.value_or(0.0),
                                 r.limits.discharge_voltage_limit_v.value_or(0.0),
                                 discharge ? r.limits.discharge_current_limit_a.value_or(0.0) : 0.0,
                                 charge ? r.limits.charge_current_limit_a.value_or(0.0) : 0.0});
}

std::vector<can::CanFrame> byd_state_frames(const core::PackState& r) {
  const double capacity = r.capacity_ah.value_or(0.0);
  const double soc = r.soc_pct.value_or(0.0);
  const double t = r.temperature_c.value_or(25.0);
  return {
      byd::encode(byd::States{soc, r.soh_pct.value_or(100.0), capacity * soc / 100.0, capacity}),
      byd::encode(byd::Measurements{r.voltage_v.value_or(0.0), r.current_a.value_or(0.0), t}),
      byd::encode(byd::CellTemperatures{r.cell_temperature_max_c.value_or(t),
                                        r.cell_temperature_min_c.value_or(t)})};
}

std::vector<can::CanFrame> byd_identification_burst(const core::PackState& /*report*/) {
  std::vector<can::CanFrame> out{byd::encode(byd::Identification{0x03, 0x29, 5.1})};
  out.push_back(can::make_frame(0x290, {0x06, 0x37, 0x10, 0xD9, 0, 0, 0, 0}));
  out.push_back(byd::encode(byd::Text{byd::kIdMaker, 0, "BYD"}));
  const char* segments[] = {"Battery", "-Box Pr", "emium H", "VS"};
  for (std::uint8_t i = 0; i < 4; ++i)
    out.push_back(byd::encode(byd::Text{byd::kIdModel, i, segments[i]}));
  return out;
}

}  // namespace bessd::sim
