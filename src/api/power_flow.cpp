#include <bessd/api/power_flow.hpp>

namespace bessd::api {

PowerFlow power_flow(const StatusDto& s) {
  PowerFlow f;
  const auto& inv = s.inverter;
  if (inv.grid_power_w) f.grid_w = inv.grid_power_w, f.grid_source = "inverter";
  if (inv.pv_power_w) f.pv_w = inv.pv_power_w, f.pv_source = "inverter";
  // The inverter's own battery reading first: it is the power it converts. A profile without
  // one (its sign unknown) falls back to the BMS's voltage x current.
  if (inv.battery_power_w) {
    f.battery_w = inv.battery_power_w;
    f.battery_source = "inverter";
  } else if (const auto p = s.pack.power_w()) {
    f.battery_w = p;
    f.battery_source = "bms";
  }
  if (f.grid_w && f.pv_w && f.battery_w) f.house_w = *f.grid_w + *f.pv_w - *f.battery_w;
  return f;
}

}  // namespace bessd::api
