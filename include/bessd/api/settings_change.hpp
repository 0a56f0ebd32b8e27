#pragma once
// Applies a PUT /v1/settings request to the settings in force (docs/api.md "PUT /v1/settings"):
// the owner may narrow the configured state-of-charge window, never widen it. Pure: the facade
// stores and applies the result.

#include <optional>

#include <bessd/api/command_dto.hpp>
#include <bessd/common/result.hpp>
#include <bessd/config/config.hpp>

namespace bessd::api {

/// The configured window and the least distance between reserve and target
/// (core::soc_window_gap_pct).
struct ConfiguredSocWindow {
  double min_soc_pct{10.0};
  double max_soc_pct{100.0};
  double gap_pct{3.0};
};

/// The configured window of a configuration.
ConfiguredSocWindow configured_soc_window(const config::Config& cfg);

/// The settings after `request`, with effective values worked out; an `invalid_argument` error
/// names the key and the bound it breaks (nothing is changed then). A value equal to the
/// configured one is stored as the configuration's (null): it follows a later change of it.
Result<SettingsDto> apply_settings_request(const ConfiguredSocWindow& configured,
                                           const SettingsDto& now, const SettingsRequest& request);

/// The settings as they stand with these owner's values.
SettingsDto settings_with(const ConfiguredSocWindow& configured,
                          std::optional<double> owner_reserve_pct,
                          std::optional<double> owner_target_pct);

}  // namespace bessd::api
