#pragma once
// Internal: the rule functions behind check() and the helpers they share. One function per rule
// id; each returns its finding and never throws for any configuration the loader accepts.

#include <optional>
#include <string>
#include <string_view>

#include <bessd/common/date.hpp>
#include <bessd/compliance/bms_nameplate.hpp>
#include <bessd/compliance/finding.hpp>
#include <bessd/compliance/report.hpp>
#include <bessd/config/battery_config.hpp>
#include <bessd/config/compliance_config.hpp>
#include <bessd/config/site_config.hpp>

namespace bessd::compliance::detail {

inline bool crown_dependency(std::string_view code) noexcept {
  return code == "JE" || code == "GG" || code == "IM";
}

/// Where PAS 63100 is applied (docs/compliance.md, "Scope"): GB (the whole United Kingdom,
/// Northern Ireland included) and, as the closest rule set, the Crown dependencies JE, GG and IM.
inline bool pas_63100_region(std::string_view code) noexcept {
  return code == "GB" || crown_dependency(code);
}

struct RuleContext {
  const config::SiteConfig& site;
  const config::BatteryConfig& battery;
  const config::ComplianceConfig& thresholds;
  Date today;
  const std::optional<BmsNameplate>& bms;

  /// The BMS nameplate energy, when the BMS reported a capacity and a nominal voltage is known.
  std::optional<double> bms_energy_kwh() const { return bms ? bms->energy_kwh : std::nullopt; }

  /// PAS 63100 rules apply to dwellings in the United Kingdom and the Crown dependencies.
  bool pas_applies() const noexcept { return pas_63100_region(site.jurisdiction) && site.dwelling; }
  /// docs/compliance.md "Scope": indoors = anything but outdoor_wall and outdoor_ground.
  bool indoors() const noexcept { return !config::is_outdoor(site.location); }
};

// Text helpers. Numbers print with at most three decimals and no trailing zeros ("0.99", "40",
// "40.1"); absent values print as "not recorded".
std::string number(double value);
std::string number(const std::optional<double>& value);
std::string boolean(bool value);
std::string boolean(const std::optional<bool>& value);
/// "a bedroom", "an integral garage", ... for messages.
std::string describe(config::SiteLocation location);

/// A finding with its identity filled in and verdict not_applicable.
Finding make_finding(std::string_view rule_id, std::string_view title, std::string_view reference,
                     Confidence confidence);
void add_input(Finding& f, std::string_view name, std::string value);
/// Reads site.jurisdiction and site.dwelling into `f` and, when PAS 63100 does not apply, makes
/// it not_applicable with the reason. Returns whether the rule applies.
bool pas_scope(const RuleContext& ctx, Finding& f);
/// Reads battery.second_life.enabled; not_applicable with the reason when disabled.
bool second_life_scope(const RuleContext& ctx, Finding& f);

// PAS 63100 location and separation (docs/compliance.md "The rules", PAS-*).
Finding check_pas_loc_01(const RuleContext& ctx);
Finding check_pas_loc_02(const RuleContext& ctx);
Finding check_pas_loc_03(const RuleContext& ctx);
Finding check_pas_loc_04(const RuleContext& ctx);
Finding check_pas_enc_01(const RuleContext& ctx);
Finding check_pas_ven_01(const RuleContext& ctx);
Finding check_pas_det_01(const RuleContext& ctx);
Finding check_pas_ene_01(const RuleContext& ctx);
Finding check_pas_lbl_01(const RuleContext& ctx);
// Product (docs/compliance.md BAT-*).
Finding check_bat_chem_01(const RuleContext& ctx);
Finding check_bat_cap_01(const RuleContext& ctx);
// Second life (docs/compliance.md SL-*). SL-DER-01 also yields the derate for the limits engine.
Finding check_sl_scope_01(const RuleContext& ctx);
Finding check_sl_trace_01(const RuleContext& ctx);
Finding check_sl_grade_01(const RuleContext& ctx);
Finding check_sl_cal_01(const RuleContext& ctx);
Finding check_sl_der_01(const RuleContext& ctx, std::optional<SecondLifeDerate>& derate);

}  // namespace bessd::compliance::detail
