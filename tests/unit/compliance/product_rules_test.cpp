// Product rules and the chemistry table (docs/compliance.md BAT-*).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <bessd/compliance/chemistry_limits.hpp>

#include "site_fixture.hpp"

namespace bessd::compliance {
namespace {

using config::Chemistry;
using ::testing::HasSubstr;
using testing::SiteTest;

// ---------------------------------------------------------------- chemistry table
TEST(ChemistryLimits, MatchTheStandardsTable) {
  const auto& lfp = chemistry_limits(Chemistry::LFP);
  EXPECT_DOUBLE_EQ(lfp.cell_voltage_max_v, 3.65);
  EXPECT_DOUBLE_EQ(lfp.cell_voltage_min_v, 2.50);
  EXPECT_DOUBLE_EQ(lfp.cell_voltage_min_practical_v, 2.50);
  EXPECT_DOUBLE_EQ(chemistry_limits(Chemistry::NMC).cell_voltage_max_v, 4.20);
  EXPECT_DOUBLE_EQ(chemistry_limits(Chemistry::NMC).cell_voltage_min_v, 2.50);
  EXPECT_DOUBLE_EQ(chemistry_limits(Chemistry::NMC).cell_voltage_min_practical_v, 3.00);
  EXPECT_DOUBLE_EQ(chemistry_limits(Chemistry::NCA).cell_voltage_max_v, 4.20);
  EXPECT_DOUBLE_EQ(chemistry_limits(Chemistry::LiPo).cell_voltage_min_v, 3.00);
  EXPECT_DOUBLE_EQ(chemistry_limits(Chemistry::LiHV).cell_voltage_max_v, 4.35);
  for (auto c :
       {Chemistry::LFP, Chemistry::NMC, Chemistry::NCA, Chemistry::LiPo, Chemistry::LiHV}) {
    const auto& l = chemistry_limits(c);
    EXPECT_DOUBLE_EQ(l.charge_temperature_min_c, 0.0) << config::to_string(c);
    EXPECT_DOUBLE_EQ(l.charge_temperature_max_c, 45.0);
    EXPECT_DOUBLE_EQ(l.discharge_temperature_min_c, -20.0);
    EXPECT_DOUBLE_EQ(l.discharge_temperature_max_c, 60.0);
  }
}

TEST(ChemistryLimits, PackValuesOverrideDefaults) {
  config::BatteryConfig b;
  b.chemistry = Chemistry::NMC;
  auto l = effective_cell_limits(b);
  EXPECT_DOUBLE_EQ(l.cell_voltage_max_v, 4.20);
  EXPECT_DOUBLE_EQ(l.cell_voltage_min_v, 3.00);  // practical floor by default
  b.cell_voltage_max_v = 4.10;
  b.cell_voltage_min_v = 3.30;
  b.charge_temperature_min_c = 5.0;
  b.discharge_temperature_max_c = 50.0;
  l = effective_cell_limits(b);
  EXPECT_DOUBLE_EQ(l.cell_voltage_max_v, 4.10);
  EXPECT_DOUBLE_EQ(l.cell_voltage_min_v, 3.30);
  EXPECT_DOUBLE_EQ(l.charge_temperature_min_c, 5.0);
  EXPECT_DOUBLE_EQ(l.charge_temperature_max_c, 45.0);
  EXPECT_DOUBLE_EQ(l.discharge_temperature_min_c, -20.0);
  EXPECT_DOUBLE_EQ(l.discharge_temperature_max_c, 50.0);
}

// ---------------------------------------------------------------- BAT-CHEM-01
TEST_F(SiteTest, ChemistryDefaultsPassAndApplyInAnyJurisdiction) {
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);
  site.jurisdiction = "FR";
  battery.cell_voltage_max_v = 3.70;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::block);
}

