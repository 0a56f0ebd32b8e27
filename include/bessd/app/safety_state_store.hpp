#pragma once
// The controller's latched faults, the operator's mode and the owner's settings, kept in the
// durable safety-state file (storage::SafetyStateFile; docs/operations.md, "Safety state") instead
// of the telemetry database. Every change is on disk (fsynced) before latch()/clear()/save_mode()
// return, so it is durable before it takes effect. Latches and trip counts can also be staged in
// memory and written together by one flush() (the latch writer does so: a burst of latches on a
// slow disk costs one write, not one each).
//
// Unknown means latched: when the state of a previous run cannot be read at start (missing,
// damaged, unreadable), the store holds a latched FAULT-STORE "safety state lost: why", and
// writes it at once, so that it also survives the next restart until an operator acknowledges.
// Latches found in the telemetry database (written by a version that kept them there: before an
// upgrade, or while rolled back to it) are merged at every start, and may be removed from there
// only once stored here (legacy_stored()). A missing state with no marker is a first start only
// if the telemetry database does not record that a safety state was kept before. A restored file
// older than the last generation the telemetry database recorded for its store (a backup put
// back, a card that lost its last writes) is "lost" too, its latches kept. When a write fails, a
// FAULT-STORE latch is added to what the next successful write stores; the file itself is moved
// aside (see SafetyStateFile::save), so a restart in between starts latched too, with the latches
// of the file moved aside.
//
// Thread-safe: the control thread reads it; every write runs on the latch writer's thread
// (latch_write_behind.hpp). Writes are serialised by one mutex held across the file write; the
// state in memory has a mutex of its own, never held during I/O, so a reader never waits for a
// stalled disk.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <bessd/app/coalescing_latch_store.hpp>
#include <bessd/control/fault_latch_store.hpp>
#include <bessd/storage/safety_state_file.hpp>

namespace bessd::app {

/// What the telemetry database knows about the safety state: the latches of a version before
/// the safety-state file, and the last generation of each store written (to recognise an older
/// copy of the file put back).
struct TelemetryRecords {
  bool telemetry_db_existed{false};  // the telemetry database file existed before this start
  // The telemetry database records that this installation kept a safety state before (then a
  // missing state is "lost", not a first start: e.g. storage.safety_state_path was changed).
  bool kept_before{false};
  std::function<Result<std::vector<control::LatchedFault>>()> load;
  // The last generation recorded per store id (see set_stored_handler). Any at all: a file
  // without a store id (written before stamps existed) is older than what was written since.
  std::map<std::string, std::uint64_t> generations;
  // Why the records could not be read (empty: they could): a restored file's age is then
  // unknown, so it is not trusted.
  std::string unreadable;
};

class SafetyStateStore final : public CoalescingLatchStore {
 public:
  /// When the start-up rewrite happens (docs/operations.md, "Safety state").
  enum class StartWrite : std::uint8_t {
    now,    // in the constructor
    later,  // by rewrite_at_start(), on the latch writer: a slow disk must not delay the
            // inverter's safe state and the fire alarm at start
  };

  SafetyStateStore(storage::SafetyStateFile file, const TelemetryRecords& legacy,
                   std::int64_t now_unix_ms, StartWrite start_write = StartWrite::now);

  /// The start-up rewrite (StartWrite::later; any one thread). It stores what was merged and
  /// proves the folder takes writes: a restored file that cannot be rewritten is not trusted
  /// (FAULT-STORE, through the write failure handler). Returns the line for the log.
  Status rewrite_at_start(std::int64_t now_unix_ms);

  Result<std::vector<control::LatchedFault>> load() override;
  Status latch(const control::LatchedFault& fault) override;
  Status clear(std::string_view id) override;
  std::vector<control::TripRecord> load_trips() override;
  Status save_trips(const std::vector<control::TripRecord>& trips) override;
  void stage_latch(const control::LatchedFault& fault) override;
  void stage_trips(const std::vector<control::TripRecord>& trips) override;
  Status flush() override;

  /// Asked just before a write replaces the file (SafetyStateFile::save_if): false withholds it.
  using CommitCheck = std::function<bool()>;
  /// Told when the write is committed (renamed into place), before the folder's fsync.
  using Committed = std::function<void()>;

