#include <bessd/app/safety_state_store.hpp>

#include <algorithm>

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

SafetyStateStore::SafetyStateStore(storage::SafetyStateFile file, const LegacyLatches& legacy,
                                   std::int64_t now_unix_ms)
    : file_(std::move(file)) {
  auto opened = file_.open();
  origin_ = opened.origin;
  const std::string where = file_.path().string();
  switch (opened.origin) {
    case storage::SafetyStateOrigin::restored:
      state_ = std::move(opened.state);
      summary_ = "safety state restored from " + where + ": " +
                 std::to_string(state_.latches.size()) + " latched fault(s), " +
                 (state_.mode ? "operator mode " + state_.mode->mode : "no operator mode");
      prove_writable(now_unix_ms);
      return;
    case storage::SafetyStateOrigin::lost:
      start_lost(opened.lost_reason, now_unix_ms);
      return;
    case storage::SafetyStateOrigin::fresh_install:
      break;
  }
  if (legacy.telemetry_db_existed && legacy.load) {
    // First start after an upgrade: the latches lived in the telemetry database.
    auto old = legacy.load();
    if (!old) {
      origin_ = storage::SafetyStateOrigin::lost;
      start_lost(
          "the latched faults of the previous version could not be read from the "
          "telemetry database: " +
              old.error().message,
          now_unix_ms);
      return;
    }
    for (const auto& f : *old) state_.latches.push_back(to_storage(f));
    summary_ = "safety state created at " + where + " with " + std::to_string(old->size()) +
               " latched fault(s) migrated from the telemetry database";
  } else {
    summary_ = "safety state created at " + where + " (first start)";
  }
  if (auto st = persist(); !st) {
    remember_write_failure(st.error(), now_unix_ms);
    summary_ += "; writing it failed: " + st.error().message;
  }
}

void SafetyStateStore::start_lost(const std::string& why, std::int64_t now_unix_ms) {
  state_ = {};
  state_.latches.push_back(storage::SafetyLatch{
      kStoreFault,
      "safety state lost: " + why +
          ". Latched faults and the operator's mode of the previous run are unknown (the mode "
          "is the configuration's); check the system, then acknowledge",
      now_unix_ms});
  summary_ = "SAFETY STATE LOST (" + why + "): starting latched until an operator acknowledges";
  if (auto st = persist(); !st) summary_ += "; writing the new state failed: " + st.error().message;
}

void SafetyStateStore::prove_writable(std::int64_t now_unix_ms) {
  // A file that is readable but cannot be rewritten may be older than the last run's decisions:
  // on a read-only folder neither the latch write nor the removal of the old file succeeds, so a
  // latch raised then is missing from it. Rewriting it now proves the folder takes writes; if
  // not, the restored latches stay and FAULT-STORE is added (docs/operations.md, "Safety state").
  auto st = persist();
  if (st) return;
  origin_ = storage::SafetyStateOrigin::lost;
  if (!holds(state_, kStoreFault))
    state_.latches.push_back(storage::SafetyLatch{
        kStoreFault,
        "safety state lost: " + file_.path().string() + " can be read but not written (" +
            st.error().message +
            "), so a latch raised in the previous run may be missing from it; check the system "
            "and the folder, then acknowledge",
        now_unix_ms});
  summary_ += "; SAFETY STATE NOT WRITABLE (" + st.error().message +
              "): starting latched until an operator acknowledges";
}

Result<std::vector<control::LatchedFault>> SafetyStateStore::load() {
  std::vector<control::LatchedFault> out;
  out.reserve(state_.latches.size());
  for (const auto& l : state_.latches) out.push_back(to_control(l));
  return out;
}

Status SafetyStateStore::persist() {
  auto st = file_.save(state_);
  if (!st) ++write_failures_;
  return st;
}

void SafetyStateStore::remember_write_failure(const Error& error, std::int64_t now_unix_ms) {
  if (holds(state_, kStoreFault)) return;
  state_.latches.push_back(storage::SafetyLatch{
      kStoreFault, "the safety state could not be written: " + error.message, now_unix_ms});
}

Status SafetyStateStore::latch(const control::LatchedFault& fault) {
  // Kept in memory even when the write fails: the next write that succeeds stores it.
  auto it = std::find_if(state_.latches.begin(), state_.latches.end(),
                         [&](const storage::SafetyLatch& l) { return l.id == fault.id; });
  if (it != state_.latches.end())
    *it = to_storage(fault);
  else
    state_.latches.push_back(to_storage(fault));
  auto st = persist();
  if (!st) remember_write_failure(st.error(), fault.raised_unix_ms);
  return st;
}

Status SafetyStateStore::clear(std::string_view id) {
  if (!holds(state_, id)) return {};
  storage::SafetyState next = state_;
  std::erase_if(next.latches, [&](const storage::SafetyLatch& l) { return l.id == id; });
  // On failure the latch stays in what is stored: after a restart it is latched again.
  return replace_state(std::move(next));
}

std::vector<control::TripRecord> SafetyStateStore::load_trips() {
  std::vector<control::TripRecord> out;
  for (const auto& t : state_.trips)
    out.push_back(control::TripRecord{t.id, t.charge, t.discharge, t.at_unix_ms});
  return out;
}

Status SafetyStateStore::save_trips(const std::vector<control::TripRecord>& trips) {
  storage::SafetyState next = state_;
  next.trips.clear();
  for (const auto& t : trips)
    next.trips.push_back(storage::SafetyTrip{t.id, t.charge, t.discharge, t.at_unix_ms});
  return replace_state(std::move(next));
}

Status SafetyStateStore::replace_state(storage::SafetyState next) {
  auto st = file_.save(next);
  if (!st) {
    // What is stored stays as it was (a restart resumes it); the caller decides what that means.
    ++write_failures_;
    return st;
  }
  state_ = std::move(next);
  return st;
}

Status SafetyStateStore::save_mode(const storage::SafetyMode& mode) {
  storage::SafetyState next = state_;
  next.mode = mode;
  return replace_state(std::move(next));
}

Status SafetyStateStore::clear_mode() {
  if (!state_.mode) return {};
  storage::SafetyState next = state_;
  next.mode.reset();
  return replace_state(std::move(next));
}

}  // namespace bessd::app
