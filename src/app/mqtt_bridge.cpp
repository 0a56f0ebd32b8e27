#include <bessd/app/mqtt_bridge.hpp>

#include <bessd/core/soc_window.hpp>

#include <bessd/app/broker_connection.hpp>
#include <bessd/mqtt/mqtt_command.hpp>
#include <bessd/mqtt/state_payload.hpp>
#include <bessd/version.hpp>

namespace bessd::app {

namespace {

// Changes are sent at most this often: a status that moves every step would otherwise be a
// message per step.
constexpr Duration kMinInterval = std::chrono::seconds{1};
// A broker that has not answered within this is shown down.
constexpr Duration kAnswerWithin = std::chrono::seconds{10};
// Discovery configs are sent again at most this often when Home Assistant asks.
constexpr Duration kDiscoveryEvery = std::chrono::seconds{5};

core::Event mqtt_event(TimePoint at, core::Severity severity, core::EventEdge edge,
                       std::string message) {
  core::Event e;
  e.at = at;
  e.severity = severity;
  e.edge = edge;
  e.source = "mqtt";
  e.code = "mqtt.link_lost";
  e.message = std::move(message);
  return e;
}

}  // namespace

mqtt::MqttTopics mqtt_topics_of(const config::Config& config) {
  const auto& m = *config.mqtt;
  return mqtt::MqttTopics(m.base_topic,
                          m.site_id.empty() ? mqtt::topic_level(config.site.name) : m.site_id,
                          m.discovery_prefix);
}

broker::BrokerOptions broker_options_of(const config::Config& config,
                                        const std::filesystem::path& config_path) {
  const auto& m = *config.mqtt;
  const auto topics = mqtt_topics_of(config);
  auto o = connection_options(m, "bessd-" + topics.site_id(), "/mqtt", config_path);
  if (m.allow_control)
    o.priority = [mode = topics.command("mode")](const std::string& topic,
                                                 std::string_view payload) {
      return topic == mode && mqtt::asks_for_idle("mode", payload);
    };
  o.will_topic = topics.availability();
  o.will_payload = "offline";
  return o;
}

MqttBridge::MqttBridge(boost::asio::io_context& io, const Clock& clock,
                       const config::Config& config, broker::BrokerOptions options,
                       StatusSource status, EventSink events)
    : clock_(clock),
      topics_(mqtt_topics_of(config)),
      device_{config.site.name,
              kVersion,
              config.inverter.rated_power_w,
              config.mqtt->allow_control,
              config.control.min_soc_pct,
              config.control.max_soc_pct,
              core::soc_window_gap_pct(config.limits.soc_recovery_hysteresis_pct),
              config.schedule.has_value(),
              config.schedule && config.schedule->by_price},
      discovery_(config.mqtt->discovery),
      period_(std::chrono::duration_cast<Duration>(
          std::chrono::duration<double>(config.mqtt->state_period_s))),
      link_(io, std::move(options)),
      status_(std::move(status)),
      events_(std::move(events)),
      timer_(io) {
  const auto& m = *config.mqtt;
  if (m.allow_control)
    commands_ = std::make_unique<MqttCommands>(
        io, clock, topics_, std::chrono::seconds{m.command_validity_s},
        api::write_rate_settings(config.api.write_rate), m.host + ":" + std::to_string(m.port),
        [this](const std::string& topic, const std::string& payload) {
          link_.publish(topic, payload, 1, false);
        });
}

MqttBridge::~MqttBridge() {
  stop();
}

void MqttBridge::start() {
  if (running_) return;
  running_ = true;
  started_at_ = clock_.now();
  link_.set_link_handler([this](bool up, const std::string& detail) { on_link(up, detail); });
  link_.set_message_handler([this](const broker::IncomingMessage& m) { on_message(m); });
  if (discovery_) link_.subscribe(topics_.discovery_status(), 1);
  if (commands_) link_.subscribe(topics_.commands(), 1);
  link_.start();
  arm();
}

void MqttBridge::stop() {
  if (!running_) return;
  running_ = false;
  timer_.cancel();
  if (commands_) commands_->audit_pending_refusals(/*all=*/true);
  // A clean disconnect keeps the broker from sending the will: say it ourselves.
  link_.publish(topics_.availability(), "offline", 1, true);
  link_.stop();
}

void MqttBridge::on_link(bool up, const std::string& detail) {
  const TimePoint now = clock_.now();
  if (!up) {
    const bool first = problem_.empty();
    if (first) ++losses_;
    problem_ = detail;
    if (first && events_)
      events_(mqtt_event(now, core::Severity::warning, core::EventEdge::raised, detail));
    return;
  }
  if (!problem_.empty() && events_)
    events_(mqtt_event(now, core::Severity::warning, core::EventEdge::cleared, detail));
  problem_.clear();
  link_.publish(topics_.availability(), "online", 1, true);
  if (discovery_) publish_discovery();
  fresh_connection_ = true;
  tick();
}

void MqttBridge::on_message(const broker::IncomingMessage& m) {
  // Home Assistant (re)started: it forgets entities not configured again.
  // At most once per kDiscoveryEvery: anyone who may publish there must not be able to make
  // bessd flood the broker with configs (they are retained anyway).
  if (discovery_ && m.topic == topics_.discovery_status() && m.payload == "online") {
    discovery_due_ = true;
    if (!discovery_at_ || clock_.now() - *discovery_at_ >= kDiscoveryEvery) publish_discovery();
  } else if (commands_ && m.topic.starts_with(topics_.command("")))
    commands_->on_message(m);
}

api::LinkStatus MqttBridge::link_status(TimePoint now) const {
  api::LinkStatus l;
  l.name = "mqtt";
  const bool up = link_.connected();
  // A broker that accepts the connection and never answers leaves no reason: after a while
  // that silence is the reason.
  const bool silent = !up && losses_ == 0 && problem_.empty();
  const bool waited = started_at_ && now - *started_at_ >= kAnswerWithin;
  l.state = up ? api::LinkState::up
               : (silent && !waited ? api::LinkState::unknown : api::LinkState::down);
  if (published_at_ && now >= *published_at_)
    l.age_s = std::chrono::duration<double>(now - *published_at_).count();
  l.error_count = losses_;
  l.detail = up || problem_.empty() ? link_.describe() : problem_;
  if (silent && waited) l.detail += ": no answer from the broker yet";
  if (const auto dropped = link_.counters().dropped; dropped > 0)
    l.detail += "; " + std::to_string(dropped) + " incoming messages dropped (a flood)";
  return l;
}

void MqttBridge::publish_discovery() {
  discovery_due_ = false;
  discovery_at_ = clock_.now();
  for (const auto& message : mqtt::ha_discovery(topics_, device_))
    link_.publish(message.topic, message.payload, 1, true);
}

void MqttBridge::arm() {
  timer_.expires_after(kMinInterval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    tick();
    arm();
  });
}

