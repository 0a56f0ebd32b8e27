#pragma once
// The installation compliance check (docs/compliance.md): PAS 63100 location and separation rules
// for GB dwellings, product rules for any site, second-life rules when the pack is reused.
//
// Pure: no I/O, no clock (today comes in), no exceptions for any configuration the config loader
// accepts. Call it at start-up, on every config reload, and again when the BMS first reports its
// nameplate energy (BAT-CAP-01). Thread-safe (no shared state).

#include <optional>
#include <span>
#include <string_view>

#include <bessd/common/date.hpp>
#include <bessd/compliance/bms_nameplate.hpp>
#include <bessd/compliance/report.hpp>
#include <bessd/config/battery_config.hpp>
#include <bessd/config/compliance_config.hpp>
#include <bessd/config/site_config.hpp>

namespace bessd::compliance {

/// Evaluates every rule. `today` is the calendar day of the check (UTC in the daemon);
/// `bms` is the nameplate the BMS reports (bms_nameplate(), once stable), when it has reported
/// one; the report carries it (ComplianceReport::bms_nameplate).
/// The report always holds one finding per rule of rule_ids(), in that order.
ComplianceReport check(const config::SiteConfig& site, const config::BatteryConfig& battery,
                       const config::ComplianceConfig& thresholds, Date today,
                       const std::optional<BmsNameplate>& bms = std::nullopt);

/// Exit status of `bessd check-site` when an installation rule blocks power flow.
inline constexpr int kExitSiteBlocked = 3;

/// Every rule id in report order: PAS-LOC-01 ... SL-DER-01.
std::span<const std::string_view> rule_ids() noexcept;

}  // namespace bessd::compliance