// Users see each rule's reference in the report: it must name the standards and bessd's own
// docs, never a document the user does not have. Every ".md" path must be one under docs/.
TEST_F(SiteTest, ReferencesCiteTheStandardsAndBessdDocsOnly) {
  battery.second_life.enabled = true;
  const auto report = run();
  ASSERT_FALSE(report.findings.empty());
  for (const auto& f : report.findings) {
    const std::string& ref = f.reference;
    for (auto at = ref.find(".md"); at != std::string::npos; at = ref.find(".md", at + 1)) {
      const auto sep = ref.find_last_of(" (;,", at);
      const std::size_t from = sep == std::string::npos ? 0 : sep + 1;
      const auto path = ref.substr(from, at + 3 - from);
      EXPECT_EQ(path.rfind("docs/", 0), 0U) << f.rule_id << " cites " << path;
    }
  }
  EXPECT_THAT(finding("BAT-CHEM-01").reference, HasSubstr("docs/compliance.md"));
}

TEST_F(SiteTest, LfpCellVoltageBoundaries) {
  battery.cell_voltage_max_v = 3.65;
  battery.cell_voltage_min_v = 2.50;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);
  battery.cell_voltage_max_v = 3.66;
  const auto f = finding("BAT-CHEM-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("battery.cell_voltage_max_v = 3.66 V"));
  battery.cell_voltage_max_v = 3.60;
  battery.cell_voltage_min_v = 2.49;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::block);
}

TEST_F(SiteTest, TheSameVoltageSuitsOneChemistryAndNotAnother) {
  battery.cell_voltage_max_v = 4.35;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::block);  // LFP
  battery.chemistry = Chemistry::NMC;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::block);  // 4.20 max
  battery.chemistry = Chemistry::LiHV;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);
}

TEST_F(SiteTest, NmcAcceptsTheAbsoluteFloorLipoDoesNot) {
  battery.chemistry = Chemistry::NMC;
  battery.cell_voltage_min_v = 2.70;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);
  battery.chemistry = Chemistry::LiPo;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::block);
}

TEST_F(SiteTest, TemperatureWindowBoundaries) {
  battery.charge_temperature_min_c = 0.0;
  battery.charge_temperature_max_c = 45.0;
  battery.discharge_temperature_min_c = -20.0;
  battery.discharge_temperature_max_c = 60.0;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);

  auto probe = [&](std::optional<double> config::BatteryConfig::*field, double bad) {
    auto saved = battery.*field;
    battery.*field = bad;
    const auto v = verdict("BAT-CHEM-01");
    battery.*field = saved;
    return v;
  };
  EXPECT_EQ(probe(&config::BatteryConfig::charge_temperature_min_c, -0.5), Verdict::block);
  EXPECT_EQ(probe(&config::BatteryConfig::charge_temperature_max_c, 45.5), Verdict::block);
  EXPECT_EQ(probe(&config::BatteryConfig::discharge_temperature_min_c, -20.5), Verdict::block);
  EXPECT_EQ(probe(&config::BatteryConfig::discharge_temperature_max_c, 60.5), Verdict::block);
  EXPECT_EQ(probe(&config::BatteryConfig::charge_temperature_min_c, 10.0), Verdict::pass);
}

