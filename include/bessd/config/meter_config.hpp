#pragma once
// A Modbus meter for the site's grid (and PV) power, for inverters that do not measure the grid
// themselves (docs/configuration.md "meter", docs/protocols.md "Meters").
#include <string>

#include <bessd/config/modbus_link_config.hpp>

namespace bessd::config {

struct MeterConfig : ModbusLinkConfig {
  /// Register-map profile: a name under inverter.profile_dir ("sdm630", "sunspec_meter") or a
  /// path. Its grid_power (and pv_power) readings replace the inverter's.
  std::string profile;
};

}  // namespace bessd::config
