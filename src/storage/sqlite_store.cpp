#include <bessd/storage/sqlite_store.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <variant>

#include "energy_days.hpp"
#include "migrations.hpp"
#include "queries.hpp"
#include "rollup.hpp"
#include "sqlite/database.hpp"
#include "value_codec.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kDayMs = 86'400'000;
// 2020-01-01T00:00:00Z: a record stamped earlier was written before the clock was set (no
// real-time clock, no NTP yet); no bessd ran before then.
constexpr std::int64_t kClockSetFromMs = 1'577'836'800'000;
// Telemetry up to this far ahead of the clock is normal jitter, not a clock that ran ahead.
constexpr std::int64_t kFutureSlackMs = 600'000;  // 10 minutes
constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kQuarterMs = 900'000;
constexpr double kHighWater = 0.90;  // start evicting raw telemetry above this share of the cap
constexpr double kLowWater = 0.85;   // ... until below this

struct EventItem {
  core::Event event;
  WallTime at;
  CommitCallback done;
};
struct AuditItem {
  AuditRecord record;
  CommitCallback done;
};
struct FaultSave {
  LatchedFault fault;
};
struct FaultClear {
  std::string code;
};
struct FaultClearAll {};
struct CounterSave {
  LifetimeCounter counter;
};
struct SnapshotSave {
  ConfigSnapshot snapshot;
};
struct EnergyDayAdd {
  energy::DayEnergy increase;
};
struct CursorSave {
  std::string stream;
  std::int64_t seq{0};
  WallTime at{};
};
struct Barrier {
  std::shared_ptr<std::promise<bool>> promise;
};
using Item =
    std::variant<TelemetrySample, EventItem, AuditItem, FaultSave, FaultClear, FaultClearAll,
                 CounterSave, SnapshotSave, EnergyDayAdd, CursorSave, Barrier>;

bool is_durable(const Item& item) {
  return !std::holds_alternative<TelemetrySample>(item) && !std::holds_alternative<Barrier>(item);
}

