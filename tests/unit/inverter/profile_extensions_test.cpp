// The profile keys for more devices (docs/profiles.md): the directional control style, writes
// before every target, write budgets and the verification level, as the loader checks them.
#include <gtest/gtest.h>

#include <string>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/profile.hpp>

#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

using test::kProfiles;

bool mentions(const std::string& issues, const std::string& text) {
  return issues.find(text) != std::string::npos;
}

// A directional profile with `extra` inside "control" and `top` at the top level.
std::string directional_profile(const std::string& magnitude, const std::string& codes,
                                const std::string& extra = "", const std::string& top = "") {
  return R"({"name":"d",)" + top + R"("points":{
      "mode":{"address":10,"type":"u16","access":"rw"},
      "power":)" +
         magnitude + R"(},
    "control":{"style":"directional","points":{"direction":"mode","magnitude":"power"},)" +
         codes + extra +
         R"("safe_state":[{"point":"mode","value":8},{"point":"power","value":0}]}})";
}
const std::string kPower = R"({"address":11,"type":"u16","unit":"W","access":"rw"})";
const std::string kCodes = R"("direction_codes":{"charge":11,"discharge":12,"idle":8},)";

TEST(DirectionalProfile, LoadsWithItsCodes) {
  const Profile p = parse_profile_text(directional_profile(kPower, kCodes), "p.json");
  EXPECT_EQ(p.control.style, ControlStyle::directional);
  EXPECT_EQ(p.control.direction_codes.charge, 11);
  EXPECT_EQ(p.control.direction_codes.discharge, 12);
  EXPECT_EQ(p.control.direction_codes.idle, 8);
  EXPECT_FALSE(p.capabilities.sticky_hold) << "the author's word, not declared here";
}

TEST(DirectionalProfile, NeedsCodesItsRegisterCanHold) {
  EXPECT_TRUE(mentions(test::profile_issues(directional_profile(kPower, "")),
                       "/control/direction_codes: is required"))
      << test::profile_issues(directional_profile(kPower, ""));
  const auto same = test::profile_issues(
      directional_profile(kPower, R"("direction_codes":{"charge":11,"discharge":11,"idle":8},)"));
  EXPECT_TRUE(mentions(same, "/control/direction_codes: charge and discharge need different codes"))
      << same;
  EXPECT_EQ(test::profile_issues(directional_profile(
                kPower, R"("direction_codes":{"charge":11,"discharge":12,"idle":11},)")),
            "")
      << "idle may be a charge at 0 W";
  const auto too_big = test::profile_issues(directional_profile(
      kPower, R"("direction_codes":{"charge":70000,"discharge":12.5,"idle":8},)"));
  EXPECT_TRUE(mentions(too_big,
                       "/control/direction_codes/charge: must be a whole number the "
                       "direction point can hold (0..65535)"))
      << too_big;
  EXPECT_TRUE(mentions(too_big, "/control/direction_codes/discharge: must be a whole number"))
      << too_big;
  const auto missing = test::profile_issues(
      directional_profile(kPower, R"("direction_codes":{"charge":11,"discharge":12},)"));
  EXPECT_TRUE(mentions(missing, "/control/direction_codes/idle")) << missing;
}

TEST(DirectionalProfile, TheMagnitudeIsUnsigned) {
  const auto signed_point = test::profile_issues(directional_profile(
      R"({"address":11,"type":"s16","access":"rw","sign":"charge_positive"})", kCodes));
  EXPECT_TRUE(mentions(signed_point,
                       "/points/power/sign: the magnitude of a directional control is "
                       "unsigned"))
      << signed_point;
  EXPECT_TRUE(mentions(signed_point,
                       "/points/power/type: the magnitude of a directional control "
                       "must be u16 or u32"))
      << signed_point;
}

TEST(DirectionalProfile, OtherStylesRefuseDirectionCodes) {
  const std::string text = R"({"name":"b","points":{
      "sp":{"address":1,"type":"s16","access":"rw","sign":"charge_positive"}},
    "control":{"style":"battery_setpoint","points":{"setpoint":"sp"},)" +
                           kCodes + R"("safe_state":[{"point":"sp","value":0}]}})";
  const auto e = test::profile_issues(text);
  EXPECT_TRUE(mentions(e,
                       "/control/direction_codes: only the directional control style takes "
                       "direction codes"))
      << e;
}

TEST(TargetWrites, MustNameWritablePointsTheStyleDoesNotWrite) {
  const std::string extra_point =
      R"({"address":11,"type":"u16","access":"rw"},"remote":{"address":30,"type":"u16","access":"rw"})";
  const auto e = test::profile_issues(directional_profile(
      extra_point, kCodes,
      R"("target_writes":[{"point":"mode","value":2},{"point":"nowhere","value":1}],)"));
  EXPECT_TRUE(mentions(e,
                       "/control/target_writes/0/point: point \"mode\" is the control's "
                       "direction point"))
      << e;
  EXPECT_TRUE(mentions(e, "/control/target_writes/1/point: names point \"nowhere\"")) << e;
  const Profile p =
      parse_profile_text(directional_profile(extra_point, kCodes,
                                             R"("target_writes":[{"point":"remote","value":2}],)"),
                         "p.json");
  ASSERT_EQ(p.control.target_writes.size(), 1u);
  EXPECT_EQ(p.control.target_writes[0].point, "remote");
}

