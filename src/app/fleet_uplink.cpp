#include <bessd/app/fleet_uplink.hpp>

#include <algorithm>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <bessd/app/broker_connection.hpp>
#include <bessd/mqtt/mqtt_topics.hpp>

namespace bessd::app {

namespace {

using std::chrono::seconds;

// Events wait at most this long once caught up: a fault should reach the fleet view soon.
constexpr Duration kEventsEvery = seconds{5};
// After the log or the broker refused something, the stream tries again after this.
constexpr Duration kRetryAfter = seconds{30};
// Telemetry is read from the log this many rows at a time while a batch is thinned.
constexpr std::size_t kReadChunk = 1000;
// At most this many rows are read for one batch (20 000 s of a 1 Hz log at every 10 s keeps 2 000).
constexpr int kMaxChunksPerBatch = 20;
// MQTT 5's PUBACK reason code "packet too large".
constexpr int kPacketTooLarge = 0x95;

std::string site_id_of(const config::Config& config) {
  const auto& u = *config.uplink;
  if (!u.site_id.empty()) return u.site_id;
  if (config.mqtt && !config.mqtt->site_id.empty()) return config.mqtt->site_id;
  return mqtt::topic_level(config.site.name);
}

std::string status_topic(const UplinkSettings& s) {
  return s.topic_prefix + "/" + s.site_id + "/status";
}

}  // namespace

struct FleetUplink::Stream {
  Stream(boost::asio::io_context& io, std::string stream_name, std::string stream_topic,
         Duration every)
      : name(std::move(stream_name)), topic(std::move(stream_topic)), thinning(every), timer(io) {}
  std::string name;   // "telemetry", "events": also the cursor's name in the log
  std::string topic;  // <prefix>/<site>/<name>
  std::int64_t cursor{0};
  TelemetryThinning thinning;  // as it was after the row at the cursor
  struct InFlight {
    int message_id{0};
    std::int64_t to_seq{0};
    std::size_t rows{0};
    std::int64_t missing{0};
    bool full{false};  // more may be waiting in the log
    TelemetryThinning thinning{Duration{}};
  };
  std::optional<InFlight> in_flight;
  boost::asio::steady_timer timer;  // the next send, or the wait for an acknowledgement
};

struct FleetUplink::Prepared {
  std::string payload;
  Stream::InFlight batch;
  std::optional<WallTime> oldest;  // the oldest row in it
};

UplinkSettings uplink_settings_of(const config::Config& config) {
  const auto& u = *config.uplink;
  UplinkSettings s;
  s.site_id = site_id_of(config);
  s.topic_prefix = u.topic_prefix;
  s.telemetry_every = seconds{u.telemetry_every_s};
  s.send_every = seconds{u.send_every_s};
  s.batch_rows = static_cast<std::size_t>(u.batch_rows);
  s.max_messages_per_s = u.max_messages_per_s;
  s.start_jitter = seconds{u.start_jitter_s};
  return s;
}

broker::BrokerOptions uplink_broker_options_of(const config::Config& config,
                                               const std::filesystem::path& config_path) {
  const auto settings = uplink_settings_of(config);
  auto o = connection_options(*config.uplink, "bessd-" + settings.site_id + "-uplink", "/uplink",
                              config_path);
  o.will_topic = status_topic(settings);
  o.will_payload = "offline";
  return o;
}

FleetUplink::FleetUplink(const Clock& clock, storage::Store& store, UplinkSettings settings,
                         broker::BrokerOptions options, EventSink events)
    : clock_(clock),
      store_(store),
      settings_(std::move(settings)),
      status_topic_(status_topic(settings_)),
      link_(io_, std::move(options)),
      events_(std::move(events)),
      rows_cap_(settings_.batch_rows),
      random_(std::random_device{}()) {
  const std::string base = settings_.topic_prefix + "/" + settings_.site_id + "/";
  telemetry_ =
      std::make_unique<Stream>(io_, "telemetry", base + "telemetry", settings_.telemetry_every);
  events_stream_ = std::make_unique<Stream>(io_, "events", base + "events", Duration{});
  link_.set_link_handler([this](bool up, const std::string& detail) { on_link(up, detail); });
  link_.set_published_handler([this](int id, int reason) { on_published(id, reason); });
}

FleetUplink::~FleetUplink() {
  stop();
}

void FleetUplink::start() {
  if (thread_.joinable()) return;
  running_ = true;
  boost::asio::post(io_, [this] {
    for (Stream* s : {telemetry_.get(), events_stream_.get()}) {
      auto cursor = store_.read_cursor(s->name);
      if (!cursor)
        set_problem("cannot read where the " + s->name + " stream got to: " +
                    cursor.error().message + "; starting from the oldest row in the log");
      else if (*cursor)
        s->cursor = **cursor;
    }
    link_.start();
  });
  thread_ = std::thread([this] {
    auto work = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

void FleetUplink::stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    running_ = false;
    if (link_.connected()) link_.publish(status_topic_, "offline", 1, true);
    link_.stop();
    telemetry_->timer.cancel();
    events_stream_->timer.cancel();
    io_.stop();
  });
  thread_.join();
}

void FleetUplink::on_link(bool up, const std::string& detail) {
  if (!running_) return;
  bool was_up = false;
  {
    std::lock_guard lock(mutex_);
    was_up = figures_.connected;
    figures_.connected = up;
  }
  if (up) {
    {
      std::lock_guard lock(mutex_);
      figures_.unacknowledged_since.reset();  // what was in flight is sent again
    }
    link_.publish(status_topic_, "online", 1, true);
    set_problem("");
    if (lost_raised_)
      event(core::Severity::info, core::EventEdge::cleared, "uplink.link_lost", detail);
    lost_raised_ = false;
    // A fleet whose central broker comes back must not arrive all in the same second.
    const auto jitter_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.start_jitter).count();
    std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(jitter_ms, 0));
    const Duration wait = std::chrono::milliseconds{pick(random_)};
    for (Stream* s : {telemetry_.get(), events_stream_.get()}) {
      if (s->in_flight) {
        std::lock_guard lock(mutex_);
        ++figures_.resends;
      }
      s->in_flight.reset();  // sent again from the cursor
      schedule(*s, wait);
    }
    return;
  }
  if (was_up) {  // a lost connection, not another attempt that failed
    std::lock_guard lock(mutex_);
    ++figures_.losses;
  }
  set_problem(detail);
  if (!lost_raised_)  // once per outage, not per attempt to reconnect
    event(core::Severity::warning, core::EventEdge::raised, "uplink.link_lost", detail);
  lost_raised_ = true;
  for (Stream* s : {telemetry_.get(), events_stream_.get()}) s->timer.cancel();
}

