#pragma once
// A command from the broker (docs/mqtt.md "Control"), checked before anything acts on it: the
// topic names what, the payload says it either plainly (as Home Assistant's select, number and
// button send it) or as JSON with the time it was sent. A retained command, or one sent longer
// ago than the validity, is refused: it may be a leftover of another day. Pure.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <bessd/api/command_dto.hpp>
#include <bessd/common/clock.hpp>

namespace bessd::mqtt {

/// Longer payloads are refused unread.
inline constexpr std::size_t kMaxCommandBytes = 1024;

enum class CommandKind : std::uint8_t { mode, acknowledge, settings };

struct MqttCommand {
  CommandKind kind{CommandKind::mode};
  /// kind mode: as PUT /v1/mode takes it, except that a plain "manual" has no setpoint yet (the
  /// caller supplies the last one set over MQTT, or 0 W).
  api::ModeRequest mode;
  /// kind settings ("reserve", "target"): as PUT /v1/settings takes it.
  api::SettingsRequest settings;
  /// The JSON payload's "client" ("home-assistant", "node-red"): who the audit names. Empty for
  /// plain payloads.
  std::string client;
};

/// A command, or why it is refused (one sentence naming the topic's command and the reason).
struct CommandCheck {
  std::optional<MqttCommand> command;
  std::string refusal;
};

/// Whether a command asks for idle until changed, the safe direction: it is counted apart from
/// other commands so that a flood of them cannot hold it back (docs/mqtt.md "Control"). Cheap
/// enough for the broker's network thread; any payload (it need not be valid).
bool asks_for_idle(std::string_view name, std::string_view payload);

/// `name`: the topic's last level ("mode", "setpoint", "ack", "reserve", "target"). `sent_at` in a
/// JSON payload is RFC 3339 or Unix seconds; without it a command is taken as sent now (Home
/// Assistant sends none), so only a retained one is refused for its age.
CommandCheck check_command(std::string_view name, std::string_view payload, bool retained,
                           WallTime now, std::chrono::seconds validity);

}  // namespace bessd::mqtt
