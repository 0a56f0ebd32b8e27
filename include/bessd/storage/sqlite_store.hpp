#pragma once
// SqliteStore: the Store on a SQLite file (WAL), written by one storage thread.
//
// Threading: every write method only enqueues (a short mutex, no disk) and returns; the storage
// thread writes in batches, one transaction per batch. Queries run on a separate read connection
// (WAL readers do not block the writer) and may be called from any thread; they are serialised
// among themselves. Callbacks (CommitCallback, StoreEventSink) run on the storage thread.
//
// Durability: telemetry-only transactions commit with synchronous=NORMAL (a power cut may lose
// the last seconds of telemetry, never corrupt the file); any transaction holding an event,
// audit record, latched fault, counter or config snapshot commits with synchronous=FULL, so the
// WAL is fsynced before the commit callback runs: an acknowledged event survives a power cut.
//
// Failures never reach the caller's thread: disk full, read-only file system, I/O errors raise a
// "storage.*" event (sink + events table once writable), are counted in metrics(), and the
// batch is retried with exponential backoff. Events/audit are kept in memory until written;
// telemetry beyond the queue capacity is dropped and counted. A corrupt database (at open or
// later) is renamed to "<path>.corrupt-<UTC timestamp>" and a fresh one is started.

#include <cstdint>
#include <memory>

#include <bessd/common/clock.hpp>
#include <bessd/config/storage_config.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::storage {

struct SqliteStoreOptions {
  config::StorageConfig config;  // path (":memory:" for tests), retention, size cap, queue
  int busy_timeout_ms{5'000};
  std::size_t max_batch{1'024};         // queue items per transaction
  std::size_t prune_batch_rows{2'000};  // rows per retention DELETE (small steps, short locks)
  Duration checkpoint_period{std::chrono::seconds{60}};
  Duration retry_initial{std::chrono::seconds{1}};
  Duration retry_max{std::chrono::seconds{60}};
  bool check_on_open{true};     // PRAGMA quick_check when opening (detects corruption early)
  StoreEventSink on_event;      // optional; storage-internal events also go to the events table
  const Clock* clock{nullptr};  // wall time for internal events; nullptr = the system clock
};

class SqliteStore final : public Store {
 public:
  /// Starts the storage thread, which opens (creating and migrating) the database. Never
  /// throws on I/O problems: they are reported as events and retried.
  explicit SqliteStore(SqliteStoreOptions options);
  /// Stops: writes what is queued (one more attempt if the database is failing), then joins.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void append_telemetry(const TelemetrySample& sample) override;
  void append_event(const core::Event& event, WallTime at,
                    CommitCallback on_committed = {}) override;
  void append_audit(const AuditRecord& record, CommitCallback on_committed = {}) override;
  void save_latched_fault(const LatchedFault& fault) override;
  void clear_latched_fault(const std::string& code) override;
  void clear_all_latched_faults() override;
  Result<std::vector<LatchedFault>> load_latched_faults() override;
  void save_counter(const LifetimeCounter& counter) override;
  Result<std::vector<LifetimeCounter>> load_counters() override;
  void add_energy_day(const energy::DayEnergy& increase) override;
  Result<std::vector<energy::DayEnergy>> energy_days(Date from, Date to) override;
  void save_config_snapshot(const ConfigSnapshot& snapshot) override;
  Result<std::optional<ConfigSnapshot>> latest_config_snapshot() override;
  Result<History> history(const HistoryQuery& query) override;
  Result<std::vector<StoredEvent>> events(const EventQuery& query) override;
  Result<std::vector<StoredEvent>> events_after(std::int64_t after_id, std::size_t limit) override;
  Result<std::vector<SequencedSample>> telemetry_after(std::int64_t after_seq,
                                                       std::size_t limit) override;
  void save_read_cursor(const std::string& stream, std::int64_t seq) override;
  Result<std::optional<std::int64_t>> read_cursor(const std::string& stream) override;
  Result<std::vector<StoredAudit>> audit(WallTime since, std::size_t limit) override;
  std::future<bool> flush() override;
  StoreMetrics metrics() const override;

  /// Changes the hard size cap at run time (e.g. on config reload); 0 = no cap. Also bounds
  /// PRAGMA max_page_count, so the cap holds even when eviction falls behind (writes then fail
  /// with "full" and are retried after evicting).
  void set_size_cap_bytes(std::uint64_t bytes);
  /// Test hook: sets PRAGMA max_page_count exactly (emulates a full disk); 0 = back to the cap.
  void set_page_limit_for_testing(std::uint64_t pages);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bessd::storage
