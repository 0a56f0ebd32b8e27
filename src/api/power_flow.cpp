#include <bessd/api/power_flow.hpp>
#include <bessd/energy/site_flows.hpp>

namespace bessd::api {

PowerFlow power_flow(const StatusDto& s) {
  const auto& inv = s.inverter;
  const energy::SiteFlows flows =
      energy::site_flows(inv.grid_power_w, inv.pv_power_w, inv.battery_power_w, s.pack.power_w());
  PowerFlow f;
  f.grid_w = flows.grid_w;
  f.pv_w = flows.pv_w;
  f.battery_w = flows.battery_w;
  f.house_w = flows.house_w;
  if (f.grid_w) f.grid_source = inv.grid_power_from_meter ? "meter" : "inverter";
  if (f.pv_w) f.pv_source = inv.pv_power_from_meter ? "meter" : "inverter";
  switch (flows.battery_from) {
    case energy::BatteryReading::inverter:
      f.battery_source = "inverter";
      break;
    case energy::BatteryReading::bms:
      f.battery_source = "bms";
      break;
    case energy::BatteryReading::none:
      break;
  }
  return f;
}

}  // namespace bessd::api
