#pragma once
// MQTT: the site's state, energy and Home Assistant discovery on a broker, and (only when
// allowed) control from it (docs/configuration.md "mqtt", docs/mqtt.md).
#include <cstdint>
#include <string>

#include <bessd/config/broker_connection_config.hpp>

namespace bessd::config {

/// The connection (host, port, credentials, TLS, client id: default "bessd-<site_id>",
/// keep-alive 30 s), and what goes over it.
struct MqttConfig : BrokerConnectionConfig {
  /// The topic level of this site (`bessd/<site_id>/...`); empty: made from site.name.
  std::string site_id;
  std::string base_topic{"bessd"};
  /// State and energy are published when they change, at most once a second, and at least
  /// this often (retained either way).
  double state_period_s{30.0};
  bool discovery{true};
  std::string discovery_prefix{"homeassistant"};
  /// Off: bessd never acts on a message (no command topics are subscribed).
  bool allow_control{false};
  /// A command whose timestamp is older than this, or that arrives retained, is refused.
  std::int64_t command_validity_s{10};
  friend bool operator==(const MqttConfig&, const MqttConfig&) = default;
};

}  // namespace bessd::config
