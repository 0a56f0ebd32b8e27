#pragma once
// Home Assistant MQTT discovery (docs/mqtt.md "Home Assistant"): one retained config message
// per entity, all on one device, all unavailable while bessd is not connected. The entities read
// the retained state and energy messages (state_payload.hpp) through value templates. Control
// entities (mode, manual setpoint, acknowledge) exist only when control over MQTT is allowed.
// Pure: the messages, not their sending.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/mqtt/mqtt_topics.hpp>

namespace bessd::mqtt {

struct RetainedMessage {
  std::string topic;
  std::string payload;  // JSON text; empty removes a retained message
};

struct DiscoveryDevice {
  std::string name;                     // the site's name, as Home Assistant shows the device
  std::string sw_version;               // bessd's version
  std::optional<double> rated_power_w;  // bounds of the manual setpoint entity
  bool control_allowed{false};          // mqtt.allow_control
  // Bounds of the reserve and charge target entities: the configured window (control.min_soc_pct,
  // control.max_soc_pct), which the owner may narrow but never widen.
  double min_soc_pct{0.0};
  double max_soc_pct{100.0};
  double soc_gap_pct{3.0};  // reserve and target stay this far apart (core::soc_window_gap_pct)
  bool schedule_configured{false};  // the mode select offers "schedule"
  bool plan_configured{false};      // schedule.by_price: a "Plan by price" sensor
};

/// Every entity's config message, in a stable order. With control not allowed, the control
/// entities' topics get an empty payload, so a Home Assistant that saw them before drops them.
std::vector<RetainedMessage> ha_discovery(const MqttTopics& topics, const DiscoveryDevice& device);

}  // namespace bessd::mqtt
