#pragma once
// The MQTT topics of one site (docs/mqtt.md "Topics"): everything under `<base>/<site_id>/`,
// Home Assistant's discovery configs under `<discovery_prefix>/<component>/<node>/<object>/config`.
// Pure: names only.

#include <string>
#include <string_view>

namespace bessd::mqtt {

/// A topic level from free text (a site's name): lower case letters, digits, '_' and '-'; every
/// other run of characters becomes one '_'. Never empty ("site" for text with none of those).
std::string topic_level(std::string_view text);

class MqttTopics {
 public:
  /// `base` ("bessd"), `site_id` (a topic level), `discovery_prefix` ("homeassistant").
  MqttTopics(std::string base, std::string site_id, std::string discovery_prefix);

  const std::string& site_id() const { return site_id_; }
  /// Retained "online" / "offline" (the last will): whether bessd is connected.
  std::string availability() const { return root_ + "status"; }
  /// Retained JSON: the status a home owner watches (docs/mqtt.md "Topics").
  std::string state() const { return root_ + "state"; }
  /// Retained JSON: the energy counters, since counting began and today.
  std::string energy() const { return root_ + "energy"; }
  /// Retained JSON: the active faults and warnings, each with its sentence.
  std::string faults() const { return root_ + "faults"; }
  /// Where a command is sent: `<base>/<site>/cmd/<name>` ("mode", "setpoint", "ack").
  std::string command(std::string_view name) const;
  /// Every command topic (a subscription filter).
  std::string commands() const { return root_ + "cmd/+"; }
  /// Where the answer to a command goes: `<base>/<site>/cmd_result`.
  std::string command_result() const { return root_ + "cmd_result"; }
  /// `<prefix>/<component>/bessd_<site>/<object>/config`.
  std::string discovery(std::string_view component, std::string_view object) const;
  /// Home Assistant says "online" here when it (re)starts: discovery is sent again.
  std::string discovery_status() const { return discovery_prefix_ + "/status"; }
  /// "bessd_<site>": the node id and the device identifier.
  std::string node_id() const { return "bessd_" + site_id_; }

 private:
  std::string site_id_;
  std::string discovery_prefix_;
  std::string root_;  // "<base>/<site>/"
};

}  // namespace bessd::mqtt
