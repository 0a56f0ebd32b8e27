#include <bessd/compliance/checker.hpp>

#include <array>
#include <cstdio>
#include <string>

#include <bessd/config/relaxed_thresholds.hpp>

#include "rules.hpp"

namespace bessd::compliance {

namespace {
constexpr std::array<std::string_view, 16> kRuleIds{
    "PAS-LOC-01",  "PAS-LOC-02",  "PAS-LOC-03", "PAS-LOC-04",  "PAS-ENC-01", "PAS-VEN-01",
    "PAS-DET-01",  "PAS-ENE-01",  "PAS-LBL-01", "BAT-CHEM-01", "BAT-CAP-01", "SL-SCOPE-01",
    "SL-TRACE-01", "SL-GRADE-01", "SL-CAL-01",  "SL-DER-01",
};

std::string scope_note(const config::SiteConfig& site) {
  std::string note;
  if (!site.jurisdiction_as_written.empty())
    note = "site.jurisdiction \"" + site.jurisdiction_as_written + "\" is read as \"" +
           site.jurisdiction + "\" (the ISO 3166 code). ";
  if (!detail::pas_63100_region(site.jurisdiction)) {
    note +=
        "PAS 63100 (the UK fire-safety rules for home batteries) does not apply: the site is in " +
        site.jurisdiction +
        ", outside the United Kingdom and the Crown dependencies. Its location, separation, "
        "detection and energy rules are not checked; the product (IEC 62933, EU 2023/1542) and "
        "second-life rules still are. Check the local fire-safety rules for battery "
        "installations.";
  } else if (!site.dwelling) {
    note +=
        "PAS 63100 (the UK fire-safety rules for home batteries) does not apply: the site is not "
        "a dwelling (site.dwelling = false). Its location, separation, detection and energy rules "
        "are not checked; the product (IEC 62933, EU 2023/1542) and second-life rules still are.";
  } else if (detail::crown_dependency(site.jurisdiction)) {
    note += "PAS 63100 is applied: " + site.jurisdiction +
            " is a Crown dependency, not part of the United Kingdom, and its building rules "
            "follow British standards; PAS 63100 is the closest rule set for a battery in a "
            "home there. Check the island's own rules too.";
  } else {
    note += "PAS 63100 applies: a dwelling in the United Kingdom.";
  }
  return note;
}

/// A threshold set looser than the default changes what "pass" means: the report says so first.
std::string relaxed_note(const config::ComplianceConfig& thresholds) {
  const auto relaxed = config::relaxed_thresholds(thresholds);
  if (relaxed.empty()) return {};
  std::string note = " Thresholds set looser than bessd's defaults:";
  for (std::size_t i = 0; i < relaxed.size(); ++i) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s compliance.%s %g (default %g)", i == 0 ? "" : ",",
                  relaxed[i].key.c_str(), relaxed[i].value, relaxed[i].default_value);
    note += buf;
  }
  return note + ".";
}

}  // namespace

std::span<const std::string_view> rule_ids() noexcept {
  return kRuleIds;
}

ComplianceReport check(const config::SiteConfig& site, const config::BatteryConfig& battery,
                       const config::ComplianceConfig& thresholds, Date today,
                       const std::optional<BmsNameplate>& bms) {
  const detail::RuleContext ctx{site, battery, thresholds, today, bms};
  ComplianceReport report;
  report.bms_nameplate = bms;
  report.evaluated_on = today;
  report.site_name = site.name;
  report.pas_63100_applies = ctx.pas_applies();
  report.scope_note = scope_note(site) + relaxed_note(thresholds);
  report.findings.reserve(kRuleIds.size());
  report.findings.push_back(detail::check_pas_loc_01(ctx));
  report.findings.push_back(detail::check_pas_loc_02(ctx));
  report.findings.push_back(detail::check_pas_loc_03(ctx));
  report.findings.push_back(detail::check_pas_loc_04(ctx));
  report.findings.push_back(detail::check_pas_enc_01(ctx));
  report.findings.push_back(detail::check_pas_ven_01(ctx));
  report.findings.push_back(detail::check_pas_det_01(ctx));
  report.findings.push_back(detail::check_pas_ene_01(ctx));
  report.findings.push_back(detail::check_pas_lbl_01(ctx));
  report.findings.push_back(detail::check_bat_chem_01(ctx));
  report.findings.push_back(detail::check_bat_cap_01(ctx));
  report.findings.push_back(detail::check_sl_scope_01(ctx));
  report.findings.push_back(detail::check_sl_trace_01(ctx));
  report.findings.push_back(detail::check_sl_grade_01(ctx));
  report.findings.push_back(detail::check_sl_cal_01(ctx));
  report.findings.push_back(detail::check_sl_der_01(ctx, report.second_life_derate));

  for (auto& f : report.findings) {
    // The note belongs to findings that were actually evaluated against a non-primary threshold.
    f.verify_published_text =
        f.verdict != Verdict::not_applicable && needs_verification(f.confidence);
    report.verdict = worst(report.verdict, f.verdict);
  }
  return report;
}

}  // namespace bessd::compliance
