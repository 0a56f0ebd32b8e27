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

/// A change to the owner's reserve and charge target (docs/api.md "PUT /v1/settings"). Each
/// field: absent = unchanged; holding an empty optional = back to the configuration's value.
struct SettingsRequest {
  std::optional<std::optional<double>> reserve_soc_pct;
  std::optional<std::optional<double>> target_soc_pct;
  friend bool operator==(const SettingsRequest&, const SettingsRequest&) = default;
};

/// One end of the state-of-charge window as it stands.
struct SocSetting {
  double effective_pct{0.0};        // in force
  double configured_pct{0.0};       // control.min_soc_pct or control.max_soc_pct
  std::optional<double> owner_pct;  // as set through the API; absent = the configuration's
  bool owner_applies{false};        // effective_pct is the owner's
  friend bool operator==(const SocSetting&, const SocSetting&) = default;
};

/// The owner's settings (GET and PUT /v1/settings).
struct SettingsDto {
  SocSetting reserve;  // discharging stops here (OP-SOC-01)
  SocSetting target;   // charging stops here (OP-SOC-02)
  std::string set_by;  // who last set them (audit wording); empty: never set
  std::optional<WallTime> set_at;
  std::string message;  // a write's outcome for people
  /// Why a stored owner's value does not apply (the configured window changed since); empty
  /// when every stored value applies.
  std::string note;
  friend bool operator==(const SettingsDto&, const SettingsDto&) = default;
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
