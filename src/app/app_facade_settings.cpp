// AppFacade's settings: the owner's reserve and charge target (docs/api.md "PUT /v1/settings").
// Like a mode, a change is recorded as requested, stored durably in the safety state and only
// then applied (a lower reserve or a higher target releases power), and audited with its
// outcome.

#include <chrono>
#include <memory>

#include <bessd/api/json.hpp>
#include <bessd/api/settings_change.hpp>
#include <bessd/app/app_facade.hpp>
#include <bessd/core/soc_window.hpp>

namespace bessd::app {

namespace {

std::string pct_text(const api::SocSetting& s) {
  const std::string text = core::pct_text(s.effective_pct);
  return s.owner_applies ? text : text + " (the configuration's)";
}

}  // namespace

struct AppFacade::SettingsPlan {
  api::Requester who;
  api::SettingsDto next;
  storage::SafetySettings stored_as;
  AuditedRequest audit_request;
  std::optional<AuditCommit> requested;
  std::optional<std::chrono::steady_clock::time_point> answer_by;
  bool too_late{false};
  Status stored;
};

api::SettingsDto AppFacade::settings() const {
  const auto& owner = ctx_.loop.owner();
  auto s = api::settings_with(api::configured_soc_window(ctx_.config), owner.reserve_soc_pct,
                              owner.target_soc_pct);
  if (const auto stored = ctx_.safety ? ctx_.safety->settings() : std::nullopt) {
    s.set_by = stored->set_by;
    s.set_at = WallTime{std::chrono::milliseconds{stored->set_unix_ms}};
  }
  return s;
}

Result<api::SettingsDto> AppFacade::request_settings(const api::SettingsRequest& request,
                                                     const api::Requester& who) {
  return stage_settings(request, who).run_here();
}

StagedWrite<api::SettingsDto> AppFacade::stage_settings(
    const api::SettingsRequest& request, const api::Requester& who,
    std::optional<std::chrono::steady_clock::time_point> answer_by) {
  using Write = StagedWrite<api::SettingsDto>;
  auto plan = std::make_shared<SettingsPlan>();
  plan->who = who;
  plan->answer_by = answer_by;
  plan->audit_request = {"settings", api::to_json(request).dump()};
  auto next =
      api::apply_settings_request(api::configured_soc_window(ctx_.config), settings(), request);
  if (!next) {
    record_audit(who, plan->audit_request, "refused", next.error().message);
    return Write::answered(Failure{next.error()});
  }
  if (auto refused = refused_without_audit(who, plan->audit_request))
    return Write::answered(*refused);
  plan->next = *next;
  const auto now_ms = to_unix_ms(ctx_.clock.wall_now());
  plan->stored_as.reserve_soc_pct = next->reserve.owner_pct;
  plan->stored_as.target_soc_pct = next->target.owner_pct;
  plan->stored_as.set_by = who.describe();
  plan->stored_as.set_unix_ms = now_ms;
  plan->next.set_by = plan->stored_as.set_by;
  plan->next.set_at = WallTime{std::chrono::milliseconds{now_ms}};
  plan->requested = record_requested(who, plan->audit_request);
  Write w;
  w.store = [this, plan] {
    if (!ctx_.safety) return;
    // Durable before it takes effect, never in force without its record (as a mode).
    if (auto why = wait_for_requested(plan->requested)) {
      plan->stored = fail(ErrorCode::storage_error, *why);
      return;
    }
    auto saved = store_until_committed(
        plan->answer_by, [this, plan](const SafetyStateStore::CommitCheck& in_time,
                                      const SafetyStateStore::Committed& committed) {
          return ctx_.safety->save_settings_if(plan->stored_as, in_time, committed);
        });
    if (!saved)
      plan->stored = Status{Failure{saved.error()}};
    else if (!*saved)
      plan->too_late = true;
  };
  w.apply = [this, plan] { return apply_settings(*plan); };
  return w;
}

Result<api::SettingsDto> AppFacade::apply_settings(const SettingsPlan& plan) {
  if (plan.too_late) {
    const std::string why =
        "not applied: the safety state could not be written in time (a slow disk, or writes "
        "queued ahead), and a change its client has given up on must not take effect later; "
        "retry";
    record_audit(plan.who, plan.audit_request, "error", why);
    return fail(ErrorCode::timeout, why);
  }
  if (!plan.stored) {
    const std::string why =
        "the settings could not be stored durably, so they were not "
        "applied: " +
        plan.stored.error().message;
    record_audit(plan.who, plan.audit_request, "error", why);
    return fail(ErrorCode::storage_error, why);
  }
  ctx_.loop.set_owner({plan.next.reserve.owner_pct, plan.next.target.owner_pct});  // a step now
  api::SettingsDto out = plan.next;
  out.message = "stored and in force: discharging stops at " + pct_text(out.reserve) +
                ", charging at " + pct_text(out.target);
  // Said, because a Victron would charge from the grid to its minimum SOC and bessd does not.
  if (const auto soc = ctx_.loop.pack().soc_pct; soc && *soc < out.reserve.effective_pct)
    out.message += "; the battery is at " + core::pct_text(*soc) +
                   ", below the reserve: it is held there, not charged from the grid (to fill "
                   "it, use mode manual or a schedule's charge window)";
  record_audit(plan.who, plan.audit_request, "accepted", out.message);
  return out;
}

}  // namespace bessd::app
