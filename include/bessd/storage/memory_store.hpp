#pragma once
// MemoryStore: the Store kept in memory, for tests of other components and for runs without a
// disk. Writes are applied at once (synchronously, under a mutex), so reads see them
// immediately and flush() is always ready. Same rollups (same code) and the same retention as
// SqliteStore; no size cap, no queue: nothing is ever dropped. Thread-safe.

#include <deque>
#include <map>
#include <mutex>

#include <bessd/config/storage_config.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::storage {

class RollupAccumulator;
struct RollupBucket;

class MemoryStore : public Store {
 public:
  explicit MemoryStore(config::StorageConfig config = {});
  ~MemoryStore() override;

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

 private:
  struct Tiers;
  config::StorageConfig config_;
  mutable std::mutex mutex_;
  std::unique_ptr<Tiers> tiers_;
  std::vector<StoredEvent> events_;
  std::vector<StoredAudit> audit_;
  std::map<std::string, LatchedFault> faults_;
  std::map<std::string, std::int64_t> cursors_;
  const std::int64_t run_token_{new_run_token()};  // every row is this run's
  std::map<std::string, LifetimeCounter> counters_;
  std::map<std::string, energy::DayEnergy> energy_days_;  // by "YYYY-MM-DD": in date order
  std::vector<ConfigSnapshot> snapshots_;
  StoreMetrics metrics_;
};

}  // namespace bessd::storage
