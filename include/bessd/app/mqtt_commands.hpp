#pragma once
// Commands from the MQTT broker (docs/mqtt.md "Control"), only when mqtt.allow_control: each is
// checked (mqtt::check_command: retained or stale ones are refused), counted against one write
// rate for the whole broker, and then goes the API's write path (api::Facade submit_mode /
// submit_ack), so that it is clamped, refused and audited as PUT /v1/mode or POST
// /v1/faults/ack would be. The answer goes to `<base>/<site>/cmd_result`. Refusals before the
// controller are audited as the router audits its own: at the first, then once a minute with
// their count.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <bessd/api/facade.hpp>
#include <bessd/api/write_rate_limiter.hpp>
#include <bessd/broker/mosquitto_link.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/mqtt/mqtt_command.hpp>
#include <bessd/mqtt/mqtt_topics.hpp>

namespace bessd::app {

class MqttCommands {
 public:
  /// Publishes an answer (QoS 1, not retained). Called on `io`.
  using Publish = std::function<void(const std::string& topic, const std::string& payload)>;

  MqttCommands(boost::asio::io_context& io, const Clock& clock, mqtt::MqttTopics topics,
               std::chrono::seconds validity, api::WriteRateSettings rate, std::string broker,
               Publish publish);
  MqttCommands(const MqttCommands&) = delete;
  MqttCommands& operator=(const MqttCommands&) = delete;
  ~MqttCommands();

  /// Where checked commands go; until set, commands are answered "not ready".
  void set_facade(api::Facade* facade) { facade_ = facade; }
  /// A message on a command topic. Runs on `io`.
  void on_message(const broker::IncomingMessage& m);
  /// Audit records for refusals whose minute has ended (`all`: every count left, at a stop).
  void audit_pending_refusals(bool all);

 private:
  api::Requester requester(const std::string& client) const;
  /// `reason` names the kind of refusal, counted per kind for the audit ("invalid").
  void refuse(const std::string& name, const std::string& payload, const api::Requester& who,
              const std::string& reason, const std::string& why);
  void answer(nlohmann::json result);
  void submit(const std::string& name, mqtt::MqttCommand command, const api::Requester& who);

  boost::asio::io_context& io_;
  const Clock& clock_;
  mqtt::MqttTopics topics_;
  std::chrono::seconds validity_;
  api::WriteRateLimiter limiter_;
  std::string broker_;  // "broker.lan:1883": the audit's peer
  Publish publish_;
  api::Facade* facade_{nullptr};
  /// The last setpoint set over MQTT: Home Assistant's select sends "manual" alone.
  std::optional<double> last_setpoint_w_;
  /// Answers arrive on writer threads after the bridge may have gone: they check this first.
  std::shared_ptr<bool> alive_{std::make_shared<bool>(true)};
};

}  // namespace bessd::app
