#include <bessd/app/safety_state_store.hpp>

#include <algorithm>
#include <chrono>

#include <bessd/control/fault_catalog.hpp>

namespace bessd::app {

namespace {

const std::string kStoreFault{control::fault_id::latch_store};

control::LatchedFault to_control(const storage::SafetyLatch& l) {
  return control::LatchedFault{l.id, l.reason, l.raised_unix_ms};
}

storage::SafetyLatch to_storage(const control::LatchedFault& f) {
  return storage::SafetyLatch{f.id, f.reason, f.raised_unix_ms};
}

bool holds(const storage::SafetyState& s, std::string_view id) {
  return std::any_of(s.latches.begin(), s.latches.end(),
                     [&](const storage::SafetyLatch& l) { return l.id == id; });
}

}  // namespace

SafetyStateStore::SafetyStateStore(storage::SafetyStateFile file, const TelemetryRecords& legacy,
                                   std::int64_t now_unix_ms, StartWrite start_write)
    : file_(std::move(file)) {
  auto opened = file_.open();
  origin_ = opened.origin;
  const std::string where = file_.path().string();
  if (origin_ == storage::SafetyStateOrigin::fresh_install && legacy.telemetry_db_existed &&
      legacy.kept_before) {
    // Not a first start: this installation has kept a safety state, just not here.
    origin_ = storage::SafetyStateOrigin::lost;
    opened.lost_reason = where +
                         " and its marker are missing, but the telemetry database records "
                         "that a safety state was kept before (storage.safety_state_path "
                         "changed without moving both files, or the files were removed)";
  }
  const bool older = origin_ == storage::SafetyStateOrigin::restored &&
                     older_than_recorded(opened, legacy, now_unix_ms);
  if (!older) switch (origin_) {
      case storage::SafetyStateOrigin::restored:
        state_ = std::move(opened.state);
        summary_ = "safety state restored from " + where + ": " +
                   std::to_string(state_.latches.size()) + " latched fault(s), " +
                   (state_.mode ? "operator mode " + state_.mode->mode : "no operator mode") +
                   (state_.settings ? ", owner's settings" : "");
        break;
      case storage::SafetyStateOrigin::lost:
        if (opened.unconfirmed)
          start_lost_keeping(*opened.unconfirmed, opened.lost_reason, now_unix_ms);
        else
          start_lost(opened.lost_reason, now_unix_ms);
        break;
      case storage::SafetyStateOrigin::fresh_install:
        summary_ = "safety state created at " + where +
                   (legacy.telemetry_db_existed ? "" : " (first start)");
        break;
    }
  merge_legacy(legacy, now_unix_ms);
  if (start_write == StartWrite::now) (void)rewrite_at_start(now_unix_ms);
}

// Every start rewrites the state: it stores what was merged, and it proves the folder takes
// writes (a file that can be read but not rewritten may be older than the last run's decisions:
// on a read-only folder neither a latch write nor the removal of the old file succeeds).
// docs/operations.md, "Safety state".
Status SafetyStateStore::rewrite_at_start(std::int64_t now_unix_ms) {
  const std::lock_guard writing(write_mutex_);
  auto [next, upto] = staged();
  auto st = file_.save(next);
  if (st) stored(file_.stamp());
  const std::lock_guard lock(mutex_);
  if (st) {
    stored_changes_ = std::max(stored_changes_, upto);
    legacy_stored_ = true;
    return st;
  }
  ++write_failures_;
  if (origin_ == storage::SafetyStateOrigin::restored) {
    origin_ = storage::SafetyStateOrigin::lost;
    const std::string why = "safety state lost: " + file_.path().string() +
                            " can be read but not written (" + st.error().message +
                            "), so a latch raised in the previous run may be missing from it; "
                            "check the system and the folder, then acknowledge";
    if (!holds(state_, kStoreFault))
      state_.latches.push_back(storage::SafetyLatch{kStoreFault, why, now_unix_ms});
    ++changes_;
    summary_ += "; SAFETY STATE NOT WRITABLE (" + st.error().message +
                "): starting latched until an operator acknowledges";
    if (on_write_failure_) on_write_failure_(why);
    return st;
  }
  remember_write_failure(st.error(), now_unix_ms);
  summary_ += "; writing it failed: " + st.error().message;
  report(st.error(), "start-up rewrite");
  return st;
}

std::string SafetyStateStore::opened_summary() const {
  const std::lock_guard lock(mutex_);
  return summary_;
}

bool SafetyStateStore::lost() const {
  const std::lock_guard lock(mutex_);
  return origin_ == storage::SafetyStateOrigin::lost;
}

bool SafetyStateStore::legacy_stored() const {
  const std::lock_guard lock(mutex_);
  return legacy_stored_;
}

void SafetyStateStore::merge_legacy(const TelemetryRecords& legacy, std::int64_t now_unix_ms) {
  // Latches in the telemetry database were written by a version that kept them there: before an
  // upgrade, or while rolled back to it. They are merged, never dropped unread.
  if (!legacy.telemetry_db_existed || !legacy.load) return;
  auto old = legacy.load();
  if (!old) {
    if (origin_ == storage::SafetyStateOrigin::fresh_install) {
      // An upgrade whose old latches cannot be read: they are unknown, so latched.
      origin_ = storage::SafetyStateOrigin::lost;
      start_lost(
          "the latched faults of the previous version could not be read from the "
          "telemetry database: " +
              old.error().message,
          now_unix_ms);
    } else {
      summary_ += "; the latched faults in the telemetry database could not be read (" +
                  old.error().message + ")";
    }
    return;
  }
  std::size_t merged = 0;
  for (const auto& f : *old) {
    if (holds(state_, f.id)) continue;
    state_.latches.push_back(to_storage(f));
    ++merged;
  }
  if (!old->empty())
    summary_ += "; " + std::to_string(merged) +
                " latched fault(s) merged from the telemetry database (written by an earlier "
                "bessd version)";
}

void SafetyStateStore::start_lost(const std::string& why, std::int64_t now_unix_ms) {
  state_ = {};
  state_.latches.push_back(storage::SafetyLatch{
      kStoreFault,
      "safety state lost: " + why +
          ". Latched faults, the operator's mode and the owner's reserve and charge target of "
          "the previous run are unknown (the configuration's apply); check the system, then "
          "acknowledge",
      now_unix_ms});
  summary_ = "SAFETY STATE LOST (" + why + "): starting latched until an operator acknowledges";
}

void SafetyStateStore::start_lost_keeping(const storage::SafetyState& older, const std::string& why,
                                          std::int64_t now_unix_ms) {
  std::string kept;
  for (const auto& l : older.latches)
    if (l.id != kStoreFault) kept += (kept.empty() ? "" : ", ") + l.id;
  start_lost(why + (kept.empty() ? std::string("; it held no latched fault")
                                 : "; the faults it held stay latched: " + kept),
             now_unix_ms);
  for (const auto& l : older.latches)
    if (l.id != kStoreFault) state_.latches.push_back(l);
  state_.trips = older.trips;  // the repeated-trip count must not restart either
}

bool SafetyStateStore::older_than_recorded(const storage::SafetyStateOpened& opened,
                                           const TelemetryRecords& records,
                                           std::int64_t now_unix_ms) {
  const std::string where = file_.path().string();
  std::string why;
  if (!records.unreadable.empty()) {
    why = "whether " + where +
          " is the last state bessd wrote cannot be checked: " + records.unreadable +
          ", so an older copy (a backup put back, a card that lost its last " +
          "writes) cannot be told from it";
  } else if (opened.stamp.store_id.empty()) {
    if (records.generations.empty()) return false;  // an upgrade: the first stamped write follows
    why = where + " was written by a bessd version before this one, but this installation has " +
          "written newer states since (the telemetry database records them): it was put back " +
          "from an older copy, or an older bessd ran here in between";
  } else {
    const auto found = records.generations.find(opened.stamp.store_id);
    if (found == records.generations.end() || found->second <= opened.stamp.generation)
      return false;
    const std::uint64_t last = found->second;
    // The next writes continue after the recorded one: a restart does not find "older" again.
    file_.continue_after(last);
    why = where + " is older than the last state bessd wrote (generation " +
          std::to_string(opened.stamp.generation) + ", the telemetry database recorded " +
          "generation " + std::to_string(last) + "): it was put back from a copy, or the " +
          "storage lost writes";
  }
  origin_ = storage::SafetyStateOrigin::lost;
  start_lost_keeping(opened.state, why + "; faults latched since may be missing from it",
                     now_unix_ms);
  return true;
}

void SafetyStateStore::set_stored_handler(
    std::function<void(const storage::SafetyStateStamp&)> handler) {
  const std::lock_guard lock(mutex_);
  on_stored_ = std::move(handler);
}

void SafetyStateStore::stored(const storage::SafetyStateStamp& stamp) const {
  std::function<void(const storage::SafetyStateStamp&)> handler;
  {
    const std::lock_guard lock(mutex_);
    handler = on_stored_;
  }
  if (handler) handler(stamp);
}

Result<std::vector<control::LatchedFault>> SafetyStateStore::load() {
  const std::lock_guard lock(mutex_);
  std::vector<control::LatchedFault> out;
  out.reserve(state_.latches.size());
  for (const auto& l : state_.latches) out.push_back(to_control(l));
  return out;
}

void SafetyStateStore::remember_write_failure(const Error& error, std::int64_t now_unix_ms) {
  // The next flush retries the write, with FAULT-STORE in it.
  ++changes_;
  if (holds(state_, kStoreFault)) return;
  state_.latches.push_back(storage::SafetyLatch{
      kStoreFault, "the safety state could not be written: " + error.message, now_unix_ms});
}

void SafetyStateStore::set_write_failure_handler(std::function<void(const std::string&)> handler) {
  const std::lock_guard lock(mutex_);
  on_write_failure_ = std::move(handler);
}

void SafetyStateStore::report(const Error& error, const std::string& what) const {
  if (on_write_failure_)
    on_write_failure_("the safety state could not be written (" + what + "): " + error.message);
}

std::optional<storage::SafetyMode> SafetyStateStore::mode() const {
  const std::lock_guard lock(mutex_);
  return state_.mode;
}

std::uint64_t SafetyStateStore::write_failures() const {
  const std::lock_guard lock(mutex_);
  return write_failures_;
}

void SafetyStateStore::stage_latch(const control::LatchedFault& fault) {
  // Kept in memory even when a write fails: the next write that succeeds stores it.
  const std::lock_guard lock(mutex_);
  auto it = std::find_if(state_.latches.begin(), state_.latches.end(),
                         [&](const storage::SafetyLatch& l) { return l.id == fault.id; });
  if (it != state_.latches.end())
    *it = to_storage(fault);
  else
    state_.latches.push_back(to_storage(fault));
  ++changes_;
}

void SafetyStateStore::stage_trips(const std::vector<control::TripRecord>& trips) {
  const std::lock_guard lock(mutex_);
  state_.trips.clear();
  for (const auto& t : trips)
    state_.trips.push_back(storage::SafetyTrip{t.id, t.charge, t.discharge, t.at_unix_ms});
  ++changes_;
}

Status SafetyStateStore::flush() {
  const std::lock_guard writing(write_mutex_);
  storage::SafetyState next;
  std::uint64_t upto = 0;
  {
    const std::lock_guard lock(mutex_);
    if (stored_changes_ == changes_) return {};  // a write since has stored it all
    next = state_;
    upto = changes_;
  }
  auto st = file_.save(next);
  if (st) stored(file_.stamp());
  const std::lock_guard lock(mutex_);
  if (st) {
    stored_changes_ = std::max(stored_changes_, upto);
    return st;
  }
  ++write_failures_;
  std::string what = "latched faults:";
  for (const auto& l : next.latches) what += " " + l.id;
  remember_write_failure(st.error(), wall_clock_ms());
  report(st.error(), what);
  return st;
}

Status SafetyStateStore::latch(const control::LatchedFault& fault) {
  stage_latch(fault);
  return flush();
}

Status SafetyStateStore::clear(std::string_view id) {
  const std::lock_guard writing(write_mutex_);
  const auto before = snapshot();
  const auto it = std::find_if(before.latches.begin(), before.latches.end(),
                               [&](const storage::SafetyLatch& l) { return l.id == id; });
  if (it == before.latches.end()) return {};
  const storage::SafetyLatch& cleared = *it;
  // On failure the latch stays: the file is moved aside, so a restart is "lost" (latched) too. A
  // latch staged again meanwhile (another raise, another time) is not the one acknowledged: it
  // stays.
  auto changed = change(
      [&](storage::SafetyState& s) {
        std::erase_if(s.latches, [&](const storage::SafetyLatch& l) { return l == cleared; });
      },
      "acknowledge " + std::string(id));
  if (!changed) return Failure{changed.error()};
  return {};
}

std::vector<storage::SafetyLatch> SafetyStateStore::latch_records(
    const std::vector<std::string>& ids) const {
  const std::lock_guard lock(mutex_);
  std::vector<storage::SafetyLatch> out;
  for (const auto& l : state_.latches)
    if (std::find(ids.begin(), ids.end(), l.id) != ids.end()) out.push_back(l);
  return out;
}

Result<bool> SafetyStateStore::clear_latches(const std::vector<storage::SafetyLatch>& records,
                                             const CommitCheck& may_commit,
                                             const Committed& on_committed) {
  const std::lock_guard writing(write_mutex_);
  std::string what = "acknowledge";
  for (const auto& r : records) what += " " + r.id;
  return change(
      [&](storage::SafetyState& s) {
        std::erase_if(s.latches, [&](const storage::SafetyLatch& l) {
          return std::find(records.begin(), records.end(), l) != records.end();
        });
      },
      what, may_commit, on_committed);
}

std::vector<control::TripRecord> SafetyStateStore::load_trips() {
  const std::lock_guard lock(mutex_);
  std::vector<control::TripRecord> out;
  for (const auto& t : state_.trips)
    out.push_back(control::TripRecord{t.id, t.charge, t.discharge, t.at_unix_ms});
  return out;
}

Status SafetyStateStore::save_trips(const std::vector<control::TripRecord>& trips) {
  stage_trips(trips);
  return flush();
}

Result<bool> SafetyStateStore::change(const std::function<void(storage::SafetyState&)>& mutate,
                                      const std::string& what, const CommitCheck& may_commit,
                                      const Committed& on_committed) {
  // Under write_mutex_ only: readers (the control thread's status) never wait for the disk, and
  // latches staged meanwhile stay in memory for the next flush.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    // Not a structured binding: the commit check below captures `upto`.
    auto staged_now = staged();
    storage::SafetyState& next = staged_now.first;
    const std::uint64_t upto = staged_now.second;
    mutate(next);
    bool restaged = false;
    bool committed = false;
    auto saved = file_.save_if(
        next,
        [&] {
          if (may_commit && !may_commit()) return false;
          // Staged while this was written (a fault that tripped again while its acknowledgement was
          // being stored): committed now, the file would lack it until the next flush, and a kill
          // in between would lose it. Written again with it, a few times at most.
          const std::lock_guard lock(mutex_);
          restaged = changes_ != upto && attempt < kAttempts;
          return !restaged;
        },
        [&] {
          committed = true;
          if (on_committed) on_committed();
        });
    if (saved && *saved) stored(file_.stamp());
    const std::lock_guard lock(mutex_);
    if (!saved) {
      // The file was moved aside (SafetyStateFile::save), so a restart starts "lost". FAULT-STORE
      // joins what the next successful write stores, and the handler has the running controller
      // latch it now: both runs agree. A change committed before the failure (the folder's fsync
      // failed after the rename) is in force, applied and answered: it is kept here too, so that
      // the next write stores it rather than the state before it.
      if (committed) mutate(state_);
      ++write_failures_;
      remember_write_failure(saved.error(), wall_clock_ms());
      report(saved.error(), what);
      return saved;
    }
    if (!*saved) {
      if (restaged) continue;
      return false;  // withheld: the old file stands
    }
    mutate(state_);
    stored_changes_ = std::max(stored_changes_, upto);
    return true;
  }
}

