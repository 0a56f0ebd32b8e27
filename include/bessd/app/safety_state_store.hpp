#pragma once
// The controller's latched faults and the operator's mode, kept in the durable safety-state file
// (storage::SafetyStateFile; docs/operations.md, "Safety state") instead of the telemetry
// database. Every change is on disk (fsynced) before latch()/clear()/save_mode() return, so it
// is durable before it takes effect.
//
// Unknown means latched: when the state of a previous run cannot be read at start (missing,
// damaged, unreadable), the store holds a latched FAULT-STORE "safety state lost: why", and
// writes it at once, so that it also survives the next restart until an operator acknowledges.
// On the first start after an upgrade (no marker, no state file, but a telemetry database), the
// latches the telemetry database held are migrated. When a write fails, a FAULT-STORE latch is
// added to what the next successful write stores; the file itself is removed (see
// SafetyStateFile::save), so a restart in between starts latched too.
//
// Single-threaded (the io_context thread), like the control loop that calls it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <bessd/control/fault_latch_store.hpp>
#include <bessd/storage/safety_state_file.hpp>

namespace bessd::app {

/// Where the latches of a version before the safety-state file lived.
struct LegacyLatches {
  bool telemetry_db_existed{false};  // the telemetry database file existed before this start
  std::function<Result<std::vector<control::LatchedFault>>()> load;
};

class SafetyStateStore final : public control::FaultLatchStore {
 public:
  SafetyStateStore(storage::SafetyStateFile file, const LegacyLatches& legacy,
                   std::int64_t now_unix_ms);

  Result<std::vector<control::LatchedFault>> load() override;
  Status latch(const control::LatchedFault& fault) override;
  Status clear(std::string_view id) override;
  std::vector<control::TripRecord> load_trips() override;
  Status save_trips(const std::vector<control::TripRecord>& trips) override;

  /// Durably stores the operator's mode; on failure nothing changes and the caller must refuse.
  Status save_mode(const storage::SafetyMode& mode);
  /// Forgets the operator's mode (it expired): the configuration's mode applies after a restart.
  Status clear_mode();
  const std::optional<storage::SafetyMode>& mode() const noexcept { return state_.mode; }

  /// One sentence for the start-up log: where the state lives and what was found there.
  const std::string& opened_summary() const noexcept { return summary_; }
  bool lost() const noexcept { return origin_ == storage::SafetyStateOrigin::lost; }
  const storage::SafetyStateFile& file() const noexcept { return file_; }
  std::uint64_t write_failures() const noexcept { return write_failures_; }

 private:
  void prove_writable(std::int64_t now_unix_ms);
  void start_lost(const std::string& why, std::int64_t now_unix_ms);
  Status persist();
  Status replace_state(storage::SafetyState next);
  void remember_write_failure(const Error& error, std::int64_t now_unix_ms);

  storage::SafetyStateFile file_;
  storage::SafetyState state_;
  storage::SafetyStateOrigin origin_{storage::SafetyStateOrigin::fresh_install};
  std::string summary_;
  std::uint64_t write_failures_{0};
};

}  // namespace bessd::app
