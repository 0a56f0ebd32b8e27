#pragma once
// The Store port: where telemetry, events, the command audit, latched faults, lifetime counters,
// energy per day and config snapshots go, and where the API reads history from.
//
// Threading and errors, for every implementation:
// - Writes (`append_*`, `save_*`, `clear_*`) may be called from the control thread: they never
//   wait on disk and never throw. They return at once; the record is written later, in order.
//   Telemetry may be dropped under overload (counted in metrics()); everything else is kept until
//   it is written.
// - Reads (`load_*`, `history`, `events`, `audit`) may be called from any thread and block the
//   caller while they run (the API posts them to a worker). They see what has been committed;
//   call flush() first to read your own writes.

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/date.hpp>
#include <bessd/common/result.hpp>
#include <bessd/core/event.hpp>
#include <bessd/energy/energy_periods.hpp>
#include <bessd/storage/history.hpp>
#include <bessd/storage/records.hpp>
#include <bessd/storage/store_metrics.hpp>
#include <bessd/storage/telemetry_sample.hpp>

namespace bessd::storage {

/// Called once a record is durably committed, with its row id. Runs on the storage thread: keep
/// it short and post to your own thread if needed. Never called for a record that is not stored.
using CommitCallback = std::function<void(std::int64_t id)>;

/// Store-internal events (disk full, queue overflow, corrupt file replaced, ...). Also written to
/// the events table when possible. Runs on the storage thread.
using StoreEventSink = std::function<void(const core::Event&)>;

class Store {
 public:
  virtual ~Store() = default;

  virtual void append_telemetry(const TelemetrySample& sample) = 0;
  virtual void append_event(const core::Event& event, WallTime at,
                            CommitCallback on_committed = {}) = 0;
  virtual void append_audit(const AuditRecord& record, CommitCallback on_committed = {}) = 0;

  /// Latched faults (backing for the controller's fault latch): upsert by code / remove.
  virtual void save_latched_fault(const LatchedFault& fault) = 0;
  virtual void clear_latched_fault(const std::string& code) = 0;
  virtual void clear_all_latched_faults() = 0;
  virtual Result<std::vector<LatchedFault>> load_latched_faults() = 0;

  /// State-of-health / lifetime counters: upsert by key.
  virtual void save_counter(const LifetimeCounter& counter) = 0;
  virtual Result<std::vector<LifetimeCounter>> load_counters() = 0;

  /// Energy per local calendar day (docs/api.md "GET /v1/energy"): adds `increase` to the day's
  /// row (created at 0); the days from `from` to `to` inclusive that have one, oldest first.
  virtual void add_energy_day(const energy::DayEnergy& increase) = 0;
  virtual Result<std::vector<energy::DayEnergy>> energy_days(Date from, Date to) = 0;

  /// Stored only when the hash differs from the latest snapshot's.
  virtual void save_config_snapshot(const ConfigSnapshot& snapshot) = 0;
  virtual Result<std::optional<ConfigSnapshot>> latest_config_snapshot() = 0;

  virtual Result<History> history(const HistoryQuery& query) = 0;
  virtual Result<std::vector<StoredEvent>> events(const EventQuery& query) = 0;
  /// Telemetry samples with a sequence number above `after_seq`, by sequence number, at most
  /// `limit` (the fleet uplink).
  virtual Result<std::vector<SequencedSample>> telemetry_after(std::int64_t after_seq,
                                                               std::size_t limit) = 0;
  /// Where a reader of telemetry_after / events_after got to, kept across restarts: `stream`
  /// ("telemetry", "events") and the last sequence number or id it has handed on.
  virtual void save_read_cursor(const std::string& stream, std::int64_t seq) = 0;
  virtual Result<std::optional<std::int64_t>> read_cursor(const std::string& stream) = 0;
  /// Events with an id above `after_id`, by id (the order they were committed in, whatever the
  /// wall clock did), at most `limit`: what a reader that remembers the last id it took has
  /// not seen yet (the fleet uplink).
  virtual Result<std::vector<StoredEvent>> events_after(std::int64_t after_id,
                                                        std::size_t limit) = 0;
  /// Audit records at or after `since`, ascending, at most `limit`.
  /// Newest first (by id): the `limit` most recent records at or after `since`.
  virtual Result<std::vector<StoredAudit>> audit(WallTime since, std::size_t limit) = 0;

  /// Resolves true once everything enqueued before the call is committed; false when the store
  /// stops first. Never blocks the caller (wait on the future where waiting is allowed).
  virtual std::future<bool> flush() = 0;

  virtual StoreMetrics metrics() const = 0;
};

}  // namespace bessd::storage
