#pragma once
// What bessd last read from the inverter. Battery power + = charging; grid power + = import
// from the grid (the meter's view). Absent fields were not read or are not offered by the profile.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>

namespace bessd::core {

enum class InverterOperating : std::uint8_t { unknown, off, standby, running, fault };
inline constexpr auto kInverterOperatingNames =
    std::to_array<EnumName<InverterOperating>>({{InverterOperating::unknown, "unknown"},
                                                {InverterOperating::off, "off"},
                                                {InverterOperating::standby, "standby"},
                                                {InverterOperating::running, "running"},
                                                {InverterOperating::fault, "fault"}});
static_assert(enum_names_complete(kInverterOperatingNames));
std::string_view to_string(InverterOperating o) noexcept;

/// A limit the device keeps as a stored (flash) setting that bessd holds below the envelope for
/// now: such a limit is written tighter at once but looser at most once an interval
/// (docs/profiles.md "Stored limits"), so the device may allow less than the envelope.
struct HeldDeviceLimit {
  std::string limit;     // the profile's role: "charge_current_limit_a", "discharge_limit_w", ...
  double held{0.0};      // what the device was given, in the role's unit
  double envelope{0.0};  // what the envelope allows now
  std::optional<TimePoint> loosen_at;  // when the looser value will be written
  friend bool operator==(const HeldDeviceLimit&, const HeldDeviceLimit&) = default;
};

struct InverterState {
  bool online{false};
  InverterOperating operating{InverterOperating::unknown};
  std::optional<double> battery_power_w;  // + = charging
  /// `battery_power_w` is measured at the battery (the profile says so): it includes DC loads on
  /// the battery bus, so it cannot tell the inverter's share from theirs.
  bool battery_power_includes_dc_loads{false};
  /// The device holds that reading at bessd's target (a Victron GX: the grid setpoint is
  /// computed from it), so the target is the battery's own power, DC loads included, and the
  /// device takes a DC load over by itself (docs/profiles.md "Readings").
  bool target_at_battery{false};
  std::optional<double> battery_voltage_v;
  std::optional<double> battery_current_a;  // + = charging
  std::optional<double> grid_power_w;       // + = import
  std::optional<double> pv_power_w;
  /// The grid / PV reading is the site meter's (docs/protocols.md "Meters"), not the inverter's.
  bool grid_power_from_meter{false};
  bool pv_power_from_meter{false};
  /// What DC loads on the battery bus draw, as the device measures or computes it (a Victron
  /// GX's DC system), + = consumed; absent when the device does not say.
  std::optional<double> dc_load_power_w;
  std::optional<double> ac_power_w;  // inverter AC output, + = export from inverter
  std::optional<double> rated_power_w;
  /// The battery power setpoint the inverter reports it holds (read back), + = charging.
  std::optional<double> setpoint_readback_w;
  /// Since when the driver has failed to write or verify (read back) the command it was given;
  /// absent while the last attempt succeeded. `command_failure` says what failed.
  std::optional<TimePoint> command_failing_since{};
  std::string command_failure{};
  /// Stored limits the device holds below the envelope (empty: it holds what the envelope says).
  std::vector<HeldDeviceLimit> held_limits{};
  std::string model;
  std::string serial;
  std::optional<TimePoint> read_at;
  friend bool operator==(const InverterState&, const InverterState&) = default;
};

}  // namespace bessd::core