TEST_F(SiteTest, EmptyTemperatureWindowBlocks) {
  battery.charge_temperature_min_c = 30.0;
  battery.charge_temperature_max_c = 20.0;
  const auto f = finding("BAT-CHEM-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("charge temperature window 30…20 °C is empty"));
}

TEST_F(SiteTest, PackVoltageThatDoesNotFitTheChemistryBlocks) {
  battery.nominal_voltage_v = 51.2;
  battery.series_cells = 16;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);  // 3.2 V per cell
  battery.series_cells = 13;                         // 3.94 V per cell: not LFP
  const auto f = finding("BAT-CHEM-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_EQ(*f.input("nominal_cell_voltage_v"), "3.938");
  battery.chemistry = Chemistry::NMC;
  EXPECT_EQ(verdict("BAT-CHEM-01"), Verdict::pass);
}

// ---------------------------------------------------------------- BAT-CAP-01
TEST_F(SiteTest, NameplateCheckWaitsForTheBms) {
  const auto f = finding("BAT-CAP-01");
  EXPECT_EQ(f.verdict, Verdict::not_applicable);
  EXPECT_EQ(*f.input("bms.nameplate_energy_kwh"), "not recorded");
}

TEST_F(SiteTest, NameplateWithinTenPercentPasses) {
  battery.nominal_energy_kwh = 10.0;
  EXPECT_EQ(verdict("BAT-CAP-01", 10.0), Verdict::pass);
  EXPECT_EQ(verdict("BAT-CAP-01", 11.0), Verdict::pass);  // exactly 10 %
  EXPECT_EQ(verdict("BAT-CAP-01", 9.0), Verdict::pass);
  EXPECT_EQ(verdict("BAT-CAP-01", 11.01), Verdict::warn);
  EXPECT_EQ(verdict("BAT-CAP-01", 8.99), Verdict::warn);
  const auto f = finding("BAT-CAP-01", 12.0);
  EXPECT_THAT(f.message, HasSubstr("The BMS reports 12 kWh"));
  EXPECT_EQ(*f.input("deviation_pct"), "20");
}

// F8: the message says which value the energy cap used and never advises lowering the configured
// total to what the BMS reports (one module of a 3-module stack: 94 Ah × 51.2 V = 4.813 kWh).
TEST_F(SiteTest, NameplateBelowConfiguredNeverAdvisesLoweringIt) {
  battery.nominal_energy_kwh = 14.4;
  auto one_module = SiteTest::nameplate_kwh(4.8128);
  auto f = finding_with("BAT-CAP-01", one_module);
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("counts 14.4 kWh, the larger"));
  EXPECT_THAT(f.message, HasSubstr("Do not lower battery.nominal_energy_kwh"));
  EXPECT_THAT(f.message, ::testing::Not(HasSubstr("use the configured value")));
  EXPECT_THAT(f.message, ::testing::Not(HasSubstr("correct battery.nominal_energy_kwh")));
  EXPECT_EQ(*f.input("energy_cap_uses_kwh"), "14.4");

  // With the module count the BMS reports, one module × 3 ≈ 14.4 kWh: said, and a pass.
  one_module.module_count = 3;
  f = finding_with("BAT-CAP-01", one_module);
  EXPECT_EQ(f.verdict, Verdict::pass);
  EXPECT_THAT(f.message, HasSubstr("one module's capacity"));
  EXPECT_THAT(f.message, HasSubstr("3 modules = 14.438 kWh"));
  // A count that does not explain the gap still warns.
  one_module.module_count = 2;
  EXPECT_EQ(finding_with("BAT-CAP-01", one_module).verdict, Verdict::warn);
}

TEST_F(SiteTest, NameplateAboveConfiguredSaysTheCapCountsIt) {
  battery.nominal_energy_kwh = 10.0;
  const auto f = finding("BAT-CAP-01", 12.0);
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("counts 12 kWh, the larger of the configured and the BMS"));
}

// F2: a capacity without a nominal voltage is not turned into kWh; BAT-CAP-01 says what to set
// and the energy cap counts the configured energy.
TEST_F(SiteTest, NameplateWithoutNominalVoltageWarnsWhatToSet) {
  battery.nominal_energy_kwh = 38.0;
  BmsNameplate n;
  n.capacity_ah = 750;
  n.voltage_basis = "no nominal voltage known: set battery.nominal_voltage_v";
  const auto f = finding_with("BAT-CAP-01", n);
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("750 Ah"));
  EXPECT_THAT(f.message, HasSubstr("set battery.nominal_voltage_v"));
  const auto ene = finding_with("PAS-ENE-01", n);
  EXPECT_EQ(*ene.input("total_energy_kwh"), "38");
}

TEST_F(SiteTest, NameplateToleranceIsConfigurable) {
  battery.nominal_energy_kwh = 10.0;
  thresholds.nameplate_tolerance_pct = 25.0;
  EXPECT_EQ(verdict("BAT-CAP-01", 12.0), Verdict::pass);
}

}  // namespace
}  // namespace bessd::compliance
