#pragma once
// The durable safety state (docs/operations.md, "Safety state"): the latched faults, the
// operator's mode and settings and the repeated-trip counts, kept apart from the telemetry database
// so that nothing that happens to telemetry (corrupt, full, read-only, at its size cap) can lose a
// latch.
//
// Design: one small file, replaced atomically on every change (write a temporary file, fsync
// it, rename it over the old one, fsync the directory), so the file on disk is always either
// the previous or the new state, never a mix. A header line carries the body's length and
// CRC-32: a truncated or damaged file is detected, not half-read. A marker file next to it,
// written once, tells "first start on a fresh install" (no marker, no state) apart from "the
// state was lost" (marker, but no readable state). When a write fails, the old file is moved
// aside (to "<path>.unconfirmed"), so a restart cannot silently resume from a state older than
// what the daemon last decided: it starts with "safety state lost" instead (unknown means
// latched), still knowing which faults that older state held.
//
// Each file carries a stamp: the store's id (random, made when the state is first written) and
// a generation that grows with every write, across restarts. Whoever remembers the last
// generation written elsewhere (the telemetry database) can tell an older copy put back (a
// backup, an image, a card that lost its last writes) from the file bessd last wrote.
//
// Not thread-safe: one owner (the io_context thread).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/result.hpp>

namespace bessd::storage {

struct SafetyLatch {
  std::string id;                  // fault catalog id
  std::string reason;              // the sentence at the time it latched
  std::int64_t raised_unix_ms{0};  // 0 = unknown
  friend bool operator==(const SafetyLatch&, const SafetyLatch&) = default;
};

/// The operator's mode as last set through the API.
struct SafetyMode {
  std::string mode;  // "idle", "manual", "self_consumption" (config::to_string)
  double manual_setpoint_w{0.0};
  std::optional<double> target_grid_w;
  std::optional<std::int64_t> expires_unix_ms;  // absent = until changed
  std::string set_by;                           // the requester, as the audit names it
  std::int64_t set_unix_ms{0};
  friend bool operator==(const SafetyMode&, const SafetyMode&) = default;
};

/// The owner's reserve and charge target as last set through the API (docs/api.md
/// "PUT /v1/settings"); each absent = the configuration's.
struct SafetySettings {
  std::optional<double> reserve_soc_pct;
  std::optional<double> target_soc_pct;
  std::string set_by;  // the requester, as the audit names it
  std::int64_t set_unix_ms{0};
  friend bool operator==(const SafetySettings&, const SafetySettings&) = default;
};

/// Recent trips of one protection, for the repeated-trip latch (OP-REPEAT-*): a restart must not
/// reset the count.
struct SafetyTrip {
  std::string id;  // the protection's rule id
  bool charge{false};
  bool discharge{false};
  std::vector<std::int64_t> at_unix_ms;  // rising edges, oldest first
  friend bool operator==(const SafetyTrip&, const SafetyTrip&) = default;
};

struct SafetyState {
  std::vector<SafetyLatch> latches;
  std::optional<SafetyMode> mode;
  std::vector<SafetyTrip> trips;
  std::optional<SafetySettings> settings;
  friend bool operator==(const SafetyState&, const SafetyState&) = default;
};

enum class SafetyStateOrigin : std::uint8_t {
  fresh_install,  // no marker and no state: nothing was ever stored here
  restored,       // read and verified
  lost,           // a previous run existed, but its state is missing, damaged or unreadable
};

/// Which store a file belongs to and how many writes it has seen (see the header comment).
struct SafetyStateStamp {
  std::string store_id;  // 16 hex digits; empty in files written before stamps existed
  std::uint64_t generation{0};
  friend bool operator==(const SafetyStateStamp&, const SafetyStateStamp&) = default;
};

struct DecodedSafetyState {
  SafetyState state;
  SafetyStateStamp stamp;
};

struct SafetyStateOpened {
  SafetyState state;
  SafetyStateStamp stamp;  // origin == restored: the file's
  SafetyStateOrigin origin{SafetyStateOrigin::fresh_install};
  std::string lost_reason;  // origin == lost: why, naming the file
  // origin == lost with the state file missing: the state a failed write moved aside (the last
  // one on disk before it), when it can be read.
  std::optional<SafetyState> unconfirmed;
};

/// Encodes/decodes the file's text (exposed for tests and the fuzzer-friendly error contract).
std::string encode_safety_state(const SafetyState& state, const SafetyStateStamp& stamp);
Result<DecodedSafetyState> decode_safety_state(const std::string& text);

class SafetyStateFile {
 public:
  /// `path`: the state file; the marker is the same path with the extension ".marker".
  explicit SafetyStateFile(std::filesystem::path path);

  /// Reads the state at start. Never throws; a damaged file is moved aside (kept for people to
  /// look at, as "<path>.corrupt-<unix ms>") and reported as lost.
  SafetyStateOpened open();
  /// Durably replaces the state (returns after fsync). On failure the old file is moved aside
  /// (unconfirmed_path()), so that the next start reports the state as lost rather than
  /// resuming an older one. A later successful write removes the file moved aside.
  Status save(const SafetyState& state);
  /// The same, but `may_commit` is asked just before the new file replaces the old one (after
  /// it is written and synced): false withholds it (the old file stays) and the result is
  /// false. A caller whose decision may have changed while the disk was slow (a deadline
  /// passed, a later request overtook it) decides at the last moment that counts.
  /// `on_committed` runs right after the rename, before the folder's fsync: from then on a
  /// restart (though not every power cut) finds the new state.
  Result<bool> save_if(const SafetyState& state, const std::function<bool()>& may_commit,
                       const std::function<void()>& on_committed = {});

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path marker_path() const;
  /// "<path>.unconfirmed": where a failed write moves the old file.
  std::filesystem::path unconfirmed_path() const;
  /// The stamp of the last write that succeeded (or of the file read by open()).
  const SafetyStateStamp& stamp() const noexcept { return stamp_; }
  /// The next write's generation follows `generation` (another record says it was reached).
  void continue_after(std::uint64_t generation);
  /// True when the marker of a previous run exists.
  bool marker_exists() const;

 private:
  Status write_marker();
  std::optional<SafetyState> read_unconfirmed() const;
  void move_aside_after_failure();

  std::filesystem::path path_;
  SafetyStateStamp stamp_;       // of the last write that succeeded
  std::uint64_t generation_{0};  // the last one used (a failed or withheld write uses one)
  bool marker_written_{false};
  bool unconfirmed_exists_{false};  // a file at unconfirmed_path() to remove once written
};

}  // namespace bessd::storage
