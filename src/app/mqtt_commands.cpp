#include <bessd/app/mqtt_commands.hpp>

#include <boost/asio/post.hpp>

#include <bessd/api/json.hpp>

namespace bessd::app {

namespace {

// The command's name: the last level of `<base>/<site>/cmd/<name>`.
std::string command_name(const std::string& topic) {
  const auto slash = topic.rfind('/');
  return slash == std::string::npos ? topic : topic.substr(slash + 1);
}

// What a refusal record says the client asked for; the payload is clipped so that large
// messages cannot fill the audit log.
std::string request_text(const std::string& name, const std::string& payload) {
  constexpr std::size_t kShown = 120;
  std::string text = "mqtt cmd/" + name;
  if (payload.empty()) return text;
  // Quoted, and any byte that is not UTF-8 replaced: the payload is the sender's, not text.
  const nlohmann::json shown = payload.size() > kShown ? payload.substr(0, kShown) : payload;
  return text + " " +
         shown.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace) +
         (payload.size() > kShown ? "…" : "");
}

// "3 commands refused (invalid) since the last record": the audit message of a count.
std::string refusal_count_text(std::uint64_t count, const std::string& reason) {
  return std::to_string(count) + (count == 1 ? " command" : " commands") + " refused (" + reason +
         ") since the last record";
}

}  // namespace

MqttCommands::MqttCommands(boost::asio::io_context& io, const Clock& clock, mqtt::MqttTopics topics,
                           std::chrono::seconds validity, api::WriteRateSettings rate,
                           std::string broker, Publish publish)
    : io_(io),
      clock_(clock),
      topics_(std::move(topics)),
      validity_(validity),
      limiter_(rate),
      broker_(std::move(broker)),
      publish_(std::move(publish)) {}

MqttCommands::~MqttCommands() {
  *alive_ = false;
}

api::Requester MqttCommands::requester(const std::string& client) const {
  api::Requester who;
  who.transport = api::Transport::mqtt;
  who.user = client;
  who.peer = broker_;
  who.scope = api::Scope::control;  // mqtt.allow_control is the grant
  return who;
}

void MqttCommands::on_message(const broker::IncomingMessage& m) {
  // An empty message is how a retained one is deleted (docs/mqtt.md "Control"): no command.
  if (m.payload.empty()) return;
  const std::string name = command_name(m.topic);
  // Counted before the payload is read in full: a flood costs a bucket look-up per message.
  // `mode idle` has a bucket of its own, as over the API: a flood must not hold back a stop.
  const std::string bucket = api::write_client_key(requester("")) +
                             (mqtt::asks_for_idle(name, m.payload) ? " (idle)" : "");
  const auto admission = limiter_.admit(bucket, clock_.now());
  if (!admission.allowed)
    return refuse(name, m.payload, requester(""), "over the write rate limit",
                  "command " + name + " refused: over the write rate limit, try again in " +
                      std::to_string(admission.retry_after.count()) + " ms");
  const auto checked =
      mqtt::check_command(name, m.payload, m.retained, clock_.wall_now(), validity_);
  const api::Requester who = requester(checked.command ? checked.command->client : "");
  if (!checked.command) return refuse(name, m.payload, who, "invalid", checked.refusal);
  if (facade_ == nullptr)
    return refuse(name, m.payload, who, "starting",
                  "command " + name + " refused: bessd is starting");
  submit(name, *checked.command, who);
}

void MqttCommands::refuse(const std::string& name, const std::string& payload,
                          const api::Requester& who, const std::string& reason,
                          const std::string& why) {
  answer({{"command", name}, {"accepted", false}, {"client", who.user}, {"message", why}});
  if (facade_ == nullptr) return;
  const std::string client = api::write_client_key(who);
  const std::string what = request_text(name, payload);
  if (const auto n = limiter_.count_refusal(client, reason, clock_.now(), {who, what}))
    facade_->audit_refusal(who, what, refusal_count_text(*n, reason) + "; the latest: " + why);
}

void MqttCommands::audit_pending_refusals(bool all) {
  if (facade_ == nullptr) return;
  for (const auto& c : all ? limiter_.take_refusals() : limiter_.due_refusals(clock_.now()))
    facade_->audit_refusal(c.context.who, c.context.what, refusal_count_text(c.count, c.reason));
}

void MqttCommands::answer(nlohmann::json result) {
  result["time"] = api::format_time(clock_.wall_now());
  publish_(topics_.command_result(), result.dump());
}

void MqttCommands::submit(const std::string& name, mqtt::MqttCommand command,
                          const api::Requester& who) {
  // Answers come on a writer thread; they are published from `io`, if the bridge is still there.
  auto on_io = [this, alive = std::weak_ptr<bool>(alive_)](nlohmann::json result) {
    boost::asio::post(io_, [this, alive, result = std::move(result)]() mutable {
      if (const auto a = alive.lock(); a && *a) answer(std::move(result));
    });
  };
  nlohmann::json base = {{"command", name}, {"client", who.user}};
  if (command.kind == mqtt::CommandKind::acknowledge) {
    facade_->submit_ack(who, [on_io, base](Result<api::AckResult> r) mutable {
      base["accepted"] = r.has_value();
      base["message"] = r ? r->message : r.error().message;
      if (r) base["result"] = api::to_json(*r);
      on_io(std::move(base));
    });
    return;
  }
  if (command.kind == mqtt::CommandKind::settings) {
    base["request"] = api::to_json(command.settings);
    facade_->submit_settings(command.settings, who,
                             [on_io, base](Result<api::SettingsDto> r) mutable {
                               base["accepted"] = r.has_value();
                               base["message"] = r ? r->message : r.error().message;
                               if (r) base["settings"] = api::to_json(*r);
                               on_io(std::move(base));
                             });
    return;
  }
  api::ModeRequest& request = command.mode;
  if (request.mode == api::Mode::manual && !request.setpoint_w)
    request.setpoint_w = last_setpoint_w_.value_or(0.0);
  if (request.mode == api::Mode::manual) last_setpoint_w_ = request.setpoint_w;
  base["request"] = api::to_json(request);
  facade_->submit_mode(request, who, [on_io, base](Result<api::ModeVerdict> r) mutable {
    base["accepted"] = r && r->accepted;
    base["message"] = r ? r->message : r.error().message;
    if (r) base["verdict"] = api::to_json(*r);
    on_io(std::move(base));
  });
}

}  // namespace bessd::app
