// PAS 63100 location and separation rules (docs/compliance.md PAS-*).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tuple>

#include "site_fixture.hpp"

namespace bessd::compliance {
namespace {

using config::SiteLocation;
using ::testing::HasSubstr;
using testing::SiteTest;
using L = SiteLocation;

const char* const kPasRules[] = {"PAS-LOC-01", "PAS-LOC-02", "PAS-LOC-03",
                                 "PAS-LOC-04", "PAS-ENC-01", "PAS-VEN-01",
                                 "PAS-DET-01", "PAS-ENE-01", "PAS-LBL-01"};

// ---------------------------------------------------------------- scope
TEST_F(SiteTest, PasRulesAreNotApplicableOutsideGb) {
  site.jurisdiction = "DE";
  site.location = L::bedroom;  // would block in GB
  const auto report = run();
  for (const char* id : kPasRules) {
    const auto* f = report.find(id);
    ASSERT_NE(f, nullptr) << id;
    EXPECT_EQ(f->verdict, Verdict::not_applicable) << id;
    EXPECT_THAT(f->message, HasSubstr("DE")) << id;
    EXPECT_EQ(*f->input("site.jurisdiction"), "DE") << id;
  }
  EXPECT_EQ(report.verdict, Verdict::pass);  // product rules still run and pass
}

TEST_F(SiteTest, PasRulesAreNotApplicableOutsideDwellings) {
  site.dwelling = false;
  site.location = L::loft;
  const auto report = run();
  for (const char* id : kPasRules) {
    EXPECT_EQ(report.find(id)->verdict, Verdict::not_applicable) << id;
    EXPECT_THAT(report.find(id)->message, HasSubstr("not a dwelling")) << id;
  }
}

// ---------------------------------------------------------------- PAS-LOC-01
class LocationVerdict : public SiteTest,
                        public ::testing::WithParamInterface<std::tuple<SiteLocation, Verdict>> {};

TEST_P(LocationVerdict, FollowsTheStandardsTable) {
  const auto [where, expected] = GetParam();
  site.location = where;
  EXPECT_EQ(verdict("PAS-LOC-01"), expected) << config::to_string(where);
}

INSTANTIATE_TEST_SUITE_P(
    EveryLocation, LocationVerdict,
    ::testing::Values(
        std::tuple{L::outdoor_wall, Verdict::pass}, std::tuple{L::outdoor_ground, Verdict::pass},
        std::tuple{L::outbuilding_detached, Verdict::pass},
        std::tuple{L::garage_integral, Verdict::pass}, std::tuple{L::utility_room, Verdict::pass},
        std::tuple{L::plant_room, Verdict::pass}, std::tuple{L::habitable_room, Verdict::warn},
        std::tuple{L::cellar, Verdict::warn}, std::tuple{L::bathroom, Verdict::warn},
        std::tuple{L::bedroom, Verdict::block},
        std::tuple{L::cupboard_into_bedroom, Verdict::block},
        std::tuple{L::escape_route, Verdict::block},
        std::tuple{L::protected_escape_route, Verdict::block},
        std::tuple{L::firefighting_shaft, Verdict::block},
        std::tuple{L::under_stairs, Verdict::block},  // stair_is_escape_route default
        std::tuple{L::loft, Verdict::block}, std::tuple{L::roof_space, Verdict::block},
        std::tuple{L::void_space, Verdict::block}));

TEST_F(SiteTest, BedroomMessageExplainsAndSuggestsAFix) {
  site.location = L::bedroom;
  const auto f = finding("PAS-LOC-01");
  EXPECT_THAT(f.message, HasSubstr("configured in a bedroom"));
  EXPECT_THAT(f.message, HasSubstr("rooms where people sleep"));
  EXPECT_THAT(f.message, HasSubstr("Move it outdoors"));
  EXPECT_EQ(*f.input("site.location"), "bedroom");
  EXPECT_EQ(f.confidence, Confidence::secondary);
  EXPECT_TRUE(f.verify_published_text);
}

TEST_F(SiteTest, UnderStairsWarnsWhenTheStairIsNotAnEscapeRoute) {
  site.location = L::under_stairs;
  site.stair_is_escape_route = false;
  const auto f = finding("PAS-LOC-01");
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_EQ(f.confidence, Confidence::judgement);
  EXPECT_EQ(*f.input("site.stair_is_escape_route"), "false");
  site.stair_is_escape_route = true;
  EXPECT_EQ(verdict("PAS-LOC-01"), Verdict::block);
}

TEST_F(SiteTest, UncertainLocationsCarryTheUncertainTagAndVerifyNote) {
  site.location = L::cellar;
  const auto f = finding("PAS-LOC-01");
  EXPECT_EQ(f.confidence, Confidence::uncertain);
  EXPECT_TRUE(f.verify_published_text);
  EXPECT_THAT(f.message, HasSubstr("confirm the location"));
}

// ---------------------------------------------------------------- PAS-LOC-02
TEST_F(SiteTest, OutdoorClearanceOfExactlyOneMetrePasses) {
  site.clearances = {1.00, 1.00, 1.00, 1.00, std::nullopt};
  EXPECT_EQ(verdict("PAS-LOC-02"), Verdict::pass);
}

class OutdoorClearance : public SiteTest, public ::testing::WithParamInterface<int> {};

TEST_P(OutdoorClearance, NinetyNineCentimetresFromAnyOpeningBlocks) {
  site.clearances = {1.00, 1.00, 1.00, 1.00, std::nullopt};
  std::optional<double>* fields[] = {&site.clearances.escape_route_m, &site.clearances.door_m,
                                     &site.clearances.window_m,
                                     &site.clearances.ventilation_opening_m};
  const char* names[] = {"an escape route", "a door", "a window", "a ventilation opening"};
  *fields[GetParam()] = 0.99;
  const auto f = finding("PAS-LOC-02");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr(std::string{"0.99 m from "} + names[GetParam()]));
}
INSTANTIATE_TEST_SUITE_P(EachOpening, OutdoorClearance, ::testing::Range(0, 4));

TEST_F(SiteTest, MissingOutdoorClearanceWarns) {
  site.clearances.window_m.reset();
  const auto f = finding("PAS-LOC-02");
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("site.clearances_m.window"));
  EXPECT_EQ(*f.input("site.clearances_m.window"), "not recorded");
}

