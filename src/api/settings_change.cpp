// docs/api.md "PUT /v1/settings".
#include <bessd/api/settings_change.hpp>

#include <algorithm>

#include <bessd/common/printf_string.hpp>

namespace bessd::api {

namespace {

Failure refused(const char* key, const std::string& why) {
  return fail(ErrorCode::invalid_argument, std::string(key) + ": " + why);
}

}  // namespace

SettingsDto settings_with(double configured_reserve_pct, double configured_target_pct,
                          std::optional<double> owner_reserve_pct,
                          std::optional<double> owner_target_pct) {
  SettingsDto s;
  s.reserve.configured_pct = configured_reserve_pct;
  s.reserve.owner_pct = owner_reserve_pct;
  s.reserve.effective_pct = owner_reserve_pct ? std::max(configured_reserve_pct, *owner_reserve_pct)
                                              : configured_reserve_pct;
  s.target.configured_pct = configured_target_pct;
  s.target.owner_pct = owner_target_pct;
  s.target.effective_pct =
      owner_target_pct ? std::min(configured_target_pct, *owner_target_pct) : configured_target_pct;
  return s;
}

Result<SettingsDto> apply_settings_request(const SettingsDto& now, const SettingsRequest& request) {
  const double floor = now.reserve.configured_pct;
  const double ceiling = now.target.configured_pct;
  auto reserve = now.reserve.owner_pct;
  auto target = now.target.owner_pct;
  if (request.reserve_soc_pct) reserve = *request.reserve_soc_pct;
  if (request.target_soc_pct) target = *request.target_soc_pct;
  if (request.reserve_soc_pct && reserve) {
    if (*reserve < floor)
      return refused("reserve_soc_pct",
                     printf_string("%g %% is below the installer's floor of %g %% "
                                   "(control.min_soc_pct): the reserve can only be raised",
                                   *reserve, floor));
    if (*reserve >= ceiling)
      return refused("reserve_soc_pct",
                     printf_string("%g %% must be below the configured maximum of %g %% "
                                   "(control.max_soc_pct)",
                                   *reserve, ceiling));
  }
  if (request.target_soc_pct && target) {
    if (*target > ceiling)
      return refused("target_soc_pct",
                     printf_string("%g %% is above the configured maximum of %g %% "
                                   "(control.max_soc_pct): the target can only be lowered",
                                   *target, ceiling));
    if (*target <= floor)
      return refused("target_soc_pct",
                     printf_string("%g %% must be above the installer's floor of %g %% "
                                   "(control.min_soc_pct)",
                                   *target, floor));
  }
  SettingsDto next = settings_with(floor, ceiling, reserve, target);
  if (next.reserve.effective_pct >= next.target.effective_pct)
    return refused(request.target_soc_pct ? "target_soc_pct" : "reserve_soc_pct",
                   printf_string("the reserve (%g %%) must be below the charge target (%g %%)",
                                 next.reserve.effective_pct, next.target.effective_pct));
  next.set_by = now.set_by;
  next.set_at = now.set_at;
  return next;
}

}  // namespace bessd::api