  /// Durably stores the operator's mode; on failure nothing changes and the caller must refuse.
  Status save_mode(const storage::SafetyMode& mode);
  /// The same, withheld (false, nothing changed) when `may_commit` says no at the last moment.
  Result<bool> save_mode_if(const storage::SafetyMode& mode, const CommitCheck& may_commit,
                            const Committed& on_committed = {});
  /// Durably stores the owner's reserve and charge target, withheld (false, nothing changed)
  /// when `may_commit` says no at the last moment. On failure nothing changes.
  Result<bool> save_settings_if(const storage::SafetySettings& settings,
                                const CommitCheck& may_commit, const Committed& on_committed = {});
  std::optional<storage::SafetySettings> settings() const;
  /// The stored records of these latches, as they are now (for clear_latches).
  std::vector<storage::SafetyLatch> latch_records(const std::vector<std::string>& ids) const;
  /// Clears these records in one write (an acknowledgement: all of them or none). A latch
  /// staged again meanwhile (it tripped again) is another record and stays. Withheld (false)
  /// when `may_commit` says no.
  Result<bool> clear_latches(const std::vector<storage::SafetyLatch>& records,
                             const CommitCheck& may_commit, const Committed& on_committed = {});
  /// Forgets the operator's mode `ended` (it expired): the configuration's mode applies after a
  /// restart. A different mode stored since (set while the expiry was on its way) is kept.
  Status clear_mode_if(const storage::SafetyMode& ended);
  std::optional<storage::SafetyMode> mode() const;

  /// Told of every write that fails after start (any thread, under the store's lock: it must
  /// only hand the message on). A failed write moves the file aside (SafetyStateFile::save), so the
  /// running controller must latch FAULT-STORE too, as the next start will.
  void set_write_failure_handler(std::function<void(const std::string&)> handler);
  /// Told the stamp of every write that is on disk (after the folder's fsync; latch writer's
  /// thread, under the store's write lock: it must only hand the stamp on). Recorded elsewhere,
  /// the last generation tells an older copy of the file at the next start.
  void set_stored_handler(std::function<void(const storage::SafetyStateStamp&)> handler);

  /// One sentence for the start-up log: where the state lives and what was found there.
  std::string opened_summary() const;
  bool lost() const;
  /// The latches the telemetry database held (if any) are stored in the safety state: only then
  /// may they be removed from the database.
  bool legacy_stored() const;
  const storage::SafetyStateFile& file() const noexcept { return file_; }
  std::uint64_t write_failures() const;

 private:
  void merge_legacy(const TelemetryRecords& legacy, std::int64_t now_unix_ms);
  void start_lost(const std::string& why, std::int64_t now_unix_ms);
  /// An older copy of the file, or the state a failed write moved aside: its latches stay
  /// latched, its mode is not trusted.
  void start_lost_keeping(const storage::SafetyState& older, const std::string& why,
                          std::int64_t now_unix_ms);
  /// A restored file older than the last generation the telemetry database recorded.
  bool older_than_recorded(const storage::SafetyStateOpened& opened,
                           const TelemetryRecords& records, std::int64_t now_unix_ms);
  void stored(const storage::SafetyStateStamp& stamp) const;
  storage::SafetyState snapshot() const;
  /// The state with every change staged so far, and how many that is.
  std::pair<storage::SafetyState, std::uint64_t> staged() const;
  /// Stores `mutate` applied to the state; on success applies it in memory too. Callers hold
  /// write_mutex_. False: withheld by `may_commit`, nothing changed.
  Result<bool> change(const std::function<void(storage::SafetyState&)>& mutate,
                      const std::string& what, const CommitCheck& may_commit = {},
                      const Committed& on_committed = {});
  static std::int64_t wall_clock_ms();
  void remember_write_failure(const Error& error, std::int64_t now_unix_ms);
  void report(const Error& error, const std::string& what) const;

  std::mutex write_mutex_;    // serialises writes, held across the file write
  mutable std::mutex mutex_;  // state_ and the counters; never held during I/O
  std::function<void(const std::string&)> on_write_failure_;
  std::function<void(const storage::SafetyStateStamp&)> on_stored_;
  storage::SafetyStateFile file_;
  storage::SafetyState state_;
  storage::SafetyStateOrigin origin_{storage::SafetyStateOrigin::fresh_install};
  std::string summary_;
  std::uint64_t write_failures_{0};
  // Staged changes (latches, trips, a failure to retry) and how many of them are on disk: a
  // flush with nothing new writes nothing.
  std::uint64_t changes_{0};
  std::uint64_t stored_changes_{0};
  bool legacy_stored_{false};
};

}  // namespace bessd::app
