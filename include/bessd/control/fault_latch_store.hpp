#pragma once
// The port through which latched faults survive restarts (docs/protection.md). The daemon
// implements it with the safety-state file (app::SafetyStateStore, docs/operations.md "Safety
// state"), not the telemetry database, behind app::LatchWriteBehind, which returns at once and
// writes on the latch writer's thread; MemoryFaultLatchStore serves tests and the protection
// self-test. Implementations must not block the control loop. Not thread-safe unless stated.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/result.hpp>

namespace bessd::control {

struct LatchedFault {
  std::string id;                  // fault catalog id
  std::string reason;              // the sentence at the time it latched
  std::int64_t raised_unix_ms{0};  // wall-clock time it latched (for people; 0 = unknown)
  friend bool operator==(const LatchedFault&, const LatchedFault&) = default;
};

/// Recent trips of one protection (OP-REPEAT-*), in wall-clock time so they survive a restart.
struct TripRecord {
  std::string id;
  bool charge{false};
  bool discharge{false};
  std::vector<std::int64_t> at_unix_ms;  // oldest first
  friend bool operator==(const TripRecord&, const TripRecord&) = default;
};

class FaultLatchStore {
 public:
  virtual ~FaultLatchStore() = default;
  /// All latched faults (at start-up). An error means the store could not be read: the
  /// controller then stays in `fault` (fail safe) until an operator acknowledges.
  virtual Result<std::vector<LatchedFault>> load() = 0;
  /// Record a newly latched fault (replaces an entry with the same id).
  virtual Status latch(const LatchedFault& fault) = 0;
  /// Remove an acknowledged fault; removing an absent id is not an error.
  virtual Status clear(std::string_view id) = 0;
  /// The repeated-trip counts of the previous run (empty when the store keeps none).
  virtual std::vector<TripRecord> load_trips() { return {}; }
  /// Replace the stored repeated-trip counts.
  virtual Status save_trips(const std::vector<TripRecord>&) { return {}; }
};

/// In-memory implementation (tests, self-test); can be told to fail for error-path tests.
class MemoryFaultLatchStore final : public FaultLatchStore {
 public:
  MemoryFaultLatchStore() = default;
  explicit MemoryFaultLatchStore(std::vector<LatchedFault> initial) : faults_(std::move(initial)) {}

  Result<std::vector<LatchedFault>> load() override;
  Status latch(const LatchedFault& fault) override;
  Status clear(std::string_view id) override;
  std::vector<TripRecord> load_trips() override { return trips_; }
  Status save_trips(const std::vector<TripRecord>& trips) override;

  const std::vector<LatchedFault>& faults() const noexcept { return faults_; }
  const std::vector<TripRecord>& trips() const noexcept { return trips_; }
  /// When set, every call fails with ErrorCode::storage_error.
  void set_failing(bool failing) noexcept { failing_ = failing; }

 private:
  std::vector<LatchedFault> faults_;
  std::vector<TripRecord> trips_;
  bool failing_{false};
};

}  // namespace bessd::control