TEST_F(SiteTest, TooCloseAndMissingClearanceBlocksAndMentionsBoth) {
  site.clearances.door_m = 0.5;
  site.clearances.window_m.reset();
  const auto f = finding("PAS-LOC-02");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("0.5 m from a door"));
  EXPECT_THAT(f.message, HasSubstr("site.clearances_m.window"));
}

TEST_F(SiteTest, OutdoorClearanceThresholdIsConfigurable) {
  thresholds.outdoor_clearance_m = 2.5;
  EXPECT_EQ(verdict("PAS-LOC-02"), Verdict::block);  // 2.0 m everywhere
  EXPECT_EQ(*finding("PAS-LOC-02").input("compliance.outdoor_clearance_m"), "2.5");
}

TEST_F(SiteTest, OutdoorClearanceDoesNotApplyIndoors) {
  go_indoors();
  site.clearances.door_m = 0.1;
  EXPECT_EQ(verdict("PAS-LOC-02"), Verdict::not_applicable);
}

TEST_F(SiteTest, OutdoorGroundIsOutdoorToo) {
  site.location = L::outdoor_ground;
  site.clearances.door_m = 0.2;
  EXPECT_EQ(verdict("PAS-LOC-02"), Verdict::block);
}

// ---------------------------------------------------------------- PAS-LOC-03
TEST_F(SiteTest, FlammableStoreBoundary) {
  site.clearances.flammable_store_m = 2.00;
  EXPECT_EQ(verdict("PAS-LOC-03"), Verdict::pass);
  site.clearances.flammable_store_m = 1.99;
  const auto f = finding("PAS-LOC-03");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("1.99 m"));
  EXPECT_EQ(f.confidence, Confidence::uncertain);
}

TEST_F(SiteTest, NoFlammableStoreRecordedPasses) {
  const auto f = finding("PAS-LOC-03");
  EXPECT_EQ(f.verdict, Verdict::pass);
  EXPECT_THAT(f.message, HasSubstr("No store of flammable materials"));
}

