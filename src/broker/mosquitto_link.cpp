#include <bessd/broker/mosquitto_link.hpp>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

namespace bessd::broker {

namespace {

// A retained message keeps its retain flag even when it reaches a live subscription (MQTT 5
// "retain as published"): a command published retained is refused whenever it arrives, not only
// after a reconnect (docs/mqtt.md "Control").
constexpr int kSubscribeOptions = MQTT_SUB_OPT_RETAIN_AS_PUBLISHED;

// Messages handed to the io_context and not yet handled; more are dropped (and counted).
constexpr unsigned kMaxPendingMessages = 32;
constexpr unsigned kMaxPendingPriority = 8;

std::string error_text(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::strerror(errno);
  return mosquitto_strerror(rc);
}

// A connection that lasted this long was a good one: the next reconnect starts at the shortest
// wait again. Shorter ones (a broker that takes the session away as soon as it is made) make the
// wait grow, so two clients with one id do not knock each other off every second.
constexpr std::chrono::seconds kGoodConnection{60};

}  // namespace

struct MosquittoLink::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io_context, BrokerOptions o)
      : io(io_context), options(std::move(o)) {}
  ~Impl() {
    if (mosq != nullptr) mosquitto_destroy(mosq);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  boost::asio::io_context& io;
  const BrokerOptions options;
  mosquitto* mosq{nullptr};
  std::thread network;  // connects (its name lookup may block), reads, writes, reconnects
  std::mutex wake_mutex;
  std::condition_variable wake;  // ends a wait between attempts at a stop
  std::atomic<bool> running{false};
  std::atomic<bool> reported{false};  // this attempt's failure has been said already
  std::chrono::steady_clock::time_point connected_at{};  // network thread only
  std::atomic<bool> is_connected{false};
  std::atomic<bool> refused{false};  // the broker's CONNACK said no
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> not_sent{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<unsigned> pending{0};  // messages posted to `io` and not yet handled
  std::atomic<unsigned> pending_priority{0};
  std::mutex mutex;  // guards subscriptions (the network thread resubscribes on connect)
  std::vector<std::pair<std::string, int>> subscriptions;
  LinkHandler on_link;
  MessageHandler on_message;
  PublishedHandler on_published;

  std::string where() const { return options.host + ":" + std::to_string(options.port); }

  void post_link(bool up, std::string detail) {
    boost::asio::post(io, [weak = weak_from_this(), up, detail = std::move(detail)] {
      auto self = weak.lock();
      if (self && self->running && self->on_link) self->on_link(up, detail);
    });
  }

  // libmosquitto's callbacks, on its network thread.
  static void connected_cb(mosquitto* m, void* obj, int rc, int /*flags*/,
                           const mosquitto_property* /*props*/) {
    auto* self = static_cast<Impl*>(obj);
    if (rc != 0) {
      self->refused = true;  // the disconnect that follows must not hide the reason
      self->reported = true;
      self->post_link(false, "the broker at " + self->where() + " refused the connection: " +
                                 mosquitto_reason_string(rc) + "; retrying");
      return;
    }
    self->connected_at = std::chrono::steady_clock::now();
    self->is_connected = true;
    ++self->connects;
    {
      std::lock_guard lock(self->mutex);
      for (const auto& [filter, qos] : self->subscriptions)
        mosquitto_subscribe_v5(m, nullptr, filter.c_str(), qos, kSubscribeOptions, nullptr);
    }
    self->post_link(true, "connected to " + self->where());
  }

  static void disconnected_cb(mosquitto* /*m*/, void* obj, int rc,
                              const mosquitto_property* /*props*/) {
    auto* self = static_cast<Impl*>(obj);
    const bool was = self->is_connected.exchange(false);
    if (self->refused.exchange(false) || rc == 0 || !self->running) return;
    self->reported = true;
    // Below 128 a library error; from 128 on the reason code of the broker's DISCONNECT.
    std::string why = rc < 128 ? error_text(rc) : mosquitto_reason_string(rc);
    if (rc == MQTT_RC_SESSION_TAKEN_OVER)
      why = "another client connected with the client id \"" + self->options.client_id +
            "\" (two gateways with one mqtt.site_id or client_id?)";
    self->post_link(false,
                    was ? "connection to " + self->where() + " lost: " + why + "; reconnecting"
                        : "cannot connect to " + self->where() + ": " + why + "; retrying");
  }

  static void published_cb(mosquitto* /*m*/, void* obj, int mid, int reason,
                           const mosquitto_property* /*props*/) {
    auto* self = static_cast<Impl*>(obj);
    boost::asio::post(self->io, [weak = self->weak_from_this(), mid, reason] {
      auto s = weak.lock();
      if (s && s->running && s->on_published) s->on_published(mid, reason);
    });
  }

  static void message_cb(mosquitto* /*m*/, void* obj, const mosquitto_message* msg,
                         const mosquitto_property* /*props*/) {
    auto* self = static_cast<Impl*>(obj);
    ++self->received;
    // Nothing large reaches the io_context: it would be copied and read on the control thread.
    const auto size = static_cast<std::size_t>(std::max(msg->payloadlen, 0));
    if (size > self->options.max_incoming_bytes) {
      ++self->dropped;
      return;
    }
    IncomingMessage in;
    in.topic = msg->topic != nullptr ? msg->topic : "";
    if (msg->payload != nullptr && size > 0)
      in.payload.assign(static_cast<const char*>(msg->payload), size);
    // A flood from the broker must not fill the io_context's queue ahead of the control loop;
    // a message the owner must not lose in it (a stop) has a few places of its own.
    const bool priority = self->options.priority && self->options.priority(in.topic, in.payload);
    auto& pending = priority ? self->pending_priority : self->pending;
    if (pending.load() >= (priority ? kMaxPendingPriority : kMaxPendingMessages)) {
      ++self->dropped;
      return;
    }
    ++pending;
    in.retained = msg->retain;
    boost::asio::post(self->io, [weak = self->weak_from_this(), in = std::move(in), priority] {
      auto s = weak.lock();
      if (!s) return;
      --(priority ? s->pending_priority : s->pending);
      if (s->running && s->on_message) s->on_message(in);
    });
  }

  // The network thread: connect, run the connection until it ends, wait, connect again. Our
  // own loop rather than libmosquitto's: its loop gives up for good after some refusals (a
  // wrong password), and its backoff starts again after every successful connect.
  void run() {
    unsigned wait_s = options.reconnect_min_s;
    while (running) {
      reported = false;
      int rc =
          mosquitto_connect_async(mosq, options.host.c_str(), options.port, options.keepalive_s);
      const auto began = std::chrono::steady_clock::now();
      connected_at = {};
      while (rc == MOSQ_ERR_SUCCESS && running) rc = mosquitto_loop(mosq, 1000, 1);
      if (!running) break;
      is_connected = false;
      if (!reported)
        post_link(false, "cannot connect to " + where() + ": " + error_text(rc) + "; retrying");
      if (connected_at > began &&
          std::chrono::steady_clock::now() - connected_at >= kGoodConnection)
        wait_s = options.reconnect_min_s;
      std::unique_lock lock(wake_mutex);
      wake.wait_for(lock, std::chrono::seconds(wait_s), [this] { return !running; });
      wait_s = std::min(wait_s * 2, options.reconnect_max_s);
    }
    // Stopping: send what stop() queued (the DISCONNECT) before the thread ends.
    for (int i = 0; i < 20 && mosquitto_loop(mosq, 50, 1) == MOSQ_ERR_SUCCESS; ++i) {
    }
  }

  // Everything that can be refused before a connection is tried; empty when all is well.
  std::string configure() {
    static std::once_flag library;
    std::call_once(library, [] { mosquitto_lib_init(); });
    mosq = mosquitto_new(options.client_id.empty() ? nullptr : options.client_id.c_str(),
                         /*clean_session=*/true, this);
    if (mosq == nullptr) return "cannot create an MQTT client: " + error_text(MOSQ_ERR_ERRNO);
    mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_connect_v5_callback_set(mosq, connected_cb);
    mosquitto_disconnect_v5_callback_set(mosq, disconnected_cb);
    mosquitto_message_v5_callback_set(mosq, message_cb);
    mosquitto_publish_v5_callback_set(mosq, published_cb);
    if (!options.username.empty()) {
      const int rc =
          mosquitto_username_pw_set(mosq, options.username.c_str(),
                                    options.password.empty() ? nullptr : options.password.c_str());
      if (rc != MOSQ_ERR_SUCCESS) return "MQTT user name refused: " + error_text(rc);
    }
    if (!options.ca_file.empty()) {
      const int rc =
          mosquitto_tls_set(mosq, options.ca_file.c_str(), nullptr,
                            options.cert_file.empty() ? nullptr : options.cert_file.c_str(),
                            options.key_file.empty() ? nullptr : options.key_file.c_str(), nullptr);
      if (rc != MOSQ_ERR_SUCCESS)
        return "MQTT TLS settings refused (" + options.ca_file + "): " + error_text(rc);
    }
    if (!options.will_topic.empty()) {
      const int rc = mosquitto_will_set_v5(mosq, options.will_topic.c_str(),
                                           static_cast<int>(options.will_payload.size()),
                                           options.will_payload.data(), 1, true, nullptr);
      if (rc != MOSQ_ERR_SUCCESS) return "MQTT last will refused: " + error_text(rc);
    }
    // publish() and subscribe() come from other threads than the network one.
    mosquitto_threaded_set(mosq, true);
    return {};
  }
};

MosquittoLink::MosquittoLink(boost::asio::io_context& io, BrokerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

MosquittoLink::~MosquittoLink() {
  stop();
}

void MosquittoLink::set_link_handler(LinkHandler handler) {
  impl_->on_link = std::move(handler);
}
void MosquittoLink::set_published_handler(PublishedHandler handler) {
  impl_->on_published = std::move(handler);
}
void MosquittoLink::set_message_handler(MessageHandler handler) {
  impl_->on_message = std::move(handler);
}

void MosquittoLink::start() {
  if (impl_->running || impl_->mosq != nullptr) return;
  impl_->running = true;
  if (auto refused = impl_->configure(); !refused.empty()) {
    impl_->post_link(false, refused);
    return;
  }
  impl_->network = std::thread([impl = impl_] { impl->run(); });
}

void MosquittoLink::stop() {
  if (!impl_->running) return;
  if (impl_->mosq != nullptr)
    mosquitto_disconnect_v5(impl_->mosq, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
  {
    std::lock_guard lock(impl_->wake_mutex);
    impl_->running = false;
  }
  impl_->wake.notify_all();
  if (impl_->network.joinable()) impl_->network.join();
  impl_->is_connected = false;
}

bool MosquittoLink::publish(const std::string& topic, const std::string& payload, int qos,
                            bool retain) {
  if (!impl_->is_connected || impl_->mosq == nullptr) {
    ++impl_->not_sent;
    return false;
  }
  const int rc =
      mosquitto_publish_v5(impl_->mosq, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                           payload.data(), qos, retain, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    ++impl_->not_sent;
    return false;
  }
  ++impl_->published;
  return true;
}

MosquittoLink::Tracked MosquittoLink::publish_tracked(const std::string& topic,
                                                      const std::string& payload) {
  if (!impl_->is_connected || impl_->mosq == nullptr) {
    ++impl_->not_sent;
    return {};
  }
  int mid = 0;
  const int rc =
      mosquitto_publish_v5(impl_->mosq, &mid, topic.c_str(), static_cast<int>(payload.size()),
                           payload.data(), 1, false, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    ++impl_->not_sent;
    return {std::nullopt, rc == MOSQ_ERR_OVERSIZE_PACKET};
  }
  ++impl_->published;
  return {mid, false};
}

void MosquittoLink::subscribe(const std::string& filter, int qos) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->subscriptions.emplace_back(filter, qos);
  }
  if (impl_->is_connected && impl_->mosq != nullptr)
    mosquitto_subscribe_v5(impl_->mosq, nullptr, filter.c_str(), qos, kSubscribeOptions, nullptr);
}

bool MosquittoLink::connected() const {
  return impl_->is_connected;
}

LinkCounters MosquittoLink::counters() const {
  return {impl_->connects, impl_->published, impl_->not_sent, impl_->received, impl_->dropped};
}

std::string MosquittoLink::describe() const {
  return std::string(impl_->options.ca_file.empty() ? "mqtt " : "mqtt+tls ") + impl_->where();
}

}  // namespace bessd::broker