std::int64_t SafetyStateStore::wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::pair<storage::SafetyState, std::uint64_t> SafetyStateStore::staged() const {
  const std::lock_guard lock(mutex_);
  return {state_, changes_};
}

storage::SafetyState SafetyStateStore::snapshot() const {
  const std::lock_guard lock(mutex_);
  return state_;
}

Status SafetyStateStore::save_mode(const storage::SafetyMode& mode) {
  auto saved = save_mode_if(mode, {});
  if (!saved) return Failure{saved.error()};
  return {};
}

Result<bool> SafetyStateStore::save_mode_if(const storage::SafetyMode& mode,
                                            const CommitCheck& may_commit,
                                            const Committed& on_committed) {
  const std::lock_guard writing(write_mutex_);
  auto saved = change([&](storage::SafetyState& s) { s.mode = mode; }, "operator mode " + mode.mode,
                      may_commit, on_committed);
  // An idle without an expiry is applied even when it cannot be stored (the safe direction):
  // it must be what the next successful write stores, never the mode before it.
  if (!saved && mode.mode == "idle" && !mode.expires_unix_ms) {
    const std::lock_guard lock(mutex_);
    state_.mode = mode;
    ++changes_;
  }
  return saved;
}

Result<bool> SafetyStateStore::save_settings_if(const storage::SafetySettings& settings,
                                                const CommitCheck& may_commit,
                                                const Committed& on_committed) {
  const std::lock_guard writing(write_mutex_);
  return change([&](storage::SafetyState& s) { s.settings = settings; }, "owner's settings",
                may_commit, on_committed);
}

std::optional<storage::SafetySettings> SafetyStateStore::settings() const {
  const std::lock_guard lock(mutex_);
  return state_.settings;
}

Status SafetyStateStore::clear_mode_if(const storage::SafetyMode& ended) {
  const std::lock_guard writing(write_mutex_);
  {
    // A mode stored since `ended` (a later write, an idle) is kept.
    const std::lock_guard lock(mutex_);
    if (!state_.mode || *state_.mode != ended) return {};
  }
  auto changed =
      change([](storage::SafetyState& s) { s.mode.reset(); }, "end of the operator's mode");
  if (!changed) return Failure{changed.error()};
  return {};
}

}  // namespace bessd::app