TEST_F(SiteTest, FlammableStoreAppliesIndoorsAndIsConfigurable) {
  go_indoors();
  site.clearances.flammable_store_m = 2.5;
  EXPECT_EQ(verdict("PAS-LOC-03"), Verdict::pass);
  thresholds.flammable_clearance_m = 3.0;
  EXPECT_EQ(verdict("PAS-LOC-03"), Verdict::block);
}

// ---------------------------------------------------------------- PAS-LOC-04
TEST_F(SiteTest, OutdoorsSatisfiesOutdoorsWherePracticable) {
  EXPECT_EQ(verdict("PAS-LOC-04"), Verdict::pass);
}

TEST_F(SiteTest, IndoorsWhileOutdoorPracticableWithoutJustificationWarns) {
  go_indoors(L::utility_room);
  site.outdoor_practicable = true;
  site.indoor_justification.clear();
  const auto f = finding("PAS-LOC-04");
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("site.indoor_justification"));
  EXPECT_EQ(f.reference, "PAS 63100:2024, 6.5.1");
}

TEST_F(SiteTest, RecordedJustificationSatisfiesOutdoorsWherePracticable) {
  go_indoors(L::utility_room);
  site.outdoor_practicable = true;
  site.indoor_justification = "the outside wall faces a public footpath";
  const auto f = finding("PAS-LOC-04");
  EXPECT_EQ(f.verdict, Verdict::pass);
  EXPECT_THAT(f.message, HasSubstr("public footpath"));
}

TEST_F(SiteTest, OutdoorNotPracticablePassesAndUnknownWarns) {
  go_indoors(L::utility_room);
  site.indoor_justification.clear();
  site.outdoor_practicable = false;
  EXPECT_EQ(verdict("PAS-LOC-04"), Verdict::pass);
  site.outdoor_practicable.reset();
  EXPECT_EQ(verdict("PAS-LOC-04"), Verdict::warn);
}

TEST_F(SiteTest, DetachedOutbuildingCountsAsIndoorsForOutdoorPreference) {
  site.location = L::outbuilding_detached;
  site.outdoor_practicable = true;
  EXPECT_EQ(verdict("PAS-LOC-04"), Verdict::warn);
}

// ---------------------------------------------------------------- PAS-ENC-01
TEST_F(SiteTest, FireSeparationBoundary) {
  go_indoors();
  site.fire_separation_rei = 30.0;
  EXPECT_EQ(verdict("PAS-ENC-01"), Verdict::pass);
  site.fire_separation_rei = 29.0;
  const auto f = finding("PAS-ENC-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("REI 29"));
}

TEST_F(SiteTest, UnrecordedFireSeparationBlocksIndoors) {
  go_indoors(L::plant_room);
  site.fire_separation_rei.reset();
  const auto f = finding("PAS-ENC-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("not recorded"));
}

TEST_F(SiteTest, FireSeparationThresholdIsConfigurable) {
  go_indoors();
  thresholds.min_fire_separation_rei = 60.0;
  EXPECT_EQ(verdict("PAS-ENC-01"), Verdict::block);
}

TEST_F(SiteTest, FireSeparationIsNotApplicableOutdoorsOrDetached) {
  EXPECT_EQ(verdict("PAS-ENC-01"), Verdict::not_applicable);
  site.location = L::outbuilding_detached;
  EXPECT_EQ(verdict("PAS-ENC-01"), Verdict::not_applicable);
}

// ---------------------------------------------------------------- PAS-VEN-01
TEST_F(SiteTest, VentilationClearanceBoundary) {
  go_indoors();
  site.ventilation = {true, 1.00, true};
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::pass);
  site.ventilation.clearance_to_openings_m = 0.99;
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::block);
}

TEST_F(SiteTest, VentilationThatBreaksFireResistanceBlocks) {
  go_indoors();
  site.ventilation = {true, 3.0, false};
  const auto f = finding("PAS-VEN-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("fire resistance"));
}

TEST_F(SiteTest, UnrecordedVentilationFactsWarn) {
  go_indoors();
  site.ventilation = {true, std::nullopt, true};
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::warn);
  site.ventilation = {true, 2.0, std::nullopt};
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::warn);
}

TEST_F(SiteTest, VentilationNotApplicableWithoutVentsOrOutdoors) {
  go_indoors();
  site.ventilation = {false, 0.1, false};
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::not_applicable);
  site.location = L::outdoor_wall;
  site.ventilation = {true, 0.1, false};
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::not_applicable);
}