TEST(WriteBudgetKey, OnlyOnStoredSettingsAndWithinRange) {
  const Profile p = parse_profile_text(
      directional_profile(
          R"({"address":11,"type":"u16","access":"rw","persistent":true,"write_budget_per_day":500})",
          kCodes),
      "p.json");
  EXPECT_EQ(p.point("power")->write_budget_per_day, 500u);
  EXPECT_FALSE(p.point("mode")->write_budget_per_day);
  const auto read_only = test::profile_issues(R"({"name":"r","points":{
      "x":{"address":1,"type":"u16","persistent":true,"write_budget_per_day":10}}})");
  EXPECT_TRUE(mentions(read_only, "/points/x/write_budget_per_day: only a stored setting"))
      << read_only;
  // Re-asserted every lease, a register that is not read first would spend any budget.
  const auto volatile_point = test::profile_issues(directional_profile(
      R"({"address":11,"type":"u16","access":"rw","write_budget_per_day":500})", kCodes));
  EXPECT_TRUE(mentions(volatile_point,
                       "/points/power/write_budget_per_day: only a stored setting "
                       "(access \"rw\" and \"persistent\": true)"))
      << volatile_point;
  const auto zero = test::profile_issues(directional_profile(
      R"({"address":11,"type":"u16","access":"rw","persistent":true,"write_budget_per_day":0})",
      kCodes));
  EXPECT_TRUE(mentions(zero, "/points/power/write_budget_per_day")) << zero;
}

TEST(Verification, LevelsAndWhatAHardwareCheckMustSay) {
  const auto documented = parse_profile_text(
      directional_profile(kPower, kCodes, "",
                          R"("verification":{"level":"documented","sources":["a map"]},)"),
      "p.json");
  EXPECT_EQ(documented.verification.level, VerificationLevel::documented);
  EXPECT_EQ(documented.verification.sources, std::vector<std::string>{"a map"});
  EXPECT_NE(documented.verification.warning("d").find("has not been checked on a real device"),
            std::string::npos);

  const auto hardware = parse_profile_text(
      directional_profile(
          kPower, kCodes, "",
          R"("verification":{"level":"hardware","by":"A. Fitter","firmware":"ARM 19",)"
          R"("date":"2026-11-30"},)"),
      "p.json");
  EXPECT_EQ(hardware.verification.level, VerificationLevel::hardware);
  EXPECT_EQ(hardware.verification.by, "A. Fitter");
  EXPECT_TRUE(hardware.verification.warning("d").empty());

  const auto undeclared = parse_profile_text(directional_profile(kPower, kCodes), "p.json");
  EXPECT_EQ(undeclared.verification.level, VerificationLevel::undeclared);
  EXPECT_NE(undeclared.verification.warning("d").find("does not say how it was verified"),
            std::string::npos);

  const auto anonymous = test::profile_issues(
      directional_profile(kPower, kCodes, "", R"("verification":{"level":"hardware"},)"));
  EXPECT_TRUE(mentions(anonymous, "/verification/by: is required")) << anonymous;
  EXPECT_TRUE(mentions(anonymous, "/verification/firmware: is required")) << anonymous;
  const auto who = test::profile_issues(directional_profile(
      kPower, kCodes, "", R"("verification":{"level":"documented","by":"me"},)"));
  EXPECT_TRUE(mentions(who, "/verification/by: only a hardware verification")) << who;
  const auto typo = test::profile_issues(
      directional_profile(kPower, kCodes, "", R"("verification":{"level":"checked"},)"));
  EXPECT_TRUE(mentions(typo, "/verification/level")) << typo;
  const auto spelled_out = test::profile_issues(
      directional_profile(kPower, kCodes, "", R"("verification":{"level":"undeclared"},)"));
  EXPECT_TRUE(mentions(spelled_out, "/verification/level: must be one of documented, hardware"))
      << spelled_out;
}

TEST(Verification, EveryShippedDeviceProfileSaysHowItWasChecked) {
  for (const char* name : {"sunspec", "victron_ess", "goodwe_et", "sofar_hyd_g3", "sungrow_sh",
                           "foxess_h1", "sdm630", "sunspec_meter"}) {
    const Profile p = load_profile(kProfiles / (std::string(name) + ".json"));
    EXPECT_NE(p.verification.level, VerificationLevel::undeclared) << name;
    EXPECT_FALSE(p.verification.sources.empty()) << name;
  }
}

TEST(GoodWeProfile, DirectionCodesAndAdjacentRegisters) {
  const Profile g = load_profile(kProfiles / "goodwe_et.json");
  EXPECT_FALSE(g.unit_id) << "inverter.unit_id: an RS485 address may have been changed";
  EXPECT_EQ(g.control.style, ControlStyle::directional);
  EXPECT_EQ(*g.control_point(ControlRole::direction)->address, 47511);
  EXPECT_EQ(*g.control_point(ControlRole::magnitude)->address, 47512);
  EXPECT_EQ(g.control.direction_codes.charge, 0x0B);
  EXPECT_EQ(g.control.direction_codes.discharge, 0x0C);
  EXPECT_EQ(g.control.direction_codes.idle, 0x0B) << "a charge at 0 W, as OpenEMS drives it";
  EXPECT_EQ(g.point("battery_power")->sign, SignConvention::discharge_positive);
  EXPECT_EQ(g.point("meter_power")->sign, SignConvention::export_positive);
  EXPECT_FALSE(g.capabilities.sticky_hold) << "nobody reports the mode surviving a reboot";
  for (const char* pv : {"pv1_power", "pv2_power", "pv3_power", "pv4_power"})
    EXPECT_TRUE(g.point(pv)->sunspec_sentinels) << pv << ": 0xFFFFFFFF at night";
  EXPECT_TRUE(g.capabilities.battery_power_sign_known);
  EXPECT_EQ(g.verification.level, VerificationLevel::documented);
}

}  // namespace
}  // namespace bessd::inverter
