#pragma once
// What the driver tests share: the shipped profiles' folder, a normal command, and a profile's
// problems as the loader lists them.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <bessd/config/config_error.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/inverter/profile.hpp>

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

/// A file's whole text (a shipped profile, to be changed by a test).
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Every problem the loader finds in profile `text`, as "pointer: message" lines (empty when the
/// profile is valid).
inline std::string profile_issues(const std::string& text) {
  try {
    (void)parse_profile_text(text, "profile.json");
  } catch (const config::ConfigError& e) {
    std::string all;
    for (const auto& i : e.issues()) all += i.to_string() + "\n";
    return all;
  }
  return {};
}

/// A device with an AC setpoint (+ = export, 1 W steps) beside its PV and its battery power
/// (charge-positive), the safe state 0 W at the battery: the ac_setpoint style at its simplest.
inline Profile pv_and_ac_profile(int lease_s = 15) {
  return parse_profile_text(R"({"name":"acs","points":{
      "pv":{"address":1,"type":"u16","unit":"W"},
      "bat":{"address":2,"type":"s16","unit":"W","sign":"charge_positive"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","sign":"export_positive"}},
    "readings":{"pv_power":"pv","battery_power":"bat"},
    "control":{"style":"ac_setpoint","lease_s":)" +
                                std::to_string(lease_s) +
                                R"(,"deadband_w":50,"points":{"setpoint":"ac"},
      "safe_state":[{"point":"ac","value":0}]}})",
                            "acs.json");
}

}  // namespace bessd::inverter::test