void FleetUplink::schedule(Stream& s, Duration after) {
  s.timer.expires_after(after);
  s.timer.async_wait([this, &s](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    if (s.in_flight) {  // no acknowledgement in time: send it again
      s.in_flight.reset();
      std::lock_guard lock(mutex_);
      ++figures_.resends;
    }
    send(s);
  });
}

Duration FleetUplink::idle_period(const Stream& s) const {
  return &s == events_stream_.get() ? std::min(kEventsEvery, settings_.send_every)
                                    : settings_.send_every;
}

void FleetUplink::send(Stream& s) {
  if (!running_ || !link_.connected() || s.in_flight) return;
  const TimePoint now = clock_.now();
  if (now < next_slot_) return schedule(s, next_slot_ - now);
  auto prepared = read_batch(s);
  if (!prepared) return schedule(s, kRetryAfter);
  // Nothing new; or only rows the thinning leaves out so far: they go with the next kept row,
  // not as a message of their own every send_every_s. Unless the read stopped at its limit
  // with none kept (many short-period rows, a long telemetry_every_s): then the range goes
  // empty, or the next read would stop at the same place for ever.
  const bool nothing =
      prepared->batch.to_seq == s.cursor ||
      (prepared->batch.rows == 0 && prepared->batch.missing == 0 && !prepared->batch.full);
  if (&s == telemetry_.get()) {
    std::lock_guard lock(mutex_);
    figures_.oldest_unsent = nothing ? std::nullopt : prepared->oldest;
  }
  if (nothing) return schedule(s, idle_period(s));
  const auto sent = link_.publish_tracked(s.topic, prepared->payload);
  if (!sent.message_id) {
    // Over the packet size the broker announced: smaller batches from now on.
    if (sent.too_large && rows_cap_ > 1) {
      shrink_batches();
      return schedule(s, seconds{1});
    }
    if (sent.too_large)
      set_problem("the broker would not take even one row (" +
                  std::to_string(prepared->payload.size()) + " bytes): raise its packet size");
    return schedule(s, kRetryAfter);
  }
  prepared->batch.message_id = *sent.message_id;
  s.in_flight = prepared->batch;
  {
    std::lock_guard lock(mutex_);
    if (!figures_.unacknowledged_since) figures_.unacknowledged_since = now;
  }
  const auto spacing = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(1.0 / settings_.max_messages_per_s));
  next_slot_ = std::max(now, next_slot_) + spacing;
  schedule(s, settings_.ack_within);
}

