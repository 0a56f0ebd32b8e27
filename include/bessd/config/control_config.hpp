#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class OperatingMode : std::uint8_t { idle, manual, self_consumption, schedule };
inline constexpr auto kOperatingModeNames =
    std::to_array<EnumName<OperatingMode>>({{OperatingMode::idle, "idle"},
                                            {OperatingMode::manual, "manual"},
                                            {OperatingMode::self_consumption, "self_consumption"},
                                            {OperatingMode::schedule, "schedule"}});
static_assert(enum_names_complete(kOperatingModeNames));
std::string_view to_string(OperatingMode m) noexcept;

struct SelfConsumptionConfig {
  double target_grid_w{0.0};   // grid power to aim for at the meter (+ = import)
  double deadband_w{25.0};     // no change inside ± this band
  double ramp_w_per_s{500.0};  // rate limit of the battery setpoint
};

struct FireAlarmConfig {
  bool enabled{false};
  std::string path;               // a file whose content is the input's value (e.g. GPIO sysfs)
  std::string active_value{"1"};  // content (trimmed) that means "alarm"
  std::int64_t poll_ms{200};
};

struct ControlConfig {
  std::int64_t period_ms{1000};
  OperatingMode mode{OperatingMode::idle};  // mode after start-up
  double manual_setpoint_w{0.0};            // + = charge
  SelfConsumptionConfig self_consumption;
  double min_soc_pct{10.0};  // OP-SOC-01 reserve
  double max_soc_pct{100.0};
  double soc_divergence_pct{10.0};  // BMS SOC vs coulomb-count estimate
  bool commissioning{false};        // COM-03 blocks instead of warning
  FireAlarmConfig fire_alarm;
};

}  // namespace bessd::config
