#include <bessd/energy/site_flows.hpp>

namespace bessd::energy {

SiteFlows site_flows(std::optional<double> grid_w, std::optional<double> pv_w,
                     std::optional<double> inverter_battery_w,
                     std::optional<double> bms_battery_w) {
  SiteFlows f;
  f.grid_w = grid_w;
  f.pv_w = pv_w;
  if (inverter_battery_w) {
    f.battery_w = inverter_battery_w;
    f.battery_from = BatteryReading::inverter;
  } else if (bms_battery_w) {
    f.battery_w = bms_battery_w;
    f.battery_from = BatteryReading::bms;
  }
  if (f.grid_w && f.pv_w && f.battery_w) f.house_w = *f.grid_w + *f.pv_w - *f.battery_w;
  return f;
}

}  // namespace bessd::energy
