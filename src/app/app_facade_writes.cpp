// AppFacade's writes: the operator's mode and acknowledgements, staged so that the durable
// safety-state write never runs on the control thread (staged_write.hpp), and the audit record
// of every write (docs/api.md, "GET /v1/audit").

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <memory>

#include <bessd/api/json.hpp>
#include <bessd/app/app_facade.hpp>
#include <bessd/app/logging.hpp>

namespace bessd::app {

namespace {

config::OperatingMode to_config(api::Mode m) {
  switch (m) {
    case api::Mode::idle:
      return config::OperatingMode::idle;
    case api::Mode::manual:
      return config::OperatingMode::manual;
    case api::Mode::self_consumption:
      return config::OperatingMode::self_consumption;
    case api::Mode::schedule:
      return config::OperatingMode::schedule;
  }
  return config::OperatingMode::idle;
}

std::string audit_actor_text(const api::Requester& who) {
  nlohmann::json j{{"transport", api::to_string(who.transport)},
                   {"uid", who.uid ? nlohmann::json(*who.uid) : nlohmann::json()},
                   {"gid", who.gid ? nlohmann::json(*who.gid) : nlohmann::json()},
                   {"pid", who.pid ? nlohmann::json(*who.pid) : nlohmann::json()},
                   {"user", who.user},
                   {"token", who.credential},
                   {"peer", who.peer},
                   {"text", who.describe()}};
  return j.dump();
}

// How long the answer to `mode idle` waits for its safety-state write to say whether it was
// stored: well inside a client's patience, with the audit wait after it.
constexpr std::chrono::milliseconds kIdleStoreWait{1000};
// How long a write that releases power waits for its "requested" audit record before it is
// stored; not stored then, it is not carried out.
constexpr std::chrono::milliseconds kRequestedRecordWait{2000};

}  // namespace

// What stage 1 of a mode change decided, for the later stages.
struct AppFacade::ModePlan {
  api::ModeRequest request;
  api::Requester who;
  control::OperatorRequest next;
  storage::SafetyMode stored_as;
  AuditedRequest audit_request;
  bool stops_power{false};               // idle without an expiry: takes effect before it is stored
  std::function<bool()> superseded;      // an idle asked for later overtook it
  bool overtaken{false};                 // found superseded before it was stored
  bool still_storing{false};             // an idle answered before its slow write finished
  std::optional<AuditCommit> requested;  // the "requested" record, committed before the store
  std::optional<std::chrono::steady_clock::time_point> answer_by;  // stored by then or dropped
  bool too_late{false};  // not stored by answer_by: withheld, not applied
  Status stored;
};

// What stage 1 of an acknowledgement found latched, and what stage 2 stored.
struct AppFacade::AckPlan {
  api::Requester who;
  std::vector<std::string> latched;           // before the acknowledgement
  std::vector<std::string> to_clear;          // latched with their cause gone
  std::vector<storage::SafetyLatch> records;  // their stored records, as the operator saw them
  // ...and the trip count of each then: one that trips again before the acknowledgement applies
  // was not seen by the operator and stays latched (control::StepInput::ack_seen).
  std::map<std::string, std::uint64_t, std::less<>> seen;
  std::map<std::string, Status, std::less<>> stored;  // the durable clears
  std::optional<AuditCommit> requested;  // the "requested" record, committed before the clears
  std::optional<std::chrono::steady_clock::time_point> answer_by;  // stored by then or dropped
  bool too_late{false};  // not stored by answer_by: withheld, nothing cleared, not applied
};

// docs/operations.md "Safety state": the rename is the commit. The caller (a facade writer
// thread) goes on as soon as the write is committed, withheld or failed; the folder's fsync
// after the rename completes on the latch writer, and should it fail, FAULT-STORE latches (the
// store's failure handler) and the file is moved aside, so a restart starts latched; the store
// keeps the committed change, so the next write stores what is in force.
Result<bool> AppFacade::store_until_committed(
    std::optional<std::chrono::steady_clock::time_point> answer_by, const CommittingWrite& write) {
  struct Decision {
    enum Phase : int { waiting, committing, abandoned };
    std::promise<Result<bool>> promise;
    std::atomic<bool> decided{false};
    std::atomic<int> phase{waiting};
    void decide(Result<bool> r) {
      if (!decided.exchange(true)) promise.set_value(std::move(r));
    }
    // The store, just before the rename (again if it rewrites with a latch staged meanwhile).
    bool claim() {
      int expected = waiting;
      return phase.compare_exchange_strong(expected, committing) || expected == committing;
    }
    // The caller, at its deadline: from now on the write can no longer be committed.
    bool abandon() {
      int expected = waiting;
      return phase.compare_exchange_strong(expected, abandoned) || expected == abandoned;
    }
  };
  auto decision = std::make_shared<Decision>();
  const SafetyStateStore::CommitCheck may_commit = [decision, answer_by] {
    if (answer_by && std::chrono::steady_clock::now() > *answer_by) return false;
    return decision->claim();
  };
  auto decided = decision->promise.get_future();
  auto run = [write, decision, may_commit] {
    // Abandoned while queued: not even its temporary file is written (the disk is slow already).
    if (decision->phase == Decision::abandoned) return decision->decide(false);
    auto result = write(may_commit, [decision] { decision->decide(true); });
    decision->decide(std::move(result));
  };
  if (!ctx_.latch_writer) {
    run();
    return decided.get();
  }
  ctx_.latch_writer->defer(std::move(run));
  // Still queued behind a slow disk (writes ahead of it, the start-up rewrite) at its deadline:
  // withheld and answered now, not when the latch writer reaches it and the client is gone.
  if (answer_by && decided.wait_until(*answer_by) == std::future_status::timeout &&
      decision->abandon())
    return false;
  return decided.get();
}

Result<api::ModeVerdict> AppFacade::request_mode(const api::ModeRequest& request,
                                                 const api::Requester& who) {
  return stage_mode(request, who).run_here();
}

Result<api::AckResult> AppFacade::ack_faults(const api::Requester& who) {
  return stage_ack(who).run_here();
}

StagedWrite<api::ModeVerdict> AppFacade::stage_mode(
    const api::ModeRequest& request, const api::Requester& who, std::function<bool()> superseded,
    std::optional<std::chrono::steady_clock::time_point> answer_by) {
  if (request.mode == api::Mode::schedule && !ctx_.config.schedule)
    return StagedWrite<api::ModeVerdict>::answered(
        fail(ErrorCode::invalid_argument,
             "mode schedule needs a schedule section in the configuration (docs/schedules.md)"));
  auto plan = std::make_shared<ModePlan>();
  plan->superseded = std::move(superseded);
  plan->answer_by = answer_by;
  plan->request = request;
  plan->who = who;
  control::OperatorRequest& r = plan->next;
  r = ctx_.loop.request();
  r.mode = to_config(request.mode);
  if (request.setpoint_w) r.manual_setpoint_w = *request.setpoint_w;
  const auto now_ms = to_unix_ms(ctx_.clock.wall_now());
  r.expires_at.reset();
  std::optional<std::int64_t> expires_unix_ms;
  if (request.expires_in_s) {
    expires_unix_ms = now_ms + *request.expires_in_s * 1000;
    r.expires_at = WallTime{std::chrono::milliseconds{*expires_unix_ms}};
  }
  plan->audit_request = {"mode", api::to_json(request).dump()};
  // Idle is the safe direction: taken even without an audit record (the journal has it), or a
  // durable write. Only an idle without an expiry: one with an expiry releases power when it
  // ends, so it needs both like any other mode.
  plan->stops_power = r.mode == config::OperatingMode::idle && !r.expires_at;
  if (!plan->stops_power) {
    if (auto refused = refused_without_audit(who, plan->audit_request))
      return StagedWrite<api::ModeVerdict>::answered(*refused);
  } else if (auto why = audit_unavailable()) {
    log_audit_fallback(who, plan->audit_request, "accepted", *why);
  }
  storage::SafetyMode& m = plan->stored_as;
  m.mode = std::string(config::to_string(r.mode));
  m.manual_setpoint_w = r.manual_setpoint_w;
  m.target_grid_w = r.target_grid_w;
  m.expires_unix_ms = expires_unix_ms;
  m.set_by = who.describe();
  m.set_unix_ms = now_ms;
  // Stopping power never waits for a disk.
  if (plan->stops_power)
    ctx_.loop.set_request(r);  // runs a step now
  else
    plan->requested = record_requested(who, plan->audit_request);
  StagedWrite<api::ModeVerdict> w;
  w.store = [this, plan] {
    if (!ctx_.safety) return;
    if (plan->stops_power && ctx_.latch_writer) {
      // In force already: stored after the writes queued before it, and answered without
      // waiting long for a slow disk. A failure latches FAULT-STORE (the store's failure
      // handler) either way; the answer says it if it is known in time.
      auto stored = ctx_.latch_writer->store_later(
          [this, plan] { return ctx_.safety->save_mode(plan->stored_as); });
      if (stored.wait_for(kIdleStoreWait) == std::future_status::ready)
        plan->stored = stored.get();
      else
        plan->still_storing = true;
      return;
    }
    // Durable before it takes effect: a mode that a restart would forget is not accepted. And
    // never in force without its record: a kill -9 after the store must leave one.
    if (auto why = wait_for_requested(plan->requested)) {
      plan->stored = fail(ErrorCode::storage_error, *why);
      return;
    }
    // Decided at the last moment that counts, just before the new file replaces the old (a
    // kill after it keeps the mode): an idle asked for after it, or a client that has given up
    // waiting (a slow disk, writes queued ahead), withholds it. Then it never reaches the disk,
    // so there is nothing to undo. Committed, it takes effect at once.
    const auto overtaken = [plan] { return plan->superseded && plan->superseded(); };
    auto saved = store_until_committed(
        plan->answer_by, [this, plan, overtaken](const SafetyStateStore::CommitCheck& in_time,
                                                 const SafetyStateStore::Committed& committed) {
          return ctx_.safety->save_mode_if(
              plan->stored_as, [overtaken, in_time] { return !overtaken() && in_time(); },
              committed);
        });
    if (!saved) {
      plan->stored = Status{Failure{saved.error()}};
    } else if (!*saved) {
      plan->overtaken = overtaken();
      plan->too_late = !plan->overtaken;
    }
  };
  w.apply = [this, plan] { return apply_mode(*plan); };
  return w;
}

// A mode its client has given up waiting for must not take effect later: it was withheld from
// the disk, and is not applied.
Result<api::ModeVerdict> AppFacade::refuse_late_mode(const ModePlan& plan) {
  const std::string why =
      "not applied: the safety state could not be written in time (a slow disk, or writes "
      "queued ahead), and a mode its client has given up on must not take effect later; retry";
  record_audit(plan.who, plan.audit_request, "error", why);
  return fail(ErrorCode::timeout, why);
}

Result<api::ModeVerdict> AppFacade::apply_mode(const ModePlan& plan) {
  if (plan.overtaken) {
    const std::string why =
        "not applied: the operator asked for mode idle after it, and idle is carried out first";
    record_audit(plan.who, plan.audit_request, "refused", why);
    return fail(ErrorCode::busy, why);
  }
  if (plan.too_late) return refuse_late_mode(plan);
  if (plan.stored && plan.superseded && plan.superseded()) {
    // Stored before the operator's idle was asked for: it did take effect, and the idle after it
    // is in force now (and stored after it). Said as it happened, not applied over the idle.
    const std::string msg =
        "mode stored, then overtaken by the operator's mode idle asked for after it: idle is in "
        "force, and until the idle is stored too, a restart would resume this mode";
    record_audit(plan.who, plan.audit_request, "accepted", msg);
    api::ModeVerdict v;
    v.accepted = true;
    v.mode = api::Mode::idle;
    v.effective_setpoint_w = 0.0;
    v.message = msg;
    return v;
  }
  std::string not_stored;
  if (!plan.stored) {
    // Either way FAULT-STORE latches (the store's failure handler): the file is moved aside.
    if (!plan.stops_power) {
      const std::string why = "the mode could not be stored durably, so it was not applied: " +
                              plan.stored.error().message;
      record_audit(plan.who, plan.audit_request, "error", why);
      return fail(ErrorCode::storage_error, why);
    }
    not_stored = "; it could not be stored (" + plan.stored.error().message +
                 "), so FAULT-STORE latches and a restart starts latched";
  }
  if (!plan.stops_power) ctx_.loop.set_request(plan.next);  // runs a step now
  const auto& out = ctx_.loop.last_output();
  api::ModeVerdict v;
  v.accepted = true;
  v.mode = plan.request.mode;
  v.expires_at = plan.next.expires_at;
  if (out.command.kind == core::CommandKind::set_power)
    v.effective_setpoint_w = out.command.battery_power_w;
  if (out.command.kind == core::CommandKind::safe_state) v.effective_setpoint_w = 0.0;
  if (out.state == control::ControlState::lockout || out.state == control::ControlState::fault) {
    v.message = "mode stored, but no power flows while the controller is in " +
                std::string(control::to_string(out.state)) +
                (out.faults.empty()
                     ? ""
                     : " (" + out.faults.front().id + ": " + out.faults.front().reason + ")");
  } else if (out.clamp.clamped) {
    v.message =
        "clamped to " + std::to_string(static_cast<long>(std::lround(out.clamp.allowed_w))) +
        " W by " +
        (out.clamp.cause.rule_id.empty() ? std::string(core::to_string(out.clamp.cause.kind))
                                         : out.clamp.cause.rule_id) +
        ": " + out.clamp.cause.sentence;
  } else {
    v.message = "mode " + std::string(api::to_string(plan.request.mode)) + " in force";
  }
  v.message += not_stored;
  if (plan.still_storing)
    v.message +=
        "; it is still being stored (the disk is slow): if that fails, FAULT-STORE "
        "latches";
  if (plan.next.expires_at)
    v.message += "; until " + api::format_time(*plan.next.expires_at) +
                 ", then the configured mode " +
                 std::string(config::to_string(ctx_.config.control.mode));
  record_audit(plan.who, plan.audit_request, "accepted", v.message);
  return v;
}

StagedWrite<api::AckResult> AppFacade::stage_ack(
    const api::Requester& who, std::optional<std::chrono::steady_clock::time_point> answer_by) {
  if (auto refused = refused_without_audit(who, {"ack_faults"}))
    return StagedWrite<api::AckResult>::answered(*refused);
  auto plan = std::make_shared<AckPlan>();
  plan->who = who;
  plan->answer_by = answer_by;
  for (const auto& f : ctx_.loop.last_output().faults) {
    if (!f.latched) continue;
    plan->latched.push_back(f.id);
    if (f.cause_active) continue;
    plan->to_clear.push_back(f.id);
    plan->seen.emplace(f.id, f.trips);
  }
  if (ctx_.safety) plan->records = ctx_.safety->latch_records(plan->to_clear);
  if (!plan->to_clear.empty()) plan->requested = record_requested(who, {"ack_faults"});
  StagedWrite<api::AckResult> w;
  w.store = [this, plan] {
    // Without a write-behind the controller's own store clears them in the step (tests).
    if (!ctx_.latch_writer || !ctx_.safety || plan->to_clear.empty()) return;
    if (auto why = wait_for_requested(plan->requested)) {
      for (const auto& id : plan->to_clear)
        plan->stored.emplace(id, fail(ErrorCode::storage_error, *why));
      return;
    }
    // One write for all of them, withheld at the last moment if its client has given up
    // waiting: then nothing is cleared on disk, and nothing needs undoing.
    auto cleared = store_until_committed(
        plan->answer_by, [this, plan](const SafetyStateStore::CommitCheck& in_time,
                                      const SafetyStateStore::Committed& done) {
          return ctx_.safety->clear_latches(plan->records, in_time, done);
        });
    if (cleared && !*cleared) {
      plan->too_late = true;
      return;
    }
    const Status st = cleared ? Status{} : Status{Failure{cleared.error()}};
    for (const auto& id : plan->to_clear) plan->stored.emplace(id, st);
  };
  w.apply = [this, plan] { return apply_ack(*plan); };
  return w;
}

// An acknowledgement its client has given up waiting for does not take effect: it was withheld
// from the disk, and its faults stay latched.
Result<api::AckResult> AppFacade::refuse_late_ack(const AckPlan& plan) {
  const std::string why =
      "not applied: the acknowledgement could not be stored in time (a slow disk, or writes "
      "queued ahead), and one its client has given up on must not take effect later; the faults "
      "stay latched, retry";
  record_audit(plan.who, {"ack_faults"}, "error", why);
  return fail(ErrorCode::timeout, why);
}

Result<api::AckResult> AppFacade::apply_ack(const AckPlan& plan) {
  if (plan.too_late) return refuse_late_ack(plan);
  if (ctx_.latch_writer) ctx_.latch_writer->acknowledged(plan.stored);
  ctx_.loop.acknowledge_faults(plan.seen);  // runs a step now
  if (ctx_.latch_writer) {
    ctx_.latch_writer->acknowledged({});
    // Cleared on disk, but its cause came back before the step: it stays latched, so it is
    // stored again (a restart must find it).
    for (const auto& f : ctx_.loop.last_output().faults) {
      const auto it = plan.stored.find(f.id);
      if (f.latched && it != plan.stored.end() && it->second)
        (void)ctx_.latch_writer->latch({f.id, f.reason, to_unix_ms(ctx_.clock.wall_now())});
    }
  }
  if (ctx_.loop.stopped()) {
    // The stop began while it was being stored: no step carries it out, and the faults are
    // stored latched again above. Not "tripped again": nothing did.
    const std::string why =
        "bessd is stopping: the acknowledgement was not carried out and the faults stay "
        "latched; acknowledge again after the restart";
    record_audit(plan.who, {"ack_faults"}, "error", why);
    return fail(ErrorCode::disconnected, why);
  }
  api::AckResult r;
  std::string not_stored;
  std::string tripped_again;
  bool cause_present = false;
  for (const auto& f : ctx_.loop.last_output().faults) {
    if (!f.latched) continue;
    r.still_active.push_back(f.id);
    if (!f.ack_not_stored.empty())
      not_stored += (not_stored.empty() ? "" : "; ") + f.id + " (" + f.ack_not_stored + ")";
    const bool seen_cleared = plan.seen.count(f.id) != 0;
    if (seen_cleared && f.ack_not_stored.empty())
      tripped_again += (tripped_again.empty() ? "" : ", ") + f.id;
    else if (!seen_cleared)
      cause_present = true;
  }
  for (const auto& id : plan.latched)
    if (std::find(r.still_active.begin(), r.still_active.end(), id) == r.still_active.end())
      r.acknowledged.push_back(id);
  if (r.still_active.empty()) {
    r.message = r.acknowledged.empty() ? "no latched faults" : "all latched faults acknowledged";
  } else {
    r.message = "some faults stay latched:";
    if (cause_present) r.message += " their cause is still present";
    if (!tripped_again.empty())
      r.message += std::string(cause_present ? ";" : "") + " " + tripped_again +
                   " tripped again while the acknowledgement was being stored (acknowledge "
                   "again once its cause has cleared)";
  }
  if (!not_stored.empty()) {
    // Nothing unsafe happened (the faults stay latched), but the operator's request did not take
    // effect: say so with 503 rather than a 200 that reads like a partial success.
    const std::string why = "the acknowledgement could not be stored durably, so these faults " +
                            std::string("stay latched: ") + not_stored;
    record_audit(plan.who, {"ack_faults"}, "error", why);
    return fail(ErrorCode::storage_error, why);
  }
  record_audit(plan.who, {"ack_faults"}, r.still_active.empty() ? "accepted" : "partial",
               r.message);
  return r;
}

// docs/api.md "GET /v1/audit": a write that releases power is recorded as requested before it
// is stored, so that a kill -9 between the store and the answer leaves a record of who asked
// for what is in force after the restart. Its outcome follows in a record of its own.
std::optional<AuditCommit> AppFacade::record_requested(const api::Requester& who,
                                                       const AuditedRequest& request) {
  const auto before = audit_commits_.size();
  record_audit(who, request, "requested", "stored, then applied; the outcome follows");
  if (audit_commits_.size() == before) return std::nullopt;
  return audit_commits_.back();
}

// The caller's thread (API writer), before the durable write: why it must not be stored.
std::optional<std::string> AppFacade::wait_for_requested(
    const std::optional<AuditCommit>& requested) {
  if (!requested) return std::nullopt;
  const auto why = wait_for_audit_commits({*requested}, kRequestedRecordWait);
  if (!why) return std::nullopt;
  return "its audit record could not be stored, so it was not applied (" + *why + ")";
}

void AppFacade::record_audit(const api::Requester& who, const AuditedRequest& request,
                             const std::string& outcome, const std::string& message) {
  storage::AuditRecord a;
  a.at = ctx_.clock.wall_now();
  a.actor = audit_actor_text(who);
  a.action = request.action;
  a.request = request.parameters;
  a.sent = ctx_.loop.last_output().command;
  a.readback_power_w = ctx_.loop.inverter().setpoint_readback_w;
  a.outcome = outcome;
  a.message = message;
  if (audit_unavailable()) {
    // Of the writes that wait, only an idle is taken in this state, and the journal has its
    // record (log_audit_fallback): its answer does not wait for a database that is down.
    ctx_.store.append_audit(a);
    return;
  }
  // The API thread answers the write once this commits (docs/api.md "GET /v1/audit"); a
  // promise the store drops unfulfilled (it stopped first) reads as "not stored".
  auto committed = std::make_shared<std::promise<void>>();
  // Taken after every API call; the bound only matters to a caller that never takes them.
  if (audit_commits_.size() >= 64) audit_commits_.erase(audit_commits_.begin());
  audit_commits_.push_back(committed->get_future().share());
  ctx_.store.append_audit(a, [committed](std::int64_t) { committed->set_value(); });
}

std::optional<std::string> AppFacade::audit_unavailable() const {
  const auto m = ctx_.store.metrics();
  if (m.available) return std::nullopt;
  return m.last_error.empty() ? std::string("the database is not open") : m.last_error;
}

// docs/api.md "GET /v1/audit": a write that can release power is refused while its audit record
// cannot be stored, rather than accepted without one.
std::optional<Failure> AppFacade::refused_without_audit(const api::Requester& who,
                                                        const AuditedRequest& request) {
  const auto why = audit_unavailable();
  if (!why) return std::nullopt;
  log_audit_fallback(who, request, "refused", *why);
  return Failure{Error{ErrorCode::storage_error,
                       "the audit log cannot be written (" + *why +
                           "), so this write is refused; see /v1/status (storage) and retry "
                           "once the database works again"}};
}

void AppFacade::log_audit_fallback(const api::Requester& who, const AuditedRequest& request,
                                   const std::string& outcome, const std::string& message) {
  logger("api")->warn("audit log unavailable, recorded here instead: {} {} by {}: {}: {}",
                      request.action, request.parameters, who.describe(), outcome, message);
}

}  // namespace bessd::app
