#pragma once
// The fleet uplink: telemetry rows and events from the site's log forwarded to a central broker,
// each keyed (site_id, stream, seq) and sent again until the broker acknowledges it
// (docs/configuration.md "uplink", docs/fleet.md). Read-only: it subscribes to nothing.
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/config/broker_connection_config.hpp>

namespace bessd::config {

/// The connection (client id: default "bessd-<site_id>-uplink"; keep-alive 60 s), and what
/// goes over it.
struct UplinkConfig : BrokerConnectionConfig {
  UplinkConfig() { keepalive_s = 60; }
  /// The site's topic level and key at the central side; empty: mqtt.site_id, else made from
  /// site.name.
  std::string site_id;
  std::string topic_prefix{"bessd-fleet"};
  /// One telemetry row per this many seconds goes up (the log keeps one per control step);
  /// 0: every row.
  std::int64_t telemetry_every_s{10};
  /// What has been logged is sent this often once caught up (events within 5 s).
  std::int64_t send_every_s{60};
  /// Telemetry rows (events: the same count) in one message at most.
  std::int64_t batch_rows{120};
  /// Catching up after an outage sends no more than this many messages a second.
  double max_messages_per_s{2.0};
  /// After each connect, the first message waits a random time up to this: a fleet coming back
  /// after a central outage does not arrive all at once.
  std::int64_t start_jitter_s{30};
  friend bool operator==(const UplinkConfig&, const UplinkConfig&) = default;
};

}  // namespace bessd::config
