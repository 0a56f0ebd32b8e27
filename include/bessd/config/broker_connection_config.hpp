#pragma once
// How bessd reaches an MQTT broker: what the `mqtt` and `uplink` sections share
// (docs/configuration.md "mqtt", "uplink").
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

struct BrokerConnectionConfig {
  std::string host;  // required
  std::uint16_t port{1883};
  std::string username;       // empty: none
  std::string password_file;  // read at start and on reload; never in the configuration itself
  std::optional<MqttTlsConfig> tls;
  std::string client_id;  // empty: the section's default
  std::uint16_t keepalive_s{30};
  friend bool operator==(const BrokerConnectionConfig&, const BrokerConnectionConfig&) = default;
};

}  // namespace bessd::config
