#pragma once
// The operating envelope computed every control cycle: how much the battery may charge and
// discharge, and why. Every bound carries the cause that set it, for the API's "why is my battery
// not charging?" answer.

#include <array>
#include <cstdint>
#include <string>

#include <bessd/common/enum_names.hpp>

namespace bessd::core {

enum class CauseKind : std::uint8_t {
  none,          // unconstrained by anything but the configured pack rating
  bms_limit,     // the BMS's own CCL/DCL/CVL
  pack_rating,   // configured pack limits
  cell_voltage,  // taper or over/under-voltage (OP-V-*)
  temperature,   // temperature table or window (OP-T-*)
  soc_reserve,   // OP-SOC-01
  second_life,   // SL-DER-01
  inverter_rating,
  site_grid_limit,   // site import/export limit
  protection_flag,   // OP-FLAG-01
  stale_data,        // COM-01 / missing data
  compliance_block,  // an installation rule blocks
  fault,             // a latched fault
  hysteresis,        // OP-HYST-01 holding a bound at zero
  over_current,      // OP-I-*
  cell_spread,       // OP-DV-01
  fire_alarm,        // ALM-01
};
inline constexpr auto kCauseKindNames =
    std::to_array<EnumName<CauseKind>>({{CauseKind::none, "none"},
                                        {CauseKind::bms_limit, "bms_limit"},
                                        {CauseKind::pack_rating, "pack_rating"},
                                        {CauseKind::cell_voltage, "cell_voltage"},
                                        {CauseKind::temperature, "temperature"},
                                        {CauseKind::soc_reserve, "soc_reserve"},
                                        {CauseKind::second_life, "second_life"},
                                        {CauseKind::inverter_rating, "inverter_rating"},
                                        {CauseKind::site_grid_limit, "site_grid_limit"},
                                        {CauseKind::protection_flag, "protection_flag"},
                                        {CauseKind::stale_data, "stale_data"},
                                        {CauseKind::compliance_block, "compliance_block"},
                                        {CauseKind::fault, "fault"},
                                        {CauseKind::hysteresis, "hysteresis"},
                                        {CauseKind::over_current, "over_current"},
                                        {CauseKind::cell_spread, "cell_spread"},
                                        {CauseKind::fire_alarm, "fire_alarm"}});
static_assert(enum_names_complete(kCauseKindNames));

std::string_view to_string(CauseKind k) noexcept;

struct Cause {
  CauseKind kind{CauseKind::none};
  std::string rule_id;   // e.g. "OP-T-02"; empty when none
  std::string sentence;  // plain English: "Charging is reduced because the cells are cold (4 °C)."
  friend bool operator==(const Cause&, const Cause&) = default;
};

struct Bound {
  double value{0.0};  // non-negative magnitude
  Cause cause;
  friend bool operator==(const Bound&, const Bound&) = default;
};

struct Envelope {
  Bound charge_power_max_w;
  Bound discharge_power_max_w;
  Bound charge_current_max_a;
  Bound discharge_current_max_a;
  Bound charge_voltage_max_v;
  friend bool operator==(const Envelope&, const Envelope&) = default;
};

}  // namespace bessd::core
