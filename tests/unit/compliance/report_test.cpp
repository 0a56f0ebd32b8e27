// The report as a whole: completeness, overall verdict, verify notes, JSON and text forms.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include <bessd/compliance/report_json.hpp>
#include <bessd/compliance/report_text.hpp>

#include "site_fixture.hpp"

namespace bessd::compliance {
namespace {

using config::SiteLocation;
using ::testing::HasSubstr;
using testing::SiteTest;

TEST(RuleIds, SixteenDistinctRulesInStandardsOrder) {
  const auto ids = rule_ids();
  ASSERT_EQ(ids.size(), 16u);
  EXPECT_EQ(ids.front(), "PAS-LOC-01");
  EXPECT_EQ(ids.back(), "SL-DER-01");
  EXPECT_EQ(std::set<std::string_view>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(VerdictText, RoundTripsAndOrdersBySeverity) {
  for (Verdict v :
       {Verdict::not_applicable, Verdict::pass, Verdict::warn, Verdict::derate, Verdict::block})
    EXPECT_EQ(verdict_from_string(to_string(v)), v);
  EXPECT_FALSE(verdict_from_string("fail").has_value());
  EXPECT_EQ(worst(Verdict::warn, Verdict::derate), Verdict::derate);
  EXPECT_EQ(worst(Verdict::block, Verdict::pass), Verdict::block);
  EXPECT_EQ(worst(Verdict::not_applicable, Verdict::pass), Verdict::pass);
}

TEST_F(SiteTest, EveryRuleReportsInOrderWithReferenceAndMessage) {
  const auto report = run();
  const auto ids = rule_ids();
  ASSERT_EQ(report.findings.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& f = report.findings[i];
    EXPECT_EQ(f.rule_id, ids[i]);
    EXPECT_FALSE(f.title.empty()) << f.rule_id;
    EXPECT_FALSE(f.reference.empty()) << f.rule_id;
    EXPECT_FALSE(f.message.empty()) << f.rule_id;
    EXPECT_FALSE(f.inputs.empty()) << f.rule_id;
  }
  EXPECT_EQ(report.site_name, "Test house");
  EXPECT_EQ(report.evaluated_on, testing::day("2026-11-24"));
}

TEST_F(SiteTest, OverallVerdictIsTheWorstFinding) {
  EXPECT_EQ(run().verdict, Verdict::pass);
  EXPECT_FALSE(run().blocks());
  site.labels_fitted = false;
  EXPECT_EQ(run().verdict, Verdict::warn);
  make_second_life();
  EXPECT_EQ(run().verdict, Verdict::derate);
  site.clearances.door_m = 0.5;
  const auto report = run();
  EXPECT_EQ(report.verdict, Verdict::block);
  EXPECT_TRUE(report.blocks());
  EXPECT_EQ(report.count(Verdict::block), 1u);
  const auto notable = report.notable();
  ASSERT_EQ(notable.size(), 4u);  // LOC-02 block, LBL-01 warn, SL-SCOPE-01 warn, SL-DER-01
  EXPECT_EQ(notable[0]->rule_id, "PAS-LOC-02");
}

TEST_F(SiteTest, VerifyNoteOnEvaluatedNonPrimaryFindingsOnly) {
  make_second_life();
  const auto report = run();
  for (const auto& f : report.findings) {
    const bool expected =
        f.verdict != Verdict::not_applicable && f.confidence != Confidence::confirmed;
    EXPECT_EQ(f.verify_published_text, expected) << f.rule_id;
  }
  EXPECT_TRUE(report.find("PAS-LOC-02")->verify_published_text);   // [S] 1 m threshold
  EXPECT_FALSE(report.find("SL-CAL-01")->verify_published_text);   // [C]
  EXPECT_FALSE(report.find("PAS-ENC-01")->verify_published_text);  // not applicable outdoors
}

TEST_F(SiteTest, JsonCarriesEveryFindingWithItsInputs) {
  site.location = SiteLocation::bedroom;
  const nlohmann::json j = to_json(run());  // converts from ordered_json
  EXPECT_EQ(j.at("verdict"), "block");
  EXPECT_EQ(j.at("evaluated_on"), "2026-11-24");
  EXPECT_EQ(j.at("site"), "Test house");
  EXPECT_TRUE(j.at("second_life_derate").is_null());
  ASSERT_EQ(j.at("findings").size(), rule_ids().size());
  const auto& loc = j.at("findings").at(0);
  EXPECT_EQ(loc.at("rule"), "PAS-LOC-01");
  EXPECT_EQ(loc.at("verdict"), "block");
  EXPECT_EQ(loc.at("confidence"), "[S]");
  EXPECT_EQ(loc.at("reference"), "PAS 63100:2024, 6.5.5 (locations not permitted)");
  EXPECT_THAT(loc.at("message").get<std::string>(), HasSubstr("bedroom"));
  EXPECT_EQ(loc.at("inputs").at("site.location"), "bedroom");
  EXPECT_EQ(loc.at("note"), "verify against the published text");
  EXPECT_GE(j.at("counts").at("block").get<int>(), 1);
  // A [C] finding has no note.
  for (const auto& f : j.at("findings")) {
    if (f.at("confidence") == "[C]") {
      EXPECT_FALSE(f.contains("note")) << f.at("rule");
    }
  }
}

TEST_F(SiteTest, JsonKeepsVerdictFirstAndInputsInReadingOrder) {
  const auto text = to_json(run()).dump();
  EXPECT_EQ(text.rfind("{\"verdict\":", 0), 0u) << text.substr(0, 40);
  const auto pos_jur = text.find("\"site.jurisdiction\"");
  const auto pos_loc = text.find("\"site.location\"");
  EXPECT_LT(pos_jur, pos_loc);
}

TEST_F(SiteTest, JsonExposesTheSecondLifeDerate) {
  make_second_life();
  const auto j = to_json(run());
  const auto& d = j.at("second_life_derate");
  EXPECT_DOUBLE_EQ(d.at("factor").get<double>(), 0.82);
  EXPECT_DOUBLE_EQ(d.at("soh_pct").get<double>(), 82.0);
  EXPECT_NEAR(d.at("cell_voltage_max_v").get<double>(), 3.60, 1e-9);
  EXPECT_NEAR(d.at("cell_voltage_min_v").get<double>(), 2.55, 1e-9);
}

std::size_t display_columns(const std::string& line) {
  std::size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

TEST_F(SiteTest, TextTableListsEveryRuleWithinTheWidth) {
  site.location = SiteLocation::loft;
  go_indoors(SiteLocation::loft);
  const auto text = format_table(run(), 90);
  EXPECT_THAT(text, HasSubstr("Overall verdict: BLOCK"));
  EXPECT_THAT(text, HasSubstr("Note: verify against the published text"));
  EXPECT_THAT(text, HasSubstr("site.location = loft"));
  for (auto id : rule_ids()) EXPECT_THAT(text, HasSubstr(std::string{id})) << id;
  std::istringstream lines{text};
  std::string line;
  while (std::getline(lines, line)) {
    // One word may not fit (a long reference); none here does.
    EXPECT_LE(display_columns(line), 90u) << line;
  }
}

TEST_F(SiteTest, TextTableShowsTheDerate) {
  make_second_life();
  EXPECT_THAT(format_table(run()),
              HasSubstr("Second-life derate for the limits engine: factor 0.82"));
}

TEST_F(SiteTest, ChangedSinceListsOnlyFindingsWhoseVerdictMoved) {
  const auto before = run();
  EXPECT_TRUE(run().changed_since(before).empty());
  site.labels_fitted = false;
  site.clearances.door_m = 0.5;
  const auto after = run();
  const auto changed = after.changed_since(before);
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0]->rule_id, "PAS-LOC-02");
  EXPECT_EQ(changed[1]->rule_id, "PAS-LBL-01");
  EXPECT_EQ(after.changed_since(ComplianceReport{}).size(), rule_ids().size());
}

TEST_F(SiteTest, LogLineCarriesRuleVerdictReferenceAndNote) {
  site.labels_fitted = false;
  const auto line = format_log_line(*run().find("PAS-LBL-01"));
  EXPECT_EQ(line.rfind("PAS-LBL-01 warn: No battery warning labels", 0), 0u) << line;
  EXPECT_THAT(line, HasSubstr("[PAS 63100:2024 (labelling; clause unconfirmed); [S], verify "
                              "against the published text]"));
  make_second_life();
  battery.second_life.traceability_ref.clear();
  const auto c = format_log_line(*run().find("SL-TRACE-01"));
  EXPECT_THAT(c, HasSubstr("; [C]]"));
}

// The Crown dependencies are not part of the UK, but their building rules follow British
// standards: PAS 63100 is applied there (the fail-safe side) and the scope says why.
TEST_F(SiteTest, CrownDependenciesGetPas63100) {
  for (const char* code : {"JE", "GG", "IM"}) {
    site.jurisdiction = code;
    site.location = config::SiteLocation::bedroom;
    const auto report = run();
    EXPECT_TRUE(report.pas_63100_applies) << code;
    EXPECT_THAT(report.scope_note, HasSubstr("Crown dependency")) << code;
    EXPECT_EQ(report.find("PAS-LOC-01")->verdict, Verdict::block) << code;
  }
}

// A threshold set looser than the default changes what "pass" means: the report says so at
// the top, and --check-config warns.
TEST_F(SiteTest, RelaxedThresholdsAreNamedAtTheTop) {
  thresholds.min_fire_separation_rei = 0;
  thresholds.energy_cap_low_kwh = 1000;
  const auto report = run();
  EXPECT_THAT(report.scope_note, HasSubstr("compliance.min_fire_separation_rei 0 (default 30)"));
  EXPECT_THAT(report.scope_note, HasSubstr("compliance.energy_cap_low_kwh 1000 (default 40)"));
  thresholds = {};
  thresholds.min_fire_separation_rei = 60;  // stricter is not worth a word
  EXPECT_THAT(run().scope_note, ::testing::Not(HasSubstr("looser")));
}

TEST_F(SiteTest, OutsideTheUkThePasRulesAreNotApplicable) {
  site.jurisdiction = "IE";
  site.location = config::SiteLocation::bedroom;
  const auto report = run();
  EXPECT_FALSE(report.pas_63100_applies);
  EXPECT_THAT(report.scope_note, HasSubstr("outside the United Kingdom"));
  EXPECT_EQ(report.find("PAS-LOC-01")->verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace bessd::compliance

namespace bessd::compliance {
namespace {

using ::testing::HasSubstr;
using testing::SiteTest;

TEST_F(SiteTest, ScopeNoteSaysPasAppliesInAGbDwelling) {
  const auto report = run();
  EXPECT_TRUE(report.pas_63100_applies);
  EXPECT_THAT(report.scope_note, HasSubstr("PAS 63100 applies"));
}

TEST_F(SiteTest, OutsideGbTheTopOfTheReportSaysPasDoesNotApplyAndProductRulesStillRun) {
  site.jurisdiction = "DE";
  site.location = config::SiteLocation::bedroom;
  battery.cell_voltage_max_v = 4.0;  // impossible for LFP: BAT-CHEM-01 must still block
  const auto report = run();
  EXPECT_FALSE(report.pas_63100_applies);
  EXPECT_THAT(report.scope_note, HasSubstr("PAS 63100"));
  EXPECT_THAT(report.scope_note, HasSubstr("does not apply"));
  EXPECT_THAT(report.scope_note, HasSubstr("DE"));
  EXPECT_EQ(report.find("PAS-LOC-01")->verdict, Verdict::not_applicable);
  EXPECT_EQ(report.find("BAT-CHEM-01")->verdict, Verdict::block);
  EXPECT_TRUE(report.blocks());
  const std::string table = format_table(report);
  const auto scope_at = table.find("Scope: ");
  ASSERT_NE(scope_at, std::string::npos) << table;
  EXPECT_LT(scope_at, table.find("Overall verdict")) << table;
  EXPECT_EQ(to_json(report)["scope"]["pas_63100"], false);
  EXPECT_THAT(to_json(report)["scope"]["note"].get<std::string>(), HasSubstr("does not apply"));
}

TEST_F(SiteTest, NotADwellingAlsoSaysSoAtTheTop) {
  site.dwelling = false;
  const auto report = run();
  EXPECT_FALSE(report.pas_63100_applies);
  EXPECT_THAT(report.scope_note, HasSubstr("not a dwelling"));
}

TEST_F(SiteTest, UkWrittenInTheFileIsExplainedInTheScope) {
  site.jurisdiction = "GB";
  site.jurisdiction_as_written = "UK";
  site.location = config::SiteLocation::bedroom;
  const auto report = run();
  EXPECT_TRUE(report.pas_63100_applies);
  EXPECT_THAT(report.scope_note, HasSubstr("\"UK\" is read as \"GB\""));
  EXPECT_EQ(report.find("PAS-LOC-01")->verdict, Verdict::block);
}

}  // namespace
}  // namespace bessd::compliance
