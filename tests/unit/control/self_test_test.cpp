#include <map>

#include <gtest/gtest.h>

#include <bessd/control/protection_self_test.hpp>

namespace bessd::control {
namespace {

TEST(ProtectionSelfTest, EveryConditionGetsThePolicysAction) {
  for (auto chem : {config::Chemistry::LFP, config::Chemistry::NMC, config::Chemistry::LiHV}) {
    config::Config cfg;
    cfg.battery.chemistry = chem;
    cfg.battery.series_cells = 16;
    const auto report = run_protection_self_test(ControllerSettings::from_config(cfg),
                                                 limits::LimitsSettings::from_config(cfg));
    ASSERT_EQ(report.cases.size(), 8u);
    const std::map<std::string, std::string> expected{
        {"over-voltage", "charge blocked, discharge allowed"},
        {"under-voltage", "charge allowed, discharge blocked"},
        {"over-temperature", "charge and discharge blocked"},
        {"under-temperature", "charge blocked, discharge allowed"},
        {"BMS over-temperature protection", "charge and discharge blocked"},
        {"BMS silence", "charge and discharge blocked"},
        {"BMS alarm flag", "charge and discharge blocked"},
        {"fire-alarm input", "charge and discharge blocked"}};
    for (const auto& c : report.cases) {
      EXPECT_TRUE(c.passed) << config::to_string(chem) << " " << c.condition << ": "
                            << c.actual_action << " " << c.note;
      EXPECT_EQ(c.expected_action, expected.at(c.condition)) << c.condition;
      EXPECT_EQ(c.actual_action, c.expected_action) << c.condition;
      EXPECT_TRUE(c.event_seen) << c.condition;
    }
    EXPECT_TRUE(report.all_passed);
    EXPECT_FALSE(report.cases.back().note.empty()) << "fire alarm not configured is noted";
  }
}

TEST(ProtectionSelfTest, ReportsAFailureWhenTheBaselineNeverRuns) {
  // A self-test that cannot reach its healthy, running baseline proves nothing: it must report
  // failure, not pass because "the command was safe anyway". Here 25 °C is outside the
  // (deliberately wrong) discharge window, so the baseline itself has discharging blocked.
  config::Config cfg;
  cfg.battery.series_cells = 16;
  auto limits = limits::LimitsSettings::from_config(cfg);
  limits.discharge_temperature_max_c = 20.0;
  const auto report = run_protection_self_test(ControllerSettings::from_config(cfg), limits);
  ASSERT_EQ(report.cases.size(), 8u);
  for (const auto& c : report.cases) {
    EXPECT_FALSE(c.passed) << c.condition;
    EXPECT_NE(c.note.find("baseline"), std::string::npos);
  }
  EXPECT_FALSE(report.all_passed);
}

}  // namespace
}  // namespace bessd::control
