#pragma once
// The non-telemetry records the store keeps: stored events, command audit, latched faults,
// state-of-health/lifetime counters and config snapshots. Plain values, no behaviour.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <bessd/common/clock.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/inverter_command.hpp>

namespace bessd::storage {

/// An event as read back. `event.at` (a monotonic time point) has no meaning after a restart and
/// is returned as TimePoint{}; `at` is the wall time it was stored with.
/// A random token for one run of the process writing a log (1 .. 2^53-1: JSON readers that
/// hold numbers as doubles keep it exact). Rows carry the token of the run that wrote them.
std::int64_t new_run_token();

struct StoredEvent {
  std::int64_t id{0};   // increasing in commit order
  std::int64_t run{0};  // the token of the run that wrote it; 0: written before runs were kept
  WallTime at{};
  core::Event event;
  friend bool operator==(const StoredEvent&, const StoredEvent&) = default;
};

/// One command round trip: who asked what, what the controller sent, what the inverter read back.
struct AuditRecord {
  WallTime at{};
  std::string actor;           // who: the app stores a JSON object (transport, uid, gid, ...)
  std::string action;          // what kind of write: "mode", "settings", "ack_faults", ...
  std::string request;         // its parameters, as JSON text ("{}" when it has none)
  core::InverterCommand sent;  // what the controller sent (kind none = refused)
  std::optional<double> readback_power_w;  // what the inverter read back (+ = charging)
  std::string outcome;  // one word: "requested", "accepted", "partial", "refused", "error"
  std::string message;  // why, for people
  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

struct StoredAudit {
  std::int64_t id{0};
  AuditRecord record;
  friend bool operator==(const StoredAudit&, const StoredAudit&) = default;
};

/// A latched fault persisted across restarts until cleared (docs/protection.md "Safe state";
/// docs/operations.md "Safety state").
struct LatchedFault {
  std::string code;  // stable fault id, unique key
  core::Severity severity{core::Severity::error};
  WallTime raised_at{};
  std::string message;
  std::map<std::string, std::string> fields;
  friend bool operator==(const LatchedFault&, const LatchedFault&) = default;
};

/// Whether a state-of-health/lifetime value came from the BMS or was derived by bessd
/// (docs/api.md "GET /v1/health": bessd says which values are derived).
enum class CounterOrigin : std::uint8_t { reported, derived };

struct LifetimeCounter {
  std::string key;  // "energy_charged_kwh", "full_equivalent_cycles", "deep_discharges", ...
  double value{0.0};
  CounterOrigin origin{CounterOrigin::derived};
  WallTime updated_at{};
  friend bool operator==(const LifetimeCounter&, const LifetimeCounter&) = default;
};

/// The configuration text the daemon loaded, with its hash, stored when it changes.
struct ConfigSnapshot {
  WallTime at{};
  std::string hash;  // e.g. a hex SHA-256 of `text`; the store compares it, never computes it
  std::string text;
  friend bool operator==(const ConfigSnapshot&, const ConfigSnapshot&) = default;
};

}  // namespace bessd::storage
