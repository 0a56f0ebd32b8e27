#pragma once
// The latest known state of the battery pack, as decoded from the BMS. Every field is optional:
// a value the BMS never sent is absent, never zero. Signs follow bessd's convention: current and
// power positive when charging. Limits are non-negative magnitudes.

#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/clock.hpp>
#include <bessd/core/bms_condition.hpp>

namespace bessd::core {

/// Limits the BMS asks the inverter to respect (0x351 on LV CAN).
struct BmsLimits {
  std::optional<double> charge_voltage_limit_v;     // CVL
  std::optional<double> charge_current_limit_a;     // CCL, magnitude
  std::optional<double> discharge_current_limit_a;  // DCL, magnitude
  std::optional<double> discharge_voltage_limit_v;  // DVL
  friend bool operator==(const BmsLimits&, const BmsLimits&) = default;
};

/// Request flags (Pylontech 0x35C). Absent when the BMS does not send them.
struct BmsRequests {
  std::optional<bool> charge_enable;
  std::optional<bool> discharge_enable;
  std::optional<bool> force_charge;  // "charge immediately" (I) or SOC-low (II)
  std::optional<bool> full_charge;   // request full charge (balancing)
  friend bool operator==(const BmsRequests&, const BmsRequests&) = default;
};

struct ModuleCounts {
  std::optional<std::uint16_t> total;   // 0x359 byte 4
  std::optional<std::uint16_t> online;  // 0x372
  std::optional<std::uint16_t> blocking_charge;
  std::optional<std::uint16_t> blocking_discharge;
  std::optional<std::uint16_t> offline;
  friend bool operator==(const ModuleCounts&, const ModuleCounts&) = default;
};

struct PackState {
  // Measurements (0x356)
  std::optional<double> voltage_v;
  std::optional<double> current_a;      // + = charging
  std::optional<double> temperature_c;  // pack sensor
  // Charge state (0x355)
  std::optional<double> soc_pct;
  std::optional<double> soh_pct;
  // Cell extremes (0x373)
  std::optional<double> cell_voltage_min_v;
  std::optional<double> cell_voltage_max_v;
  std::optional<double> cell_temperature_min_c;
  std::optional<double> cell_temperature_max_c;

  BmsLimits limits;
  BmsRequests requests;
  BmsFlagSet protections;  // alarms: protection tripped
  BmsFlagSet warnings;     // early warnings
  ModuleCounts modules;

  // Identity and nameplate
  std::string manufacturer;  // 0x35E
  std::string bms_name;      // 0x370/0x371
  std::string firmware;      // 0x35F
  // Installed (nameplate) capacity, 0x379 only: the one BAT-CAP-01 and PAS-ENE-01 read
  // (docs/compliance.md, "BMS nameplate energy"). 0 and 0xFFFF mean "not reported".
  std::optional<double> capacity_ah;
  // Available (online) capacity, 0x35F bytes 4-5: follows the state of charge on some BMSs (BYD on
  // the Victron protocol), so it is shown, never used as a nameplate.
  std::optional<double> available_capacity_ah;
  std::optional<double> energy_charged_kwh;  // 0x378 counters, when the BMS reports them
  std::optional<double> energy_discharged_kwh;

  // Arrival times (host monotonic clock) of each part; absent until first seen.
  std::optional<TimePoint> measured_at;  // voltage/current/temperature
  std::optional<TimePoint> limits_at;    // BmsLimits
  std::optional<TimePoint> charge_at;    // SOC/SOH
  std::optional<TimePoint> cells_at;     // cell extremes
  std::optional<TimePoint> flags_at;     // protections/warnings/requests

  /// Battery power in W, + = charging; absent unless both voltage and current are known.
  std::optional<double> power_w() const {
    if (!voltage_v || !current_a) return std::nullopt;
    return *voltage_v * *current_a;
  }
  friend bool operator==(const PackState&, const PackState&) = default;
};

}  // namespace bessd::core
