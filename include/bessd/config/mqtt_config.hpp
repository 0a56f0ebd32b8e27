#pragma once
// MQTT: the site's state, energy and Home Assistant discovery on a broker, and (only when
// allowed) control from it (docs/configuration.md "mqtt", docs/mqtt.md).
#include <cstdint>
#include <optional>
#include <string>

namespace bessd::config {

struct MqttTlsConfig {
  std::string ca_file;  // the broker's CA (PEM); required with TLS
  std::string
      cert_file;  // client certificate (PEM); with key_file, instead of or besides a password
  std::string key_file;
  friend bool operator==(const MqttTlsConfig&, const MqttTlsConfig&) = default;
};

struct MqttConfig {
  std::string host;  // required
  std::uint16_t port{1883};
  std::string username;       // empty: none
  std::string password_file;  // read at start and on reload; never in the configuration itself
  std::optional<MqttTlsConfig> tls;
  /// The topic level of this site (`bessd/<site_id>/...`); empty: made from site.name.
  std::string site_id;
  std::string base_topic{"bessd"};
  std::string client_id;  // empty: "bessd-<site_id>"
  /// State and energy are published when they change, at most once a second, and at least
  /// this often (retained either way).
  double state_period_s{30.0};
  bool discovery{true};
  std::string discovery_prefix{"homeassistant"};
  /// Off: bessd never acts on a message (no command topics are subscribed).
  bool allow_control{false};
  /// A command whose timestamp is older than this, or that arrives retained, is refused.
  std::int64_t command_validity_s{10};
  std::uint16_t keepalive_s{30};
  friend bool operator==(const MqttConfig&, const MqttConfig&) = default;
};

}  // namespace bessd::config
