// docs/api.md "PUT /v1/settings".
#include <bessd/api/settings_change.hpp>

#include <bessd/core/soc_window.hpp>

namespace bessd::api {

namespace {

Failure refused(const char* key, const std::string& why) {
  return fail(ErrorCode::invalid_argument, std::string(key) + ": " + why);
}

using core::pct_text;

// "3": a distance in percentage points.
std::string points(double pct) {
  const std::string text = pct_text(pct);
  return text.substr(0, text.size() - 2);
}

}  // namespace

ConfiguredSocWindow configured_soc_window(const config::Config& cfg) {
  return {cfg.control.min_soc_pct, cfg.control.max_soc_pct,
          core::soc_window_gap_pct(cfg.limits.soc_recovery_hysteresis_pct)};
}

SettingsDto settings_with(const ConfiguredSocWindow& configured,
                          std::optional<double> owner_reserve_pct,
                          std::optional<double> owner_target_pct) {
  const auto w = core::soc_window(configured.min_soc_pct, configured.max_soc_pct,
                                  configured.gap_pct, owner_reserve_pct, owner_target_pct);
  SettingsDto s;
  s.reserve = {w.reserve_pct, configured.min_soc_pct, owner_reserve_pct, w.owner_reserve};
  s.target = {w.target_pct, configured.max_soc_pct, owner_target_pct, w.owner_target};
  s.note = w.set_aside;
  return s;
}

Result<SettingsDto> apply_settings_request(const ConfiguredSocWindow& c, const SettingsDto& now,
                                           const SettingsRequest& request) {
  auto reserve = now.reserve.owner_pct;
  auto target = now.target.owner_pct;
  if (request.reserve_soc_pct) reserve = *request.reserve_soc_pct;
  if (request.target_soc_pct) target = *request.target_soc_pct;
  // The configured value itself is the configuration's: it follows a later change of it.
  if (reserve && *reserve == c.min_soc_pct) reserve.reset();
  if (target && *target == c.max_soc_pct) target.reset();
  const double highest_reserve = c.max_soc_pct - c.gap_pct;
  const double lowest_target = c.min_soc_pct + c.gap_pct;
  if (request.reserve_soc_pct && reserve) {
    if (*reserve < c.min_soc_pct)
      return refused("reserve_soc_pct",
                     pct_text(*reserve) + " is below the installer's floor of " +
                         pct_text(c.min_soc_pct) +
                         " (control.min_soc_pct): the reserve can only be raised");
    if (*reserve > highest_reserve)
      return refused("reserve_soc_pct",
                     pct_text(*reserve) + " is above " + pct_text(highest_reserve) +
                         ": the reserve stays " + points(c.gap_pct) +
                         " points below the configured maximum (control.max_soc_pct), or the "
                         "battery could neither charge nor discharge");
  }
  if (request.target_soc_pct && target) {
    if (*target > c.max_soc_pct)
      return refused("target_soc_pct",
                     pct_text(*target) + " is above the configured maximum of " +
                         pct_text(c.max_soc_pct) +
                         " (control.max_soc_pct): the target can only be lowered");
    if (*target < lowest_target)
      return refused("target_soc_pct",
                     pct_text(*target) + " is below " + pct_text(lowest_target) +
                         ": the target stays " + points(c.gap_pct) +
                         " points above the installer's floor (control.min_soc_pct), where a "
                         "recovery charge ends");
  }
  const double reserve_pct = reserve.value_or(c.min_soc_pct);
  const double target_pct = target.value_or(c.max_soc_pct);
  if ((request.reserve_soc_pct || request.target_soc_pct) && reserve_pct + c.gap_pct > target_pct)
    return refused(request.target_soc_pct ? "target_soc_pct" : "reserve_soc_pct",
                   "the reserve (" + pct_text(reserve_pct) + ") must be at least " +
                       points(c.gap_pct) + " points below the charge target (" +
                       pct_text(target_pct) +
                       "): discharging resumes only above the reserve plus the hysteresis "
                       "(limits.soc_recovery_hysteresis_pct), so a narrower window holds the "
                       "battery still");
  SettingsDto next = settings_with(c, reserve, target);
  next.set_by = now.set_by;
  next.set_at = now.set_at;
  return next;
}

}  // namespace bessd::api