std::optional<FleetUplink::Prepared> FleetUplink::read_batch(Stream& s) {
  return &s == telemetry_.get() ? read_telemetry(s) : read_events(s);
}

std::optional<FleetUplink::Prepared> FleetUplink::read_telemetry(Stream& s) {
  const std::size_t wanted = std::min(settings_.batch_rows, rows_cap_);
  Prepared p;
  p.batch.thinning = s.thinning;
  std::vector<storage::SequencedSample> kept;
  std::int64_t to = s.cursor;
  std::int64_t read = 0;
  bool more = false;
  for (int chunk = 0; chunk < kMaxChunksPerBatch && kept.size() < wanted; ++chunk) {
    auto rows = store_.telemetry_after(to, kReadChunk);
    if (!rows) {
      set_problem("cannot read telemetry from the log: " + rows.error().message);
      return std::nullopt;
    }
    for (auto& row : *rows) {
      if (!p.oldest) p.oldest = row.sample.at;
      ++read;
      to = row.seq;
      if (p.batch.thinning.keep(row.sample.at)) kept.push_back(std::move(row));
      if (kept.size() == wanted) break;
    }
    more = rows->size() == kReadChunk || kept.size() == wanted;
    if (rows->size() < kReadChunk) break;
  }
  p.batch.to_seq = to;
  p.batch.rows = kept.size();
  p.batch.missing = (to - s.cursor) - read;
  p.batch.full = more;
  p.payload = telemetry_batch_json(settings_.site_id, {s.cursor, to, p.batch.missing}, kept,
                                   clock_.wall_now());
  return p;
}

std::optional<FleetUplink::Prepared> FleetUplink::read_events(Stream& s) {
  const std::size_t wanted = std::min(settings_.batch_rows, rows_cap_);
  auto rows = store_.events_after(s.cursor, wanted);
  if (!rows) {
    set_problem("cannot read events from the log: " + rows.error().message);
    return std::nullopt;
  }
  Prepared p;
  p.batch.to_seq = rows->empty() ? s.cursor : rows->back().id;
  p.batch.rows = rows->size();
  p.batch.missing = (p.batch.to_seq - s.cursor) - static_cast<std::int64_t>(rows->size());
  p.batch.full = rows->size() == wanted;
  if (!rows->empty()) p.oldest = rows->front().at;
  p.payload = events_batch_json(settings_.site_id, {s.cursor, p.batch.to_seq, p.batch.missing},
                                *rows, clock_.wall_now());
  return p;
}

void FleetUplink::on_published(int message_id, int reason_code) {
  if (!running_) return;
  for (Stream* s : {telemetry_.get(), events_stream_.get()}) {
    if (!s->in_flight || s->in_flight->message_id != message_id) continue;
    s->timer.cancel();
    if (reason_code == kPacketTooLarge && rows_cap_ > 1) {
      // A broker that refuses the size without announcing it (mosquitto's
      // message_size_limit): smaller batches, as when it does.
      s->in_flight.reset();
      shrink_batches();
      return schedule(*s, seconds{1});
    }
    if (reason_code >= 128) {
      set_problem("the central broker refused a " + s->name + " batch (reason code " +
                  std::to_string(reason_code) + "); trying again");
      s->in_flight.reset();
      return schedule(*s, kRetryAfter);
    }
    return acknowledged(*s);
  }
  // Anything else: a batch of a connection since lost, already sent again from the cursor.
}

