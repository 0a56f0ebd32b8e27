#pragma once
// The site on an MQTT broker (docs/mqtt.md): availability, the retained state, energy and
// faults messages, and Home Assistant discovery. Runs on the control thread's io_context; the
// broker connection has threads of its own (broker::MosquittoLink), so a broker that is down
// costs the control loop one status document per second at most, never a wait.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <bessd/api/status_dto.hpp>
#include <bessd/app/mqtt_commands.hpp>
#include <bessd/broker/mosquitto_link.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/config/config.hpp>
#include <bessd/core/event.hpp>
#include <bessd/mqtt/ha_discovery.hpp>
#include <bessd/mqtt/mqtt_topics.hpp>

namespace bessd::app {

/// The topics a configuration names: mqtt.site_id, else one made from site.name.
mqtt::MqttTopics mqtt_topics_of(const config::Config& config);
/// The broker options of the mqtt section; reads the password file (throws ConfigError naming
/// /mqtt/password_file when it cannot).
broker::BrokerOptions broker_options_of(const config::Config& config,
                                        const std::filesystem::path& config_path);

class MqttBridge {
 public:
  using StatusSource = std::function<nlohmann::json()>;  // GET /v1/status's document
  using EventSink = std::function<void(const core::Event&)>;

  MqttBridge(boost::asio::io_context& io, const Clock& clock, const config::Config& config,
             broker::BrokerOptions options, StatusSource status, EventSink events);
  ~MqttBridge();
  MqttBridge(const MqttBridge&) = delete;
  MqttBridge& operator=(const MqttBridge&) = delete;

  /// Where commands go (mqtt.allow_control); the daemon's API facade, once it exists.
  void set_facade(api::Facade* facade) {
    if (commands_) commands_->set_facade(facade);
  }
  void start();
  /// Publishes "offline" (when connected) and disconnects.
  void stop();
  /// Audit records for every refused command still counted: at a stop, while the control
  /// thread still runs the facade calls they post.
  void audit_pending_refusals() {
    if (commands_) commands_->audit_pending_refusals(/*all=*/true);
  }

  bool connected() const { return link_.connected(); }
  broker::LinkCounters counters() const { return link_.counters(); }
  std::string describe() const { return link_.describe(); }
  /// The last reason the link went down; empty while up.
  const std::string& problem() const { return problem_; }
  /// "mqtt" in status's links (docs/api.md): up while connected, the age of the last message
  /// published, the times the link was lost, and the broker or the reason it is down.
  api::LinkStatus link_status(TimePoint now) const;

 private:
  void on_link(bool up, const std::string& detail);
  void on_message(const broker::IncomingMessage& m);
  void publish_discovery();
  void tick();
  void arm();
  void publish_if_due(const std::string& topic, const nlohmann::json& payload,
                      std::string& last_sent, TimePoint& sent_at, TimePoint now, bool force);

  const Clock& clock_;
  mqtt::MqttTopics topics_;
  mqtt::DiscoveryDevice device_;
  bool discovery_{true};
  Duration period_;
  broker::MosquittoLink link_;
  StatusSource status_;
  EventSink events_;
  std::unique_ptr<MqttCommands> commands_;  // mqtt.allow_control only
  boost::asio::steady_timer timer_;
  bool running_{false};
  bool fresh_connection_{false};  // publish everything at the next tick
  std::string problem_;
  std::uint64_t losses_{0};
  std::optional<TimePoint> published_at_;
  std::optional<TimePoint> started_at_;
  bool discovery_due_{false};  // Home Assistant asked; sent when kDiscoveryEvery allows
  std::optional<TimePoint> discovery_at_;
  std::string last_state_, last_energy_, last_faults_;
  TimePoint state_at_{}, energy_at_{}, faults_at_{};
};

}  // namespace bessd::app
