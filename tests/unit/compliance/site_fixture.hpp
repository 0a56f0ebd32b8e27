#pragma once
// A site that passes every rule (outdoor wall in a GB dwelling, new LFP pack), which each test
// then breaks in exactly one way.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include <bessd/common/date.hpp>
#include <bessd/compliance/checker.hpp>

namespace bessd::compliance::testing {

inline Date day(std::string_view text) {
  const auto d = parse_date(text);
  EXPECT_TRUE(d.has_value()) << "bad test date " << text;
  return d.value_or(Date{});
}

class SiteTest : public ::testing::Test {
 protected:
  SiteTest() {
    site.name = "Test house";
    site.jurisdiction = "GB";
    site.dwelling = true;
    site.location = config::SiteLocation::outdoor_wall;
    site.outdoor_practicable = true;
    site.clearances = {2.0, 2.0, 2.0, 2.0, std::nullopt};
    site.labels_fitted = true;
    battery.chemistry = config::Chemistry::LFP;
    battery.nominal_energy_kwh = 9.6;
  }

  /// Moves the battery indoors into a space that meets every indoor rule.
  void go_indoors(config::SiteLocation where = config::SiteLocation::garage_integral) {
    site.location = where;
    site.outdoor_practicable = false;
    site.indoor_justification = "no outside wall";
    site.fire_separation_rei = 30.0;
    site.detection = {true, config::DetectionType::heat, true};
  }

  /// Makes the pack second-life with complete, current records.
  void make_second_life() {
    auto& sl = battery.second_life;
    sl.enabled = true;
    sl.traceability_ref = "TR-1";
    sl.grading_report_date = day("2026-06-01");
    sl.soh_pct = 82.0;
    sl.oem_calendar_expiry = day("2032-01-01");
    sl.override_ref = "ERA-1";
  }

  /// A BMS nameplate of `kwh` at 51.2 V (battery.nominal_voltage_v).
  static BmsNameplate nameplate_kwh(double kwh) {
    BmsNameplate n;
    n.capacity_ah = kwh * 1000.0 / 51.2;
    n.nominal_voltage_v = 51.2;
    n.energy_kwh = kwh;
    n.voltage_basis = "battery.nominal_voltage_v";
    return n;
  }

  ComplianceReport run(std::optional<double> bms_capacity_kwh = {}) const {
    std::optional<BmsNameplate> n;
    if (bms_capacity_kwh) n = nameplate_kwh(*bms_capacity_kwh);
    return check(site, battery, thresholds, today, n);
  }

  /// The finding of `rule`; fails the test when missing.
  Finding finding(std::string_view rule, std::optional<double> bms_capacity_kwh = {}) const {
    const auto report = run(bms_capacity_kwh);
    const auto* f = report.find(rule);
    EXPECT_NE(f, nullptr) << "no finding for " << rule;
    return f ? *f : Finding{};
  }

  /// The finding of `rule` with the BMS nameplate `bms`.
  Finding finding_with(std::string_view rule, const BmsNameplate& bms) const {
    const auto report = check(site, battery, thresholds, today, bms);
    const auto* f = report.find(rule);
    EXPECT_NE(f, nullptr) << "no finding for " << rule;
    return f ? *f : Finding{};
  }

  Verdict verdict(std::string_view rule, std::optional<double> bms_capacity_kwh = {}) const {
    return finding(rule, bms_capacity_kwh).verdict;
  }

  config::SiteConfig site;
  config::BatteryConfig battery;
  config::ComplianceConfig thresholds;
  Date today = day("2026-11-24");
};

}  // namespace bessd::compliance::testing

namespace bessd::compliance {
// gtest prints verdicts by name.
inline void PrintTo(Verdict v, std::ostream* os) {
  *os << to_string(v);
}
}  // namespace bessd::compliance