void FleetUplink::acknowledged(Stream& s) {
  const auto batch = *s.in_flight;
  s.in_flight.reset();
  s.cursor = batch.to_seq;
  s.thinning = batch.thinning;
  store_.save_read_cursor(s.name, s.cursor);
  bool was_refused = false;
  {
    std::lock_guard lock(mutex_);
    was_refused = !figures_.problem.empty();
    figures_.problem.clear();  // a refusal or a failed read before: over now
    ++figures_.batches_acknowledged;
    figures_.rows_sent += batch.rows;
    figures_.rows_missing += static_cast<std::uint64_t>(std::max<std::int64_t>(batch.missing, 0));
    figures_.acknowledged_at = clock_.now();
    figures_.unacknowledged_since.reset();
    for (const Stream* other : {telemetry_.get(), events_stream_.get()})
      if (other->in_flight) figures_.unacknowledged_since = figures_.acknowledged_at;
    if (!batch.full && &s == telemetry_.get()) figures_.oldest_unsent.reset();
  }
  // A broker that refused us (its ACL) may have refused the retained "online" too.
  if (was_refused) link_.publish(status_topic_, "online", 1, true);
  if (batch.missing > 0)
    event(core::Severity::warning, core::EventEdge::once, "uplink.rows_missing",
          std::to_string(batch.missing) + " " + s.name + " rows up to number " +
              std::to_string(batch.to_seq) +
              " were no longer in the log when the uplink got to them (retention, or a write "
              "that failed); the central side will never have them");
  schedule(s, batch.full ? Duration{} : idle_period(s));
}

void FleetUplink::shrink_batches() {
  rows_cap_ = std::max<std::size_t>(1, rows_cap_ / 2);
  std::lock_guard lock(mutex_);
  figures_.rows_cap = rows_cap_;
}

void FleetUplink::set_problem(std::string problem) {
  std::lock_guard lock(mutex_);
  figures_.problem = std::move(problem);
}

void FleetUplink::event(core::Severity severity, core::EventEdge edge, std::string code,
                        std::string message) {
  if (!events_) return;
  core::Event e;
  e.at = clock_.now();
  e.severity = severity;
  e.edge = edge;
  e.source = "uplink";
  e.code = std::move(code);
  e.message = std::move(message);
  events_(e);
}

UplinkFigures FleetUplink::figures() const {
  std::lock_guard lock(mutex_);
  return figures_;
}

std::vector<api::MetricSample> FleetUplink::metrics() const {
  const auto f = figures();
  const auto counter = [](const char* name, const char* help, std::uint64_t v) {
    return api::MetricSample{name, help, api::MetricType::counter, {}, static_cast<double>(v)};
  };
  return {
      counter("bessd_uplink_batches_acknowledged_total", "Batches the central broker acknowledged",
              f.batches_acknowledged),
      counter("bessd_uplink_rows_sent_total", "Telemetry rows and events in acknowledged batches",
              f.rows_sent),
      counter("bessd_uplink_rows_missing_total",
              "Rows the log no longer had when their turn to be sent came", f.rows_missing),
      counter("bessd_uplink_resends_total",
              "Batches sent again (no acknowledgement in time, or the link was lost)", f.resends),
  };
}

api::LinkStatus FleetUplink::link_status(TimePoint now) const {
  const auto f = figures();
  api::LinkStatus l;
  l.name = "uplink";
  l.state = f.connected ? api::LinkState::up
                        : (f.losses == 0 && f.problem.empty() ? api::LinkState::unknown
                                                              : api::LinkState::down);
  if (f.acknowledged_at && now >= *f.acknowledged_at)
    l.age_s = std::chrono::duration<double>(now - *f.acknowledged_at).count();
  l.error_count = f.losses;
  l.detail = f.problem.empty() ? link_.describe() : f.problem;
  // Connected, yet nothing acknowledged for a while: a broker that hangs, or a path that lost
  // the connection without either end knowing yet (the keep-alive finds it later).
  if (f.connected && f.unacknowledged_since &&
      now - *f.unacknowledged_since >= settings_.stale_after) {
    l.state = api::LinkState::stale;
    l.detail += "; no acknowledgement from the broker for " +
                std::to_string(static_cast<long long>(to_seconds(now - *f.unacknowledged_since))) +
                " s";
  }
  if (f.oldest_unsent)
    l.detail += "; catching up: the oldest row not yet sent is " +
                std::to_string(static_cast<long long>(
                    std::max(0.0, to_seconds(clock_.wall_now() - *f.oldest_unsent)))) +
                " s old";
  if (f.rows_cap)
    l.detail += "; " + std::to_string(*f.rows_cap) +
                " rows a message at most: the broker takes no larger packets";
  if (f.rows_missing > 0)
    l.detail += "; " + std::to_string(f.rows_missing) + " rows were gone from the log before sent";
  return l;
}

}  // namespace bessd::app
