#pragma once
// One connection to an MQTT broker through libmosquitto (MQTT 5), on threads of its own: the
// connect (name lookup, TCP, TLS) and the network loop never run on the io_context's thread,
// and a broker that is down or slow never holds the caller (docs/mqtt.md "Connection").
// Reconnects after any failure, a refusal by the broker included, waiting 1 s and then twice as
// long each time up to 60 s; the wait starts at 1 s again only after a connection that lasted
// a minute, so that a broker taking the session away at once is not hammered. The last will
// ("offline", retained) is set before connecting; the caller publishes "online" from its connect
// handler.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

namespace bessd::broker {

struct BrokerOptions {
  std::string host;
  std::uint16_t port{1883};
  std::string client_id;
  std::string username;  // empty: none
  std::string password;
  std::string ca_file;  // non-empty: TLS, the broker's certificate checked against it
  std::string cert_file;
  std::string key_file;
  std::uint16_t keepalive_s{30};
  std::string will_topic;  // empty: no last will
  std::string will_payload{"offline"};
  /// Larger received messages are dropped on the network thread (counted), never copied.
  std::size_t max_incoming_bytes{4096};
  /// Messages this says yes to (on the network thread: keep it cheap and thread-safe) keep a
  /// few places of their own when a flood fills the hand-over to the io_context.
  std::function<bool(const std::string& topic, std::string_view payload)> priority;
  unsigned reconnect_min_s{1};
  unsigned reconnect_max_s{60};
};

struct IncomingMessage {
  std::string topic;
  std::string payload;
  bool retained{false};
};

/// Counters for status and metrics (any thread).
struct LinkCounters {
  std::uint64_t connects{0};
  std::uint64_t published{0};
  std::uint64_t not_sent{0};  // publish refused: not connected, or the library's error
  std::uint64_t received{0};
  std::uint64_t dropped{0};  // too large, or received while 32 were waiting for the io_context
};

class MosquittoLink {
 public:
  /// `up` with "connected to host:port", or down with the reason (the broker's refusal, the
  /// connection lost, the lookup failed). Runs on `io`.
  using LinkHandler = std::function<void(bool up, const std::string& detail)>;
  /// Runs on `io`.
  using MessageHandler = std::function<void(const IncomingMessage&)>;

  MosquittoLink(boost::asio::io_context& io, BrokerOptions options);
  ~MosquittoLink();
  MosquittoLink(const MosquittoLink&) = delete;
  MosquittoLink& operator=(const MosquittoLink&) = delete;

  void set_link_handler(LinkHandler handler);
  void set_message_handler(MessageHandler handler);
  /// The broker acknowledged a QoS 1 message of publish_tracked() (PUBACK): its message id and
  /// the reason code (below 128: accepted). Runs on `io`. A message in flight when the
  /// connection is lost is never acknowledged: its sender sends it again (docs/mqtt.md).
  using PublishedHandler = std::function<void(int message_id, int reason_code)>;
  void set_published_handler(PublishedHandler handler);
  /// Starts connecting; returns at once. A setting the library refuses (a TLS file it cannot
  /// use) is reported through the link handler, as a down link.
  void start();
  /// Disconnects (the broker then keeps the will unpublished: the caller publishes "offline"
  /// first) and ends the threads.
  void stop();

  /// Queues a message for the network thread; never waits on the network. False (and counted
  /// as not sent) while not connected: retained state is published again on connect.
  bool publish(const std::string& topic, const std::string& payload, int qos, bool retain);
  struct Tracked {
    std::optional<int> message_id;  // the id its acknowledgement will carry; absent: not sent
    bool too_large{false};          // not sent: over the packet size the broker takes
  };
  /// As publish(), QoS 1, not retained. Call it on `io`: the acknowledgement, posted there, then
  /// always comes after the caller knows the id.
  Tracked publish_tracked(const std::string& topic, const std::string& payload);
  /// Subscribes now if connected; every subscription is made again on each connect.
  void subscribe(const std::string& filter, int qos);

  bool connected() const;
  LinkCounters counters() const;
  /// "mqtt host:port" (with "tls" when it is), for status.
  std::string describe() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bessd::broker
