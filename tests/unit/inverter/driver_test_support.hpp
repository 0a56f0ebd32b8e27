#pragma once
// What the driver tests share: the shipped profiles' folder and a normal command.
#include <filesystem>

#include <bessd/core/inverter_command.hpp>

namespace bessd::inverter::test {

inline const std::filesystem::path kProfiles =
    std::filesystem::path(BESSD_SOURCE_DIR) / "config/profiles";

/// `w` (+ = charging) inside a 5 kW / 100 A envelope.
inline core::InverterCommand set_power(double w) {
  core::InverterCommand c;
  c.kind = core::CommandKind::set_power;
  c.battery_power_w = w;
  c.charge_power_max_w = 5000;
  c.discharge_power_max_w = 5000;
  c.charge_current_max_a = 100;
  c.discharge_current_max_a = 100;
  c.reason = "test";
  return c;
}

}  // namespace bessd::inverter::test