void MqttBridge::tick() {
  if (commands_) commands_->audit_pending_refusals(/*all=*/false);
  if (!link_.connected() || !status_) return;
  const TimePoint now = clock_.now();
  if (discovery_due_ && (!discovery_at_ || now - *discovery_at_ >= kDiscoveryEvery))
    publish_discovery();
  const bool force = std::exchange(fresh_connection_, false);
  const nlohmann::json status = status_();
  publish_if_due(topics_.state(), mqtt::state_payload(status), last_state_, state_at_, now, force);
  publish_if_due(topics_.energy(), mqtt::energy_payload(status), last_energy_, energy_at_, now,
                 force);
  publish_if_due(topics_.faults(), mqtt::faults_payload(status), last_faults_, faults_at_, now,
                 force);
}

void MqttBridge::publish_if_due(const std::string& topic, const nlohmann::json& payload,
                                std::string& last_sent, TimePoint& sent_at, TimePoint now,
                                bool force) {
  // A change is what differs apart from the time stamps, which differ every time.
  nlohmann::json compared = payload;
  compared.erase("time");
  compared.erase("as_of");
  std::string key = compared.dump();
  if (!force && key == last_sent && now - sent_at < period_) return;
  if (link_.publish(topic, payload.dump(), 0, true)) {
    last_sent = std::move(key);
    sent_at = now;
    published_at_ = now;
  }
}

}  // namespace bessd::app
