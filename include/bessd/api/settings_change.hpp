#pragma once
// Applies a PUT /v1/settings request to the settings in force (docs/api.md "PUT /v1/settings"):
// the owner may narrow the configured state-of-charge window, never widen it. Pure: the facade
// stores and applies the result.

#include <bessd/api/command_dto.hpp>
#include <bessd/common/result.hpp>

namespace bessd::api {

/// The settings after `request`, with effective values worked out; an `invalid_argument` error
/// names the key and the bound it breaks (nothing is changed then).
Result<SettingsDto> apply_settings_request(const SettingsDto& now, const SettingsRequest& request);

/// The settings as they stand with these owner's values and configured bounds.
SettingsDto settings_with(double configured_reserve_pct, double configured_target_pct,
                          std::optional<double> owner_reserve_pct,
                          std::optional<double> owner_target_pct);

}  // namespace bessd::api
