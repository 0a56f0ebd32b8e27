#pragma once
// The site's four flows from what the drivers read, one rule for the status and the energy
// counters alike (docs/api.md "GET /v1/status" power_flow, "Energy counters"): the battery from the
// inverter's own reading (the power it converts), else the BMS's voltage × current (a profile
// whose battery sign is unknown; a DC load on the battery bus is in it); the house from grid +
// PV − battery when all three are known.

#include <optional>

namespace bessd::energy {

enum class BatteryReading { none, inverter, bms };

struct SiteFlows {
  std::optional<double> grid_w;     // + = import
  std::optional<double> pv_w;       // produced, >= 0
  std::optional<double> battery_w;  // + = charging
  BatteryReading battery_from{BatteryReading::none};
  std::optional<double> house_w;  // used: grid + PV − battery
};

SiteFlows site_flows(std::optional<double> grid_w, std::optional<double> pv_w,
                     std::optional<double> inverter_battery_w, std::optional<double> bms_battery_w);

}  // namespace bessd::energy
