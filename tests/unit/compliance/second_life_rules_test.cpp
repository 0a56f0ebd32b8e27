// Second-life rules (docs/compliance.md SL-*).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "site_fixture.hpp"

namespace bessd::compliance {
namespace {

using testing::day;
using ::testing::HasSubstr;
using testing::SiteTest;

const char* const kSecondLifeRules[] = {"SL-SCOPE-01", "SL-TRACE-01", "SL-GRADE-01", "SL-CAL-01",
                                        "SL-DER-01"};

TEST_F(SiteTest, SecondLifeRulesAreNotApplicableToNewPacks) {
  battery.second_life.traceability_ref.clear();  // would block if enabled
  const auto report = run();
  for (const char* id : kSecondLifeRules) {
    const auto* f = report.find(id);
    ASSERT_NE(f, nullptr) << id;
    EXPECT_EQ(f->verdict, Verdict::not_applicable) << id;
    EXPECT_EQ(*f->input("battery.second_life.enabled"), "false") << id;
  }
  EXPECT_FALSE(report.second_life_derate.has_value());
}

TEST_F(SiteTest, CompleteSecondLifeRecordsDerateAndWarnOnScope) {
  make_second_life();
  const auto report = run();
  EXPECT_EQ(report.find("SL-SCOPE-01")->verdict, Verdict::warn);
  EXPECT_EQ(report.find("SL-TRACE-01")->verdict, Verdict::pass);
  EXPECT_EQ(report.find("SL-GRADE-01")->verdict, Verdict::pass);
  EXPECT_EQ(report.find("SL-CAL-01")->verdict, Verdict::pass);
  EXPECT_EQ(report.find("SL-DER-01")->verdict, Verdict::derate);
  EXPECT_EQ(report.verdict, Verdict::derate);
}

// ---------------------------------------------------------------- SL-SCOPE-01
TEST_F(SiteTest, SecondLifeInGbDwellingNeedsAnOverride) {
  make_second_life();
  battery.second_life.override_ref.clear();
  const auto f = finding("SL-SCOPE-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("battery.second_life.override_ref"));
  battery.second_life.override_ref = "ERA-2026-017";
  const auto g = finding("SL-SCOPE-01");
  EXPECT_EQ(g.verdict, Verdict::warn);
  EXPECT_THAT(g.message, HasSubstr("ERA-2026-017"));
  EXPECT_TRUE(g.verify_published_text);
}

TEST_F(SiteTest, SecondLifeScopeOnlyConcernsGbDwellings) {
  make_second_life();
  battery.second_life.override_ref.clear();
  site.jurisdiction = "NL";
  EXPECT_EQ(verdict("SL-SCOPE-01"), Verdict::not_applicable);
  site.jurisdiction = "GB";
  site.dwelling = false;
  EXPECT_EQ(verdict("SL-SCOPE-01"), Verdict::not_applicable);
}

// ---------------------------------------------------------------- SL-TRACE-01
TEST_F(SiteTest, SecondLifeWithoutTraceabilityBlocks) {
  make_second_life();
  battery.second_life.traceability_ref.clear();
  const auto f = finding("SL-TRACE-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_EQ(f.confidence, Confidence::confirmed);
  EXPECT_FALSE(f.verify_published_text);
  EXPECT_THAT(f.message, HasSubstr("IEC 63338"));
}

// ---------------------------------------------------------------- SL-GRADE-01
TEST_F(SiteTest, SecondLifeWithoutGradingReportBlocks) {
  make_second_life();
  battery.second_life.grading_report_date.reset();
  EXPECT_EQ(verdict("SL-GRADE-01"), Verdict::block);
}

TEST_F(SiteTest, GradingReportWithoutSohBlocks) {
  make_second_life();
  battery.second_life.soh_pct.reset();
  const auto f = finding("SL-GRADE-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("soh_pct"));
}

TEST_F(SiteTest, GradingAgeBoundaries) {
  make_second_life();
  battery.second_life.grading_report_date = day("2025-11-24");  // 365 days before today
  auto f = finding("SL-GRADE-01");
  EXPECT_EQ(f.verdict, Verdict::pass);
  EXPECT_EQ(*f.input("grading_age_days"), "365");
  battery.second_life.grading_report_date = day("2025-11-23");  // 366 days
  f = finding("SL-GRADE-01");
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("366 days old"));
  battery.second_life.grading_report_date = day("2025-11-25");  // 364 days
  EXPECT_EQ(verdict("SL-GRADE-01"), Verdict::pass);
}

TEST_F(SiteTest, GradingAgeCountsLeapDays) {
  make_second_life();
  today = day("2029-03-01");
  battery.second_life.grading_report_date = day("2028-03-01");  // 2028 is a leap year: 365 days
  EXPECT_EQ(verdict("SL-GRADE-01"), Verdict::pass);
  battery.second_life.grading_report_date = day("2028-02-29");  // 366 days
  EXPECT_EQ(verdict("SL-GRADE-01"), Verdict::warn);
}

TEST_F(SiteTest, GradingAgeLimitIsConfigurable) {
  make_second_life();
  battery.second_life.grading_report_date = day("2026-10-24");  // 31 days
  thresholds.grading_max_age_days = 30;
  EXPECT_EQ(verdict("SL-GRADE-01"), Verdict::warn);
  thresholds.grading_max_age_days = 31;
  EXPECT_EQ(verdict("SL-GRADE-01"), Verdict::pass);
}

TEST_F(SiteTest, GradingReportFromTheFutureWarns) {
  make_second_life();
  battery.second_life.grading_report_date = day("2026-11-25");
  const auto f = finding("SL-GRADE-01");
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("after today"));
}

// ---------------------------------------------------------------- SL-CAL-01
TEST_F(SiteTest, CalendarExpiryDayBeforeOnAndAfter) {
  make_second_life();
  battery.second_life.oem_calendar_expiry = day("2026-11-25");  // tomorrow
  auto f = finding("SL-CAL-01");
  EXPECT_EQ(f.verdict, Verdict::pass);
  EXPECT_EQ(*f.input("days_to_expiry"), "1");
  battery.second_life.oem_calendar_expiry = day("2026-11-24");  // today
  f = finding("SL-CAL-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("Retire the pack"));
  battery.second_life.oem_calendar_expiry = day("2026-11-23");  // yesterday
  EXPECT_EQ(verdict("SL-CAL-01"), Verdict::block);
}

TEST_F(SiteTest, CalendarExpiryFollowsTheEvaluationDate) {
  make_second_life();  // expiry 2032-01-01
  today = day("2031-12-31");
  EXPECT_EQ(run().verdict, Verdict::derate);
  today = day("2032-01-01");
  const auto report = run();
  EXPECT_EQ(report.find("SL-CAL-01")->verdict, Verdict::block);
  EXPECT_EQ(report.verdict, Verdict::block);
}

TEST_F(SiteTest, UnrecordedCalendarExpiryBlocks) {
  make_second_life();
  battery.second_life.oem_calendar_expiry.reset();
  EXPECT_EQ(verdict("SL-CAL-01"), Verdict::block);
}

// ---------------------------------------------------------------- SL-DER-01
TEST_F(SiteTest, DerateFactorFollowsSoh) {
  make_second_life();
  auto report = run();
  ASSERT_TRUE(report.second_life_derate.has_value());
  EXPECT_DOUBLE_EQ(report.second_life_derate->factor, 0.82);
  EXPECT_EQ(report.second_life_derate->soh_pct, 82.0);
  EXPECT_THAT(report.find("SL-DER-01")->message, HasSubstr("82 %"));

  battery.second_life.soh_pct = 40.0;  // below the floor
  EXPECT_DOUBLE_EQ(run().second_life_derate->factor, 0.5);
  battery.second_life.soh_pct = 100.0;
  report = run();
  EXPECT_DOUBLE_EQ(report.second_life_derate->factor, 1.0);
  EXPECT_EQ(report.find("SL-DER-01")->verdict, Verdict::derate);  // the window still narrows
}

TEST_F(SiteTest, DerateUsesTheFloorWithoutSohAndTheFloorIsConfigurable) {
  make_second_life();
  battery.second_life.soh_pct.reset();
  EXPECT_DOUBLE_EQ(run().second_life_derate->factor, 0.5);
  thresholds.second_life_factor_min = 0.7;
  EXPECT_DOUBLE_EQ(run().second_life_derate->factor, 0.7);
  battery.second_life.soh_pct = 65.0;
  EXPECT_DOUBLE_EQ(run().second_life_derate->factor, 0.7);
  battery.second_life.soh_pct = 75.0;
  EXPECT_DOUBLE_EQ(run().second_life_derate->factor, 0.75);
}

// The limits engine never applies less than 0.5: the report must not promise 30 % (the loader
// refuses a floor below 0.5; a floor set in code is clamped the same way).
TEST_F(SiteTest, DerateNeverReportsLessThanTheEngineApplies) {
  make_second_life();
  thresholds.second_life_factor_min = 0.3;
  battery.second_life.soh_pct = 30.0;
  const auto report = run();
  EXPECT_DOUBLE_EQ(report.second_life_derate->factor, 0.5);
  EXPECT_NE(report.find("SL-DER-01")->message.find("to 50 %"), std::string::npos)
      << report.find("SL-DER-01")->message;
  battery.second_life.soh_pct.reset();
  EXPECT_DOUBLE_EQ(run().second_life_derate->factor, 0.5);
}

TEST_F(SiteTest, DerateNarrowsTheChemistryDefaultWindow) {
  make_second_life();
  const auto d = run().second_life_derate.value();
  EXPECT_NEAR(d.cell_voltage_max_v, 3.60, 1e-9);  // LFP 3.65 − 0.05
  EXPECT_NEAR(d.cell_voltage_min_v, 2.55, 1e-9);  // LFP 2.50 + 0.05
  battery.chemistry = config::Chemistry::NMC;
  const auto n = run().second_life_derate.value();
  EXPECT_NEAR(n.cell_voltage_max_v, 4.15, 1e-9);
  EXPECT_NEAR(n.cell_voltage_min_v, 3.05, 1e-9);  // practical floor 3.00 + 0.05
}

TEST_F(SiteTest, DerateNarrowsThePackWindowAndNarrowingIsConfigurable) {
  make_second_life();
  battery.cell_voltage_max_v = 3.55;
  battery.cell_voltage_min_v = 2.80;
  auto d = run().second_life_derate.value();
  EXPECT_NEAR(d.cell_voltage_max_v, 3.50, 1e-9);
  EXPECT_NEAR(d.cell_voltage_min_v, 2.85, 1e-9);
  thresholds.second_life_window_narrow_v = 0.1;
  d = run().second_life_derate.value();
  EXPECT_NEAR(d.cell_voltage_max_v, 3.45, 1e-9);
  EXPECT_NEAR(d.cell_voltage_min_v, 2.90, 1e-9);
}

TEST_F(SiteTest, DerateThatLeavesNoWindowBlocks) {
  make_second_life();
  battery.cell_voltage_max_v = 3.00;
  battery.cell_voltage_min_v = 2.92;  // narrowed: 2.97 … 2.95
  EXPECT_EQ(verdict("SL-DER-01"), Verdict::block);
  battery.cell_voltage_min_v = 2.85;  // narrowed: 2.90 … 2.95
  EXPECT_EQ(verdict("SL-DER-01"), Verdict::derate);
}

}  // namespace
}  // namespace bessd::compliance
