#pragma once
// The fleet uplink (docs/fleet.md): telemetry rows and events from the site's log sent to a
// central broker in QoS 1 batches, one batch per stream in flight. A stream's read cursor moves,
// and is saved in the log, only when the broker has acknowledged the batch: after an outage of
// the broker, the network or bessd itself, sending resumes after the last acknowledged row, so
// nothing is lost and a row may arrive twice (the central side keeps one per (site_id, stream,
// seq)). Catching up is paced, and starts at a random moment after each connect.
//
// Runs on a thread of its own: the log reads and the JSON never take the control thread's time.
// Read-only: it subscribes to nothing.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/api/metric_sample.hpp>
#include <bessd/api/status_dto.hpp>
#include <bessd/app/fleet_batch.hpp>
#include <bessd/broker/mosquitto_link.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/config/config.hpp>
#include <bessd/core/event.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::app {

struct UplinkSettings {
  std::string site_id;
  std::string topic_prefix;
  Duration telemetry_every{std::chrono::seconds{10}};
  Duration send_every{std::chrono::seconds{60}};
  std::size_t batch_rows{120};
  double max_messages_per_s{2.0};
  Duration start_jitter{std::chrono::seconds{30}};
  /// Not configurable: a batch unacknowledged this long is sent again, and this long shows the
  /// link as stale (docs/fleet.md).
  Duration ack_within{std::chrono::seconds{60}};
  Duration stale_after{std::chrono::seconds{30}};
};

/// The uplink section's settings; the site id as docs/configuration.md "uplink" says.
UplinkSettings uplink_settings_of(const config::Config& config);
/// Its broker options (client id, TLS, the password file read: throws ConfigError naming
/// /uplink/password_file when it cannot), with the last will "offline" on <prefix>/<site>/status.
broker::BrokerOptions uplink_broker_options_of(const config::Config& config,
                                               const std::filesystem::path& config_path);

/// What status and metrics show; any thread.
struct UplinkFigures {
  bool connected{false};
  std::uint64_t batches_acknowledged{0};
  std::uint64_t rows_sent{0};  // telemetry rows and events, in acknowledged batches
  std::uint64_t rows_missing{0};
  std::uint64_t resends{0};  // batches sent again: no acknowledgement, or the link was lost
  std::uint64_t losses{0};   // connections lost (not failed attempts to connect)
  std::optional<TimePoint> acknowledged_at;
  /// The time stamp of the oldest telemetry row not yet acknowledged; absent when caught up.
  std::optional<WallTime> oldest_unsent;
  /// Since when a batch has been waiting for its acknowledgement; absent when none waits.
  std::optional<TimePoint> unacknowledged_since;
  /// Rows a message since the broker refused a larger one (its packet size); absent: batch_rows.
  std::optional<std::size_t> rows_cap;
  std::string problem;  // empty while all is well
};

class FleetUplink {
 public:
  /// Called on the uplink's thread: post to your own.
  using EventSink = std::function<void(const core::Event&)>;

  FleetUplink(const Clock& clock, storage::Store& store, UplinkSettings settings,
              broker::BrokerOptions options, EventSink events);
  ~FleetUplink();
  FleetUplink(const FleetUplink&) = delete;
  FleetUplink& operator=(const FleetUplink&) = delete;

  /// Reads the saved cursors and starts the thread and the connection.
  void start();
  /// Publishes "offline" (when connected), disconnects and ends the thread. A batch not yet
  /// acknowledged is sent again at the next start.
  void stop();

  UplinkFigures figures() const;
  /// The figures' counters for /metrics (docs/fleet.md "How it works"; docs/api.md "GET /metrics").
  std::vector<api::MetricSample> metrics() const;
  std::string describe() const { return link_.describe(); }
  /// "uplink" in status's links (docs/api.md): up while connected, the age of the last
  /// acknowledgement, the times the link was lost, and how far behind it is.
  api::LinkStatus link_status(TimePoint now) const;

 private:
  struct Stream;
  struct Prepared;

  void on_link(bool up, const std::string& detail);
  void on_published(int message_id, int reason_code);
  void schedule(Stream& s, Duration after);
  void send(Stream& s);
  std::optional<Prepared> read_batch(Stream& s);
  std::optional<Prepared> read_telemetry(Stream& s);
  std::optional<Prepared> read_events(Stream& s);
  void acknowledged(Stream& s);
  void shrink_batches();
  void set_problem(std::string problem);
  Duration idle_period(const Stream& s) const;
  void event(core::Severity severity, core::EventEdge edge, std::string code, std::string message);

  const Clock& clock_;
  storage::Store& store_;
  UplinkSettings settings_;
  std::string status_topic_;
  boost::asio::io_context io_;
  broker::MosquittoLink link_;
  EventSink events_;
  std::unique_ptr<Stream> telemetry_;
  std::unique_ptr<Stream> events_stream_;
  std::thread thread_;
  bool running_{false};
  bool lost_raised_{false};
  std::size_t rows_cap_;   // halved when the broker will not take a message that large
  TimePoint next_slot_{};  // pacing: the earliest the next message may go
  std::mt19937 random_;

  mutable std::mutex mutex_;  // guards figures_
  UplinkFigures figures_;
};

}  // namespace bessd::app