TEST_F(SiteTest, VentilationClearanceIsConfigurable) {
  go_indoors();
  site.ventilation = {true, 1.5, true};
  thresholds.ventilation_clearance_m = 2.0;
  EXPECT_EQ(verdict("PAS-VEN-01"), Verdict::block);
}

// ---------------------------------------------------------------- PAS-DET-01
TEST_F(SiteTest, InterlinkedDetectionPassesIndoors) {
  go_indoors();
  EXPECT_EQ(verdict("PAS-DET-01"), Verdict::pass);
}

TEST_F(SiteTest, MissingDetectionBlocksIndoors) {
  go_indoors(L::utility_room);
  site.detection = {};
  const auto f = finding("PAS-DET-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("no fire detector"));
}

TEST_F(SiteTest, DetectionThatIsNotInterlinkedBlocks) {
  go_indoors();
  site.detection.interlinked = false;
  const auto f = finding("PAS-DET-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("not interlinked"));
}

TEST_F(SiteTest, DetectionAppliesToOutbuildingsNotOutdoors) {
  EXPECT_EQ(verdict("PAS-DET-01"), Verdict::not_applicable);
  site.location = L::outbuilding_detached;
  EXPECT_EQ(verdict("PAS-DET-01"), Verdict::block);
}

// ---------------------------------------------------------------- PAS-ENE-01
TEST_F(SiteTest, IndoorEnergyCapBoundary) {
  go_indoors();
  battery.nominal_energy_kwh = 40.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::pass);
  battery.nominal_energy_kwh = 40.1;
  const auto f = finding("PAS-ENE-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_EQ(*f.input("total_energy_kwh"), "40.1");
  EXPECT_EQ(*f.input("compliance.energy_cap_low_kwh"), "40");
}

TEST_F(SiteTest, OutdoorEnergyCapBoundary) {
  battery.nominal_energy_kwh = 80.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::pass);
  battery.nominal_energy_kwh = 80.1;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::block);
}

TEST_F(SiteTest, ParkedEvCountsTowardsTheCap) {
  go_indoors();
  battery.nominal_energy_kwh = 13.5;
  site.ev_parked_kwh = 26.5;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::pass);  // 40.0
  site.ev_parked_kwh = 26.6;
  const auto f = finding("PAS-ENE-01");
  EXPECT_EQ(f.verdict, Verdict::block);
  EXPECT_THAT(f.message, HasSubstr("parked EV 26.6 kWh"));
}

TEST_F(SiteTest, DetachedOutbuildingNeedsSixtyMinutesForTheHighCap) {
  site.location = L::outbuilding_detached;
  battery.nominal_energy_kwh = 60.0;
  site.fire_separation_rei = 60.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::pass);
  site.fire_separation_rei = 59.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::block);
  site.fire_separation_rei.reset();
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::block);
}

TEST_F(SiteTest, IntegralGarageKeepsTheLowCapWhateverItsRating) {
  go_indoors();
  site.fire_separation_rei = 120.0;
  battery.nominal_energy_kwh = 45.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::block);
}

TEST_F(SiteTest, LargerBmsNameplateCountsTowardsTheCap) {
  go_indoors();
  battery.nominal_energy_kwh = 39.0;
  EXPECT_EQ(verdict("PAS-ENE-01", 38.0), Verdict::pass);
  EXPECT_EQ(verdict("PAS-ENE-01", 41.0), Verdict::block);
}

TEST_F(SiteTest, EnergyCapsAreConfigurable) {
  thresholds.energy_cap_high_kwh = 50.0;
  battery.nominal_energy_kwh = 60.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::block);
  go_indoors();
  thresholds.energy_cap_low_kwh = 70.0;
  EXPECT_EQ(verdict("PAS-ENE-01"), Verdict::pass);
}

// ---------------------------------------------------------------- PAS-LBL-01
TEST_F(SiteTest, MissingLabelsWarn) {
  EXPECT_EQ(verdict("PAS-LBL-01"), Verdict::pass);
  site.labels_fitted = false;
  const auto f = finding("PAS-LBL-01");
  EXPECT_EQ(f.verdict, Verdict::warn);
  EXPECT_THAT(f.message, HasSubstr("site.labels_fitted"));
}

}  // namespace
}  // namespace bessd::compliance
