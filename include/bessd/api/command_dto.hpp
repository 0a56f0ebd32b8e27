#pragma once
// Writes: operator requests and what the controller made of them. The controller may refuse any
// request (safety has the last word); a refusal is a normal answer, not an error.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <bessd/api/status_dto.hpp>
#include <bessd/common/clock.hpp>

namespace bessd::api {

/// Largest setpoint magnitude the router accepts at all (a typo guard; the controller clamps to
/// the envelope and the inverter rating).
inline constexpr double kMaxSetpointMagnitudeW = 1'000'000.0;
/// Longest expiry a mode request may carry (30 days): longer is "until changed".
inline constexpr std::int64_t kMaxModeExpirySeconds = 30LL * 24 * 3600;

struct ModeRequest {
  Mode mode{Mode::idle};
  std::optional<double> setpoint_w;  // manual only; + = charge the battery
  /// The mode ends this long after it is accepted and the configured mode returns; absent =
  /// until changed.
  std::optional<std::int64_t> expires_in_s;
  friend bool operator==(const ModeRequest&, const ModeRequest&) = default;
};

struct ModeVerdict {
  bool accepted{false};
  Mode mode{Mode::idle};                       // the mode now in force
  std::optional<double> effective_setpoint_w;  // after clamping to the envelope, + = charging
  std::string message;  // why refused, or what will happen ("clamped to 2500 W by OP-T-02")
  std::optional<WallTime> expires_at;  // when the configured mode returns; absent = until changed
  friend bool operator==(const ModeVerdict&, const ModeVerdict&) = default;
};

struct AckResult {
  std::vector<std::string> acknowledged;  // fault codes cleared by this request
  std::vector<std::string> still_active;  // latched faults whose cause has not cleared
  std::string message;
  friend bool operator==(const AckResult&, const AckResult&) = default;
};

struct SelfTestStep {
  std::string condition;        // "over_voltage", "bms_silence", ...
  std::string expected_action;  // "block charge"
  std::string observed_action;
  std::string expected_event;  // "OP-V-01"
  bool event_seen{false};
  bool passed{false};
  std::string message;
  friend bool operator==(const SelfTestStep&, const SelfTestStep&) = default;
};

struct SelfTestReport {
  WallTime started_at{};
  WallTime finished_at{};
  bool passed{false};
  std::vector<SelfTestStep> steps;
  friend bool operator==(const SelfTestReport&, const SelfTestReport&) = default;
};

}  // namespace bessd::api