std::string utc_stamp(WallTime t) {
  const std::time_t tt = WallClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

class SqliteStore::Impl {
 public:
  explicit Impl(SqliteStoreOptions options)
      : opt_(std::move(options)),
        clock_(opt_.clock ? opt_.clock : &system_clock_),
        memory_(opt_.config.path == ":memory:"),
        capacity_(static_cast<std::size_t>(std::max<std::int64_t>(1, opt_.config.queue_capacity))),
        cap_bytes_(opt_.config.max_size_mb > 0
                       ? static_cast<std::uint64_t>(opt_.config.max_size_mb) * 1024 * 1024
                       : 0),
        max_gap_s_(std::max(5.0, 5.0 * opt_.config.telemetry_period_s)),
        acc_1m_(kMinuteMs, max_gap_s_),
        acc_15m_(kQuarterMs, max_gap_s_) {
    metrics_.queue_capacity = capacity_;
    thread_ = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    thread_.join();
  }

  // --- producer side (any thread, never waits on disk) -------------------------------------

  void enqueue(Item item) {
    {
      std::lock_guard lock(queue_mutex_);
      if (std::holds_alternative<TelemetrySample>(item)) {
        if (queue_telemetry_ >= capacity_ || stopped_) {
          ++dropped_;
          return;
        }
        ++queue_telemetry_;
        ++enqueued_;
      }
      if (stopped_) {
        // Only reachable after the destructor started; report rather than lose silently.
        if (auto* b = std::get_if<Barrier>(&item)) b->promise->set_value(false);
        return;
      }
      queue_.push_back(std::move(item));
    }
    queue_cv_.notify_one();
  }

  std::future<bool> flush() {
    auto p = std::make_shared<std::promise<bool>>();
    auto f = p->get_future();
    enqueue(Barrier{std::move(p)});
    return f;
  }

  StoreMetrics metrics() const {
    StoreMetrics m;
    {
      std::lock_guard lock(metrics_mutex_);
      m = metrics_;
    }
    std::lock_guard lock(queue_mutex_);
    m.queue_depth = queue_.size() + inflight_;
    m.telemetry_enqueued = enqueued_;
    m.telemetry_dropped = dropped_;
    return m;
  }

  void set_cap(std::uint64_t bytes) {
    {
      std::lock_guard lock(control_mutex_);
      requested_cap_ = bytes;
    }
    queue_cv_.notify_one();
  }
  void set_page_limit(std::uint64_t pages) {
    {
      std::lock_guard lock(control_mutex_);
      requested_page_limit_ = pages;
    }
    queue_cv_.notify_one();
  }

  // --- queries (any thread) ------------------------------------------------------------------

  template <typename F>
  auto query(F&& fn) -> decltype(fn(std::declval<sql::Connection&>())) {
    if (memory_) {
      // A ":memory:" database exists only in the writer's connection: share it under a lock.
      std::lock_guard lock(db_mutex_);
      if (!conn_) return fail(ErrorCode::storage_error, "storage: database not open");
      return fn(*conn_);
    }
    std::lock_guard lock(read_mutex_);
    const auto generation = generation_.load();
    if (!reader_ || reader_generation_ != generation) {
      reader_.reset();
      auto c = sql::Connection::open(opt_.config.path, sql::Connection::Mode::read_write,
                                     opt_.busy_timeout_ms);
      if (!c) return Failure{c.error()};
      if (auto s = c->exec("PRAGMA query_only = 1"); !s) return Failure{s.error()};
      reader_.emplace(std::move(*c));
      reader_generation_ = generation;
    }
    auto r = fn(*reader_);
    if (!r) reader_.reset();  // reopen next time (the file may have been replaced)
    return r;
  }

 private:
  // --- storage thread --------------------------------------------------------------------------

  void run() {
    auto next_retry = SteadyClock::now();
    auto next_checkpoint = SteadyClock::now() + opt_.checkpoint_period;
    std::vector<Item> batch;  // kept across failed attempts, retried in order
    for (;;) {
      bool stopping = false;
      {
        std::unique_lock lock(queue_mutex_);
        const bool can_write = conn_.has_value() && batch.empty();
        auto wake = [&] { return stopping_ || (can_write && !queue_.empty()); };
        const auto deadline = (!conn_ || !batch.empty()) ? next_retry : next_checkpoint;
        queue_cv_.wait_until(lock, std::min(deadline, SteadyClock::now() + 1s), wake);
        stopping = stopping_;
        if (conn_ && batch.empty()) take_batch(batch);
      }
      apply_controls();
      const auto now = SteadyClock::now();
      if (!conn_ && (now >= next_retry || stopping)) {
        if (!open_database()) {
          next_retry = now + backoff();
          if (stopping) break;
          continue;
        }
        std::lock_guard lock(queue_mutex_);
        if (batch.empty()) take_batch(batch);
      }
      if (conn_ && !batch.empty() && (now >= next_retry || stopping || failures_in_row_ == 0)) {
        if (write(batch)) {
          maintain();
          report_future_rows();
          // Barriers resolve after this batch's retention step, so a flushed store is also a
          // pruned one.
          for (auto& item : batch) {
            if (auto* b = std::get_if<Barrier>(&item)) b->promise->set_value(true);
          }
          batch.clear();
          {
            std::lock_guard lock(queue_mutex_);
            inflight_ = 0;
          }

        } else {
          next_retry = SteadyClock::now() + backoff();
          if (stopping) break;
        }
      }
      report_overflow();
      if (conn_ && SteadyClock::now() >= next_checkpoint) {
        checkpoint("PASSIVE");
        next_checkpoint = SteadyClock::now() + opt_.checkpoint_period;
      }
      if (stopping) {
        std::lock_guard lock(queue_mutex_);
        if (queue_.empty() && batch.empty()) break;
      }
    }
    // Whatever could not be written is lost with the process: resolve barriers, count the rest.
    std::deque<Item> rest;
    {
      std::lock_guard lock(queue_mutex_);
      stopped_ = true;
      rest.swap(queue_);
    }
    for (auto& it : batch) rest.push_back(std::move(it));
    std::size_t lost = 0;
    for (auto& it : rest) {
      if (auto* b = std::get_if<Barrier>(&it)) {
        b->promise->set_value(false);
      } else {
        ++lost;
      }
    }
    if (lost > 0 && opt_.on_event) {
      opt_.on_event(make_event(core::Severity::error, core::EventEdge::once, "storage.lost_on_stop",
                               std::to_string(lost) + " records could not be written before stop",
                               {{"records", std::to_string(lost)}}));
    }
    if (conn_) {
      std::lock_guard lock(db_mutex_);
      checkpoint("TRUNCATE");
      conn_.reset();
    }
  }

  // Caller holds queue_mutex_.
  void take_batch(std::vector<Item>& batch) {
    while (!queue_.empty() && batch.size() < opt_.max_batch) {
      if (std::holds_alternative<TelemetrySample>(queue_.front())) --queue_telemetry_;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    inflight_ = batch.size();
  }

  Duration backoff() {
    Duration d = opt_.retry_initial;
    for (unsigned i = 1; i < failures_in_row_ && d < opt_.retry_max; ++i) d *= 2;
    return std::min(d, opt_.retry_max);
  }

  void apply_controls() {
    std::optional<std::uint64_t> cap;
    std::optional<std::uint64_t> pages;
    {
      std::lock_guard lock(control_mutex_);
      cap.swap(requested_cap_);
      pages.swap(requested_page_limit_);
    }
    if (cap) cap_bytes_ = *cap;
    if (pages) page_limit_ = *pages;
    if ((cap || pages) && conn_) {
      std::lock_guard lock(db_mutex_);
      apply_page_limit();
    }
  }

  void apply_page_limit() {
    // 0 = SQLite's default maximum; the cap itself leaves 10 % headroom for eviction to work in.
    std::uint64_t pages = page_limit_;
    if (pages == 0 && cap_bytes_ > 0 && page_size_ > 0) pages = cap_bytes_ * 11 / 10 / page_size_;
    if (pages == 0) pages = 0xfffffffeULL;
    (void)conn_->exec("PRAGMA max_page_count = " + std::to_string(pages));
  }

  core::Event make_event(core::Severity sev, core::EventEdge edge, std::string code,
                         std::string message, std::map<std::string, std::string> fields = {}) {
    core::Event e;
    e.at = clock_->now();
    e.severity = sev;
    e.edge = edge;
    e.source = "storage";
    e.code = std::move(code);
    e.message = std::move(message);
    e.fields = std::move(fields);
    return e;
  }

  /// Raises an internal event: to the sink at once, and into the queue for the events table.
  void emit(core::Event e) {
    if (opt_.on_event) opt_.on_event(e);
    const WallTime at = clock_->wall_now();
    enqueue(EventItem{std::move(e), at, {}});
  }

  /// Raised/cleared edge for a named condition ("storage.disk_full", ...).
  void condition(const std::string& code, bool active, core::Severity sev, std::string message,
                 std::map<std::string, std::string> fields = {}) {
    bool& state = conditions_[code];
    if (state == active) return;
    state = active;
    emit(make_event(active ? sev : core::Severity::info,
                    active ? core::EventEdge::raised : core::EventEdge::cleared, code,
                    std::move(message), std::move(fields)));
  }

  /// Telemetry stamped later than now (+ slack): the clock ran ahead when it was written. Said
  /// once, as a warning event, while it lasts; retention ignores those times
  /// (retention_reference_ms()).
  void report_future_rows() {
    std::int64_t newest = 0;
    {
      std::lock_guard lock(db_mutex_);
      newest = newest_ms_;
    }
    const std::int64_t now_ms = to_unix_ms(clock_->wall_now());
    const bool ahead = newest > now_ms + kFutureSlackMs;
    if (ahead == conditions_["storage.future_rows"]) return;
    condition("storage.future_rows", ahead, core::Severity::warning,
              ahead ? "Telemetry stored with times in the future (newest " +
                          utc_stamp(from_unix_ms(newest)) +
                          "): the clock ran ahead when they were written; retention measures "
                          "age from now instead"
                    : "No stored telemetry is in the future any more",
              {{"newest_ms", std::to_string(newest)}, {"now_ms", std::to_string(now_ms)}});
  }

  void report_overflow() {
    std::uint64_t dropped = 0;
    std::size_t depth = 0;
    {
      std::lock_guard lock(queue_mutex_);
      dropped = dropped_;
      depth = queue_telemetry_;
    }
    if (dropped > dropped_reported_) {
      const auto fresh = dropped - dropped_reported_;
      dropped_reported_ = dropped;
      if (!conditions_["storage.queue_overflow"]) {
        condition("storage.queue_overflow", true, core::Severity::warning,
                  "Storage queue full: telemetry samples are being dropped",
                  {{"dropped", std::to_string(fresh)}, {"dropped_total", std::to_string(dropped)}});
      }
    } else if (conditions_["storage.queue_overflow"] && depth < capacity_ / 2) {
      condition("storage.queue_overflow", false, core::Severity::info,
                "Storage queue drained; telemetry is stored again",
                {{"dropped_total", std::to_string(dropped)}});
    }
  }

  void set_error(const std::string& message) {
    std::lock_guard lock(metrics_mutex_);
    metrics_.last_error = message;
    metrics_.available = false;
    ++metrics_.write_failures;
  }

  // --- opening, corruption -------------------------------------------------------------------

  bool open_database() {
    std::lock_guard lock(db_mutex_);
    auto r = try_open();
    if (r) return true;
    conn_.reset();
    const auto kind = last_kind_;
    if (kind == sql::FailureKind::corrupt && !memory_) {
      if (move_aside()) {
        auto again = try_open();
        if (again) return true;
        conn_.reset();
        fail_open(again.error());
        return false;
      }
    }
    fail_open(r.error());
    return false;
  }

  void fail_open(const Error& e) {
    ++failures_in_row_;
    set_error(e.message);
    condition("storage.unavailable", true, core::Severity::error,
              "Cannot open the database; retrying (telemetry is dropped while the queue is full)",
              {{"error", e.message}, {"path", opt_.config.path}});
  }

  Status try_open() {
    last_kind_ = sql::FailureKind::none;
    auto c = sql::Connection::open(opt_.config.path, sql::Connection::Mode::read_write_create,
                                   opt_.busy_timeout_ms);
    if (!c) {
      last_kind_ = sql::FailureKind::read_only;
      return Failure{c.error()};
    }
    conn_.emplace(std::move(*c));
    auto check = [&](Status s) -> Status {
      if (!s) last_kind_ = sql::classify(conn_->last_failure_code());
      return s;
    };
    // Must precede anything that writes page 1 (journal_mode = WAL does): auto_vacuum can only
    // be chosen before the first table; on an existing database this is a no-op.
    if (auto s = check(conn_->exec("PRAGMA auto_vacuum = INCREMENTAL")); !s) return s;
    if (!memory_) {
      auto mode = conn_->query_text("PRAGMA journal_mode = WAL");
      if (!mode) return check(Failure{mode.error()});
      if (opt_.check_on_open) {
        auto ok = conn_->query_text("PRAGMA quick_check(1)");
        if (!ok) return check(Failure{ok.error()});
        if (*ok != "ok") {
          last_kind_ = sql::FailureKind::corrupt;
          return fail(ErrorCode::storage_error, "sqlite " + opt_.config.path + ": " + *ok);
        }
      }
    }
    if (auto s = check(migrate(*conn_)); !s) {
      if (last_kind_ == sql::FailureKind::none) last_kind_ = sql::FailureKind::other;
      return s;
    }
    // Events/audit switch this to FULL per transaction (see write()).
    if (auto s = check(conn_->exec("PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = "
                                   "8388608; PRAGMA wal_autocheckpoint = 1000"));
        !s)
      return s;
    synchronous_full_ = false;
    auto ps = conn_->query_int("PRAGMA page_size");
    if (!ps) return check(Failure{ps.error()});
    page_size_ = static_cast<std::uint64_t>(*ps);
    apply_page_limit();
    if (auto s = check(prepare_statements()); !s) return s;
    labels_.clear();
    run_id_ = 0;  // a file opened afresh (or replaced) gets this run's row with its first write
    if (auto s = check(restore_rollups()); !s) return s;
    if (auto s = check(load_newest()); !s) return s;
    generation_.fetch_add(1);
    failures_in_row_ = 0;
    {
      std::lock_guard mlock(metrics_mutex_);
      metrics_.available = true;
      metrics_.last_error.clear();
    }
    condition("storage.unavailable", false, core::Severity::info, "Database open",
              {{"path", opt_.config.path}});
    return {};
  }

  bool move_aside() {
    namespace fs = std::filesystem;
    const std::string stamp = utc_stamp(clock_->wall_now());
    const fs::path path(opt_.config.path);
    const fs::path aside(opt_.config.path + ".corrupt-" + stamp);
    std::error_code ec;
    fs::rename(path, aside, ec);
    if (ec) {
      set_error("cannot move corrupt database aside: " + ec.message());
      return false;
    }
    // The WAL belongs to the corrupt file; keep it with it. The shm index is rebuilt anyway.
    fs::rename(opt_.config.path + "-wal", aside.string() + "-wal", ec);
    fs::remove(opt_.config.path + "-shm", ec);
    {
      std::lock_guard lock(metrics_mutex_);
      ++metrics_.corrupt_files_replaced;
    }
    generation_.fetch_add(1);
    emit(make_event(core::Severity::error, core::EventEdge::once, "storage.corrupt_replaced",
                    "The database was corrupt: moved aside and a new one started",
                    {{"path", opt_.config.path}, {"moved_to", aside.string()}}));
    return true;
  }

  Status prepare_statements() {
    auto p = [&](sql::Statement& st, const char* text) -> Status {
      auto r = conn_->prepare(text);
      if (!r) return Failure{r.error()};
      st = std::move(*r);
      return {};
    };
    Status s;
    for (auto [st, text] : std::initializer_list<std::pair<sql::Statement*, const char*>>{
             {&ins_raw_,
              "INSERT OR REPLACE INTO telemetry_raw(ts_ms, state_id, mode_id, data, seq, run) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
             {&ins_1m_,
              "INSERT OR REPLACE INTO rollup_1m(bucket_ms, samples, charge_mwh, discharge_mwh, "
              "state_id, mode_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
             {&ins_15m_,
              "INSERT OR REPLACE INTO rollup_15m(bucket_ms, samples, charge_mwh, discharge_mwh, "
              "state_id, mode_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
             {&ins_event_,
              "INSERT INTO events(ts_ms, severity, edge, source, code, message, fields, run) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
             {&ins_audit_,
              "INSERT INTO audit(ts_ms, actor, request, sent_kind, sent_power_w, "
              "sent_charge_max_w, sent_discharge_max_w, sent_reason, readback_power_w, outcome, "
              "action, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
             {&ins_label_, "INSERT OR IGNORE INTO labels(text) VALUES (?1)"},
             {&sel_label_, "SELECT id FROM labels WHERE text = ?1"},
         }) {
      if (s = p(*st, text); !s) return s;
    }
    return {};
  }

  /// Rebuilds the open (partial) rollup buckets from raw rows after the last complete 15-minute
  /// bucket: bounded work at start-up. On a database that has raw rows but no rollups (migrated
  /// from schema 1) this backfills every rollup the raw rows allow.
  Status restore_rollups() {
    acc_1m_ = RollupAccumulator(kMinuteMs, max_gap_s_);
    acc_15m_ = RollupAccumulator(kQuarterMs, max_gap_s_);
    auto last = conn_->query_int("SELECT coalesce(max(bucket_ms), -1) FROM rollup_15m");
    if (!last) return Failure{last.error()};
    const std::int64_t from = *last < 0 ? INT64_MIN : *last + kQuarterMs;
    auto st = conn_->prepare(
        "SELECT r.ts_ms, s.text, m.text, r.data FROM telemetry_raw r LEFT JOIN labels s ON s.id "
        "= r.state_id LEFT JOIN labels m ON m.id = r.mode_id WHERE r.ts_ms >= ?1 ORDER BY "
        "r.ts_ms");
    if (!st) return Failure{st.error()};
    st->bind(1, from);
    auto tx = sql::Transaction::begin(*conn_);
    if (!tx) return Failure{tx.error()};
    for (;;) {
      auto row = st->step();
      if (!row) return Failure{row.error()};
      if (!*row) break;
      auto values = codec::decode_raw(st->blob(3));
      if (!values) continue;  // an undecodable row is skipped, not fatal
      TelemetrySample s;
      s.at = from_unix_ms(st->int64(0));
      s.controller_state = st->text(1);
      s.controller_mode = st->text(2);
      codec::assign_values(s, *values);
      if (auto b = acc_1m_.add(s); b) {
        if (auto w = write_bucket(ins_1m_, *b); !w) return w;
      }
      if (auto b = acc_15m_.add(s); b) {
        if (auto w = write_bucket(ins_15m_, *b); !w) return w;
      }
    }
    return tx->commit();
  }

  Status load_newest() {
    auto n = conn_->query_int("SELECT coalesce(max(ts_ms), 0) FROM telemetry_raw");
    if (!n) return Failure{n.error()};
    newest_ms_ = std::max(newest_ms_, *n);
    // Never below a reader's cursor: were every row evicted (the size cap), numbering again
    // from 1 would put the new rows behind where the fleet uplink already got to.
    auto seq = conn_->query_int(
        "SELECT max(coalesce((SELECT max(seq) FROM telemetry_raw), 0), "
        "coalesce((SELECT max(seq) FROM read_cursors WHERE stream = 'telemetry'), 0))");
    if (!seq) return Failure{seq.error()};
    next_seq_ = *seq + 1;
    return {};
  }

  // --- writing -------------------------------------------------------------------------------

  Result<std::optional<std::int64_t>> label_id(const std::string& text) {
    if (text.empty()) return std::optional<std::int64_t>{};
    if (auto it = labels_.find(text); it != labels_.end())
      return std::optional<std::int64_t>{it->second};
    ins_label_.reset();
    ins_label_.bind(1, text);
    if (auto s = ins_label_.run(); !s) return Failure{s.error()};
    sel_label_.reset();
    sel_label_.bind(1, text);
    auto row = sel_label_.step();
    if (!row) return Failure{row.error()};
    if (!*row) return fail(ErrorCode::internal, "label vanished: " + text);
    const auto id = sel_label_.int64(0);
    sel_label_.reset();
    labels_[text] = id;
    return std::optional<std::int64_t>{id};
  }

  Status bind_label(sql::Statement& st, int index, const std::string& text) {
    auto id = label_id(text);
    if (!id) return Failure{id.error()};
    if (*id) {
      st.bind(index, **id);
    } else {
      st.bind_null(index);
    }
    return {};
  }

  Status write_bucket(sql::Statement& st, const RollupBucket& b) {
    const auto blob = codec::encode_stats(b.stats());
    st.reset();
    st.bind(1, b.start_ms)
        .bind(2, static_cast<std::int64_t>(b.samples))
        .bind(3, static_cast<std::int64_t>(std::llround(b.charge_wh * 1000.0)))
        .bind(4, static_cast<std::int64_t>(std::llround(b.discharge_wh * 1000.0)));
    if (auto s = bind_label(st, 5, b.last_state); !s) return s;
    if (auto s = bind_label(st, 6, b.last_mode); !s) return s;
    st.bind(7, std::span<const std::uint8_t>(blob));
    return st.run();
  }

  Status write_sample(const TelemetrySample& s) {
    const auto blob = codec::encode_raw(codec::values_of(s));
    const auto ts = to_unix_ms(s.at);
    ins_raw_.reset();
    ins_raw_.bind(1, ts);
    if (auto st = bind_label(ins_raw_, 2, s.controller_state); !st) return st;
    if (auto st = bind_label(ins_raw_, 3, s.controller_mode); !st) return st;
    auto run = this_run();
    if (!run) return Failure{run.error()};
    ins_raw_.bind(4, std::span<const std::uint8_t>(blob)).bind(5, next_seq_).bind(6, *run);
    if (auto st = ins_raw_.run(); !st) return st;
    ++next_seq_;
    if (auto b = acc_1m_.add(s); b) {
      if (auto st = write_bucket(ins_1m_, *b); !st) return st;
    }
    if (auto b = acc_15m_.add(s); b) {
      if (auto st = write_bucket(ins_15m_, *b); !st) return st;
    }
    newest_ms_ = std::max(newest_ms_, ts);
    return {};
  }

  // This run's row in log_runs, made with the first row it writes to this file (inside that
  // write's transaction: opening a full database must not need a write).
  Result<std::int64_t> this_run() {
    if (run_id_ != 0) return run_id_;
    auto add = conn_->prepare("INSERT OR IGNORE INTO log_runs(token, started_ms) VALUES (?1, ?2)");
    if (!add) return Failure{add.error()};
    add->bind(1, run_token_).bind(2, to_unix_ms(clock_->wall_now()));
    if (auto s = add->run(); !s) return Failure{s.error()};
    auto find = conn_->prepare("SELECT run FROM log_runs WHERE token = ?1");
    if (!find) return Failure{find.error()};
    find->bind(1, run_token_);
    auto row = find->step();
    if (!row) return Failure{row.error()};
    if (!*row) return fail(ErrorCode::storage_error, "log_runs lost the row just written");
    run_id_ = find->int64(0);
    return run_id_;
  }

  Result<std::int64_t> write_event(const EventItem& e) {
    ins_event_.reset();
    ins_event_.bind(1, to_unix_ms(e.at))
        .bind(2, static_cast<std::int64_t>(e.event.severity))
        .bind(3, static_cast<std::int64_t>(e.event.edge))
        .bind(4, e.event.source)
        .bind(5, e.event.code)
        .bind(6, e.event.message)
        .bind(7, queries::fields_to_json(e.event.fields));
    auto run = this_run();
    if (!run) return Failure{run.error()};
    ins_event_.bind(8, *run);
    if (auto s = ins_event_.run(); !s) return Failure{s.error()};
    return conn_->last_insert_rowid();
  }

  Result<std::int64_t> write_audit(const AuditRecord& a) {
    ins_audit_.reset();
    ins_audit_.bind(1, to_unix_ms(a.at))
        .bind(2, a.actor)
        .bind(3, a.request)
        .bind(4, static_cast<std::int64_t>(a.sent.kind))
        .bind(5, a.sent.battery_power_w)
        .bind(6, a.sent.charge_power_max_w)
        .bind(7, a.sent.discharge_power_max_w)
        .bind(8, a.sent.reason)
        .bind(9, a.readback_power_w)
        .bind(10, a.outcome)
        .bind(11, a.action)
        .bind(12, a.message);
    if (auto s = ins_audit_.run(); !s) return Failure{s.error()};
    return conn_->last_insert_rowid();
  }

  Status exec_bound(const char* text, const std::function<void(sql::Statement&)>& bind) {
    auto st = conn_->prepare(text);
    if (!st) return Failure{st.error()};
    bind(*st);
    return st->run();
  }

  Status write_other(const Item& item) {
    if (const auto* f = std::get_if<FaultSave>(&item)) {
      return exec_bound(
          "INSERT OR REPLACE INTO latched_faults(code, severity, raised_ms, message, fields) "
          "VALUES (?1, ?2, ?3, ?4, ?5)",
          [&](sql::Statement& st) {
            st.bind(1, f->fault.code)
                .bind(2, static_cast<std::int64_t>(f->fault.severity))
                .bind(3, to_unix_ms(f->fault.raised_at))
                .bind(4, f->fault.message)
                .bind(5, queries::fields_to_json(f->fault.fields));
          });
    }
    if (const auto* c = std::get_if<FaultClear>(&item)) {
      return exec_bound("DELETE FROM latched_faults WHERE code = ?1",
                        [&](sql::Statement& st) { st.bind(1, c->code); });
    }
    if (std::holds_alternative<FaultClearAll>(item))
      return conn_->exec("DELETE FROM latched_faults");
    if (const auto* c = std::get_if<CounterSave>(&item)) {
      return exec_bound(
          "INSERT OR REPLACE INTO lifetime_counters(key, value, derived, updated_ms) VALUES (?1, "
          "?2, ?3, ?4)",
          [&](sql::Statement& st) {
            st.bind(1, c->counter.key)
                .bind(2, c->counter.value)
                .bind(3, std::int64_t{c->counter.origin == CounterOrigin::derived ? 1 : 0})
                .bind(4, to_unix_ms(c->counter.updated_at));
          });
    }
    if (const auto* c = std::get_if<CursorSave>(&item)) {
      return exec_bound(
          "INSERT OR REPLACE INTO read_cursors(stream, seq, updated_ms) VALUES (?1, ?2, ?3)",
          [&](sql::Statement& st) {
            st.bind(1, c->stream).bind(2, c->seq).bind(3, to_unix_ms(c->at));
          });
    }
    if (const auto* e = std::get_if<EnergyDayAdd>(&item)) {
      return exec_bound(queries::kAddEnergyDay,
                        [&](sql::Statement& st) { queries::bind_energy_day(st, e->increase); });
    }
    if (const auto* s = std::get_if<SnapshotSave>(&item)) {
      return exec_bound(
          "INSERT INTO config_snapshots(ts_ms, hash, text) SELECT ?1, ?2, ?3 WHERE "
          "coalesce((SELECT "
          "hash FROM config_snapshots ORDER BY id DESC LIMIT 1), '') <> ?2",
          [&](sql::Statement& st) {
            st.bind(1, to_unix_ms(s->snapshot.at))
                .bind(2, s->snapshot.hash)
                .bind(3, s->snapshot.text);
          });
    }
    return {};
  }

  /// One transaction for the whole batch. On failure the rollup state is restored so that the
  /// retry adds every sample exactly once.
  bool write(std::vector<Item>& batch) {
    std::unique_lock lock(db_mutex_);
    const bool durable = std::any_of(batch.begin(), batch.end(), is_durable);
    const auto saved_1m = acc_1m_;
    const auto saved_15m = acc_15m_;
    const auto saved_newest = newest_ms_;
    const auto saved_run_id = run_id_;
    const auto saved_labels = labels_;
    std::vector<std::pair<const CommitCallback*, std::int64_t>> done;
    std::uint64_t samples = 0;
    std::uint64_t events = 0;
    std::uint64_t audits = 0;
    auto attempt = [&]() -> Status {
      if (durable != synchronous_full_) {
        if (auto s =
                conn_->exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            !s)
          return s;
        synchronous_full_ = durable;
      }
      auto tx = sql::Transaction::begin(*conn_);
      if (!tx) return Failure{tx.error()};
      for (const auto& item : batch) {
        if (const auto* s = std::get_if<TelemetrySample>(&item)) {
          if (auto st = write_sample(*s); !st) return st;
          ++samples;
        } else if (const auto* e = std::get_if<EventItem>(&item)) {
          auto id = write_event(*e);
          if (!id) return Failure{id.error()};
          if (e->done) done.emplace_back(&e->done, *id);
          ++events;
        } else if (const auto* a = std::get_if<AuditItem>(&item)) {
          auto id = write_audit(a->record);
          if (!id) return Failure{id.error()};
          if (a->done) done.emplace_back(&a->done, *id);
          ++audits;
        } else if (auto st = write_other(item); !st) {
          return st;
        }
      }
      return tx->commit();
    };
    auto result = attempt();
    if (!result) {
      acc_1m_ = saved_1m;
      acc_15m_ = saved_15m;
      newest_ms_ = saved_newest;
      run_id_ = saved_run_id;  // a log_runs row inserted in the rolled-back transaction is gone
      labels_ = saved_labels;  // ids inserted in the rolled-back transaction are gone
      lock.unlock();
      handle_failure(result.error());
      return false;
    }
    lock.unlock();
    failures_in_row_ = 0;
    condition("storage.disk_full", false, core::Severity::info, "The database is writable again");
    condition("storage.write_failed", false, core::Severity::info, "Database writes succeed again");
    condition("storage.unavailable", false, core::Severity::info, "Database open",
              {{"path", opt_.config.path}});
    {
      std::lock_guard mlock(metrics_mutex_);
      metrics_.telemetry_written += samples;
      metrics_.events_written += events;
      metrics_.audit_written += audits;
      ++metrics_.batches_committed;
      metrics_.available = true;
      metrics_.last_error.clear();
    }
    last_batch_samples_ = samples;
    for (auto& [cb, id] : done) (*cb)(id);
    return true;
  }

  void handle_failure(const Error& error) {
    ++failures_in_row_;
    set_error(error.message);
    const auto kind = sql::classify(conn_ ? conn_->last_failure_code() : 0);
    switch (kind) {
      case sql::FailureKind::full: {
        condition("storage.disk_full", true, core::Severity::error,
                  "The database cannot grow (disk or size limit full); retrying",
                  {{"error", error.message}});
        // Make room if there is anything evictable; the retry then goes through at once.
        std::lock_guard lock(db_mutex_);
        if (evict_oldest(opt_.prune_batch_rows * 5) > 0) failures_in_row_ = 0;
        break;
      }
      case sql::FailureKind::corrupt: {
        if (memory_) break;
        {
          std::lock_guard lock(db_mutex_);
          conn_.reset();
        }
        {
          std::lock_guard lock(db_mutex_);
          if (move_aside()) {
            failures_in_row_ = 0;
          }
        }
        break;
      }
      case sql::FailureKind::read_only:
      case sql::FailureKind::io: {
        condition("storage.unavailable", true, core::Severity::error,
                  "The database cannot be written (read-only or I/O error); retrying",
                  {{"error", error.message}, {"path", opt_.config.path}});
        if (!memory_) {
          std::lock_guard lock(db_mutex_);
          conn_.reset();  // reopen: the file system may come back read-write
        }
        break;
      }
      case sql::FailureKind::busy:
        break;  // the busy timeout already waited; try again after the backoff
      case sql::FailureKind::none:
      case sql::FailureKind::other:
        condition("storage.write_failed", true, core::Severity::error,
                  "A database write failed; retrying", {{"error", error.message}});
        break;
    }
  }

  // --- retention, size cap, checkpoints --------------------------------------------------------

  /// Deletes up to `limit` rows older than `cutoff` from `table`; returns rows deleted.
  /// Deletes up to `limit` rows of `table` stamped in [`from`, `cutoff`), oldest first.
  std::int64_t prune(const char* table, const char* column, std::int64_t cutoff, std::size_t limit,
                     std::int64_t from = std::numeric_limits<std::int64_t>::min()) {
    auto st = conn_->prepare(std::string("DELETE FROM ") + table + " WHERE " + column +
                             " IN (SELECT " + column + " FROM " + table + " WHERE " + column +
                             " < ?1 AND " + column + " >= ?3 ORDER BY " + column + " LIMIT ?2)");
    if (!st) return 0;
    st->bind(1, cutoff).bind(2, static_cast<std::int64_t>(limit)).bind(3, from);
    if (!st->run()) return 0;
    return conn_->changes();
  }

  /// Deletes up to `limit` of the oldest rows of `table` (by id) beyond its newest `keep`.
  std::int64_t prune_to_count(const char* table, std::int64_t keep, std::size_t limit) {
    auto st = conn_->prepare(std::string("DELETE FROM ") + table + " WHERE id IN (SELECT id FROM " +
                             table + " WHERE id <= (SELECT id FROM " + table +
                             " ORDER BY id DESC LIMIT 1 OFFSET ?1) ORDER BY id LIMIT ?2)");
    if (!st) return 0;
    st->bind(1, keep).bind(2, static_cast<std::int64_t>(limit));
    if (!st->run()) return 0;
    return conn_->changes();
  }

  /// Oldest-raw-first eviction for the size cap: raw, then 1-minute, then 15-minute rows; the
  /// events and the audit only when telemetry is gone (a flood of them must not jam the cap).
  std::int64_t evict_oldest(std::size_t limit) {
    for (auto [table, column] :
         {std::pair{"telemetry_raw", "ts_ms"}, std::pair{"rollup_1m", "bucket_ms"},
          std::pair{"rollup_15m", "bucket_ms"}, std::pair{"events", "id"},
          std::pair{"audit", "id"}}) {
      const auto n = prune(table, column, INT64_MAX, limit);
      if (n > 0) {
        std::lock_guard lock(metrics_mutex_);
        metrics_.rows_evicted += static_cast<std::uint64_t>(n);
        return n;
      }
    }
    return 0;
  }

  /// The time retention measures age from: the newest telemetry time, but never later than the
  /// clock's "now". Rows stamped in the future (the clock once ran ahead, then was corrected)
  /// must not move the cutoffs, or every record written afterwards would be "too old" at once
  /// (docs/operations.md "Retention and the clock"). Without telemetry, 0: nothing is pruned by
  /// age. With a simulated clock, the stored times and "now" come from the same clock.
  std::int64_t retention_reference_ms() const {
    if (newest_ms_ <= 0) return 0;
    return std::min(newest_ms_, to_unix_ms(clock_->wall_now()));
  }

  void maintain() {
    std::lock_guard lock(db_mutex_);
    // Retention, relative to retention_reference_ms(). Each step is bounded and runs in
    // autocommit (its own short transaction).
    const auto& r = opt_.config.retention;
    // At least twice what the last batch added, so pruning always keeps up with inserts.
    const std::size_t budget =
        std::max<std::size_t>(opt_.prune_batch_rows, 2 * last_batch_samples_);
    std::int64_t pruned = 0;
    const std::int64_t reference_ms = retention_reference_ms();
    if (reference_ms > 0) {
      pruned += prune("telemetry_raw", "ts_ms", reference_ms - r.raw_days * kDayMs, budget);
      pruned += prune("rollup_1m", "bucket_ms", reference_ms - r.minute_days * kDayMs, budget);
      if (r.quarter_hour_days > 0)
        pruned +=
            prune("rollup_15m", "bucket_ms", reference_ms - r.quarter_hour_days * kDayMs, budget);
    }
    // Events and audit: by age, like telemetry, and by count, oldest first (a flood cannot fill
    // the disk).
    // Rows stamped before kClockSetFromMs were written while the clock was unset (a gateway
    // without a real-time clock, before NTP): their age is unknown, so only the count prunes
    // them (docs/operations.md "Retention and the clock").
    if (reference_ms > 0 && r.events_days > 0)
      pruned +=
          prune("events", "ts_ms", reference_ms - r.events_days * kDayMs, budget, kClockSetFromMs);
    if (reference_ms > 0 && r.audit_days > 0)
      pruned +=
          prune("audit", "ts_ms", reference_ms - r.audit_days * kDayMs, budget, kClockSetFromMs);
    pruned += prune_to_count("events", r.events_max_rows, budget);
    pruned += prune_to_count("audit", r.audit_max_rows, budget);
    auto pages = conn_->query_int("PRAGMA page_count");
    auto free_pages = conn_->query_int("PRAGMA freelist_count");
    if (!pages || !free_pages) return;
    std::uint64_t used = static_cast<std::uint64_t>(*pages - *free_pages) * page_size_;
    std::uint64_t evicted = 0;
    if (cap_bytes_ > 0 && used > static_cast<std::uint64_t>(kHighWater * cap_bytes_)) {
      // A few bounded steps per batch; the next batches continue until below the low water.
      for (int step = 0; step < 8 && used > static_cast<std::uint64_t>(kLowWater * cap_bytes_);
           ++step) {
        const auto n = evict_oldest(budget);
        if (n == 0) break;
        evicted += static_cast<std::uint64_t>(n);
        auto p = conn_->query_int("PRAGMA page_count");
        auto f = conn_->query_int("PRAGMA freelist_count");
        if (!p || !f) break;
        used = static_cast<std::uint64_t>(*p - *f) * page_size_;
        *pages = *p;
        *free_pages = *f;
      }
    }
    // Free pages are normally reused by new rows; give them back to the file system only when
    // they are a large share (after eviction or a retention change), a bounded number per step.
    if (*free_pages > 256 &&
        (*free_pages * 4 > *pages || evicted > 0 ||
         (cap_bytes_ > 0 && static_cast<std::uint64_t>(*pages) * page_size_ > cap_bytes_))) {
      (void)conn_->exec("PRAGMA incremental_vacuum(2048)");
    }
    std::lock_guard mlock(metrics_mutex_);
    metrics_.rows_pruned += static_cast<std::uint64_t>(pruned);
    metrics_.database_bytes = used;
  }

  void checkpoint(const char* mode) {
    if (memory_ || !conn_) return;
    (void)conn_->exec(std::string("PRAGMA wal_checkpoint(") + mode + ")");
  }

  SqliteStoreOptions opt_;
  SystemClock system_clock_;
  const Clock* clock_;
  const bool memory_;
  const std::size_t capacity_;

  // Queue (producers and the storage thread).
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;
  std::size_t queue_telemetry_{0};
  std::size_t inflight_{0};
  std::uint64_t enqueued_{0};
  std::uint64_t dropped_{0};
  bool stopping_{false};
  bool stopped_{false};

  // Run-time controls.
  std::mutex control_mutex_;
  std::optional<std::uint64_t> requested_cap_;
  std::optional<std::uint64_t> requested_page_limit_;

  mutable std::mutex metrics_mutex_;
  StoreMetrics metrics_;

  // Storage-thread state. db_mutex_ guards conn_ against the query path of ":memory:" stores
  // (and makes the hand-over explicit); file stores read on their own connection.
  std::mutex db_mutex_;
  std::optional<sql::Connection> conn_;
  sql::Statement ins_raw_, ins_1m_, ins_15m_, ins_event_, ins_audit_, ins_label_, sel_label_;
  std::int64_t next_seq_{1};  // the sequence number of the next telemetry row (writer thread)
  // This run's token (random, below 2^53 so JSON readers keep it exact) and its log_runs row in
  // the open file (0: not written yet).
  std::int64_t run_token_{new_run_token()};
  std::int64_t run_id_{0};
  std::unordered_map<std::string, std::int64_t> labels_;
  std::uint64_t cap_bytes_;
  std::uint64_t page_limit_{0};
  std::uint64_t page_size_{4096};
  double max_gap_s_;
  RollupAccumulator acc_1m_;
  RollupAccumulator acc_15m_;
  std::int64_t newest_ms_{0};
  bool synchronous_full_{false};
  std::uint64_t last_batch_samples_{0};
  unsigned failures_in_row_{0};
  sql::FailureKind last_kind_{sql::FailureKind::none};
  std::map<std::string, bool> conditions_;
  std::uint64_t dropped_reported_{0};
  std::atomic<std::uint64_t> generation_{0};

  // Read side.
  std::mutex read_mutex_;
  std::optional<sql::Connection> reader_;
  std::uint64_t reader_generation_{0};

  std::thread thread_;  // last: starts after every member above is constructed
};

SqliteStore::SqliteStore(SqliteStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
SqliteStore::~SqliteStore() = default;

void SqliteStore::append_telemetry(const TelemetrySample& sample) {
  impl_->enqueue(sample);
}
void SqliteStore::append_event(const core::Event& event, WallTime at, CommitCallback on_committed) {
  impl_->enqueue(EventItem{event, at, std::move(on_committed)});
}
void SqliteStore::append_audit(const AuditRecord& record, CommitCallback on_committed) {
  impl_->enqueue(AuditItem{record, std::move(on_committed)});
}
void SqliteStore::save_latched_fault(const LatchedFault& fault) {
  impl_->enqueue(FaultSave{fault});
}
void SqliteStore::clear_latched_fault(const std::string& code) {
  impl_->enqueue(FaultClear{code});
}
void SqliteStore::clear_all_latched_faults() {
  impl_->enqueue(FaultClearAll{});
}
void SqliteStore::save_counter(const LifetimeCounter& counter) {
  impl_->enqueue(CounterSave{counter});
}
void SqliteStore::save_config_snapshot(const ConfigSnapshot& snapshot) {
  impl_->enqueue(SnapshotSave{snapshot});
}

Result<std::vector<LatchedFault>> SqliteStore::load_latched_faults() {
  return impl_->query([](sql::Connection& c) { return queries::latched_faults(c); });
}
Result<std::vector<LifetimeCounter>> SqliteStore::load_counters() {
  return impl_->query([](sql::Connection& c) { return queries::counters(c); });
}
void SqliteStore::add_energy_day(const energy::DayEnergy& increase) {
  impl_->enqueue(EnergyDayAdd{increase});
}
Result<std::vector<energy::DayEnergy>> SqliteStore::energy_days(Date from, Date to) {
  return impl_->query([from, to](sql::Connection& c) { return queries::energy_days(c, from, to); });
}
Result<std::optional<ConfigSnapshot>> SqliteStore::latest_config_snapshot() {
  return impl_->query([](sql::Connection& c) { return queries::latest_config_snapshot(c); });
}
Result<History> SqliteStore::history(const HistoryQuery& query) {
  return impl_->query([&](sql::Connection& c) { return queries::history(c, query); });
}
Result<std::vector<StoredEvent>> SqliteStore::events(const EventQuery& query) {
  return impl_->query([&](sql::Connection& c) { return queries::events(c, query); });
}
Result<std::vector<SequencedSample>> SqliteStore::telemetry_after(std::int64_t after_seq,
                                                                  std::size_t limit) {
  return impl_->query(
      [&](sql::Connection& c) { return queries::telemetry_after(c, after_seq, limit); });
}
void SqliteStore::save_read_cursor(const std::string& stream, std::int64_t seq) {
  impl_->enqueue(CursorSave{stream, seq, WallClock::now()});
}
Result<std::optional<std::int64_t>> SqliteStore::read_cursor(const std::string& stream) {
  return impl_->query([&](sql::Connection& c) { return queries::read_cursor(c, stream); });
}
Result<std::vector<StoredEvent>> SqliteStore::events_after(std::int64_t after_id,
                                                           std::size_t limit) {
  return impl_->query(
      [&](sql::Connection& c) { return queries::events_after(c, after_id, limit); });
}
Result<std::vector<StoredAudit>> SqliteStore::audit(WallTime since, std::size_t limit) {
  return impl_->query([&](sql::Connection& c) { return queries::audit(c, since, limit); });
}
std::future<bool> SqliteStore::flush() {
  return impl_->flush();
}
StoreMetrics SqliteStore::metrics() const {
  return impl_->metrics();
}
void SqliteStore::set_size_cap_bytes(std::uint64_t bytes) {
  impl_->set_cap(bytes);
}
void SqliteStore::set_page_limit_for_testing(std::uint64_t pages) {
  impl_->set_page_limit(pages);
}

}  // namespace bessd::storage
