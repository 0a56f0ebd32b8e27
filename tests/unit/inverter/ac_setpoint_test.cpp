// The ac_setpoint style (docs/profiles.md "Control"): the device takes the power at its AC port
// and the battery gets PV + that power. What the loader refuses and what the planner writes.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/write_planner.hpp>
#include <bessd/inverter/profile.hpp>

#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

// An AC setpoint in `scale` W steps, + = export (Fox ESS's sense), beside a remote-enable
// register; PV from one point. `points_extra`, `control_extra`, `safe` are spliced in.
std::string ac_profile(const std::string& setpoint_sign = "export_positive", double scale = 1,
                       const std::string& safe = R"([{"point":"enable","value":1},
                                                     {"point":"ac","value":0}])",
                       const std::string& root_extra = R"(,"readings":{"pv_power":"pv"})",
                       const std::string& control_extra = "") {
  return R"({"name":"ac","points":{
      "pv":{"address":1,"type":"u16","unit":"W"},
      "enable":{"address":10,"type":"u16","access":"rw"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","scale":)" +
         std::to_string(scale) + R"(,"sign":")" + setpoint_sign + R"("}})" + root_extra + R"(,
    "control":{"style":"ac_setpoint","lease_s":30,"deadband_w":50,
      "points":{"setpoint":"ac"},
      "target_writes":[{"point":"enable","value":1}],
      "safe_state":)" +
         safe + control_extra + "}}";
}

struct AcPlans {
  explicit AcPlans(Profile p) : profile(std::move(p)), values(profile), planner(profile) {}
  Result<WritePlan> plan(const core::InverterCommand& c) {
    const PlanInputs in{.values = values,
                        .state = state,
                        .use_fallback_setpoint = false,
                        .invert_battery_power = false,
                        .now = TimePoint{},
                        .port_rating_w = port_rating_w};
    return planner.plan(Target::of(c), in);
  }
  /// The setpoint's planned value (device units and sign), or the planner's error.
  std::string setpoint_for(const core::InverterCommand& c) {
    auto p = plan(c);
    if (!p) return "error: " + p.error().message;
    for (const auto& w : p->writes)
      if (w.point == "ac") return std::to_string(static_cast<long>(w.value));
    return "no setpoint";
  }
  std::string setpoint_for(double battery_w) { return setpoint_for(test::set_power(battery_w)); }
  std::string setpoint_for(core::CommandKind kind) {
    core::InverterCommand c;
    c.kind = kind;
    return setpoint_for(c);
  }
  void pv(double w) {
    state = core::InverterState{};
    state->pv_power_w = w;
  }
  Profile profile;
  PointValues values;
  WritePlanner planner;
  std::optional<core::InverterState> state;
  std::optional<double> port_rating_w;
};

TEST(AcSetpoint, TheBatteryGetsThePvPlusTheSetpoint) {
  AcPlans s(parse_profile_text(ac_profile(), "ac.json"));
  s.pv(1200);
  EXPECT_EQ(s.setpoint_for(2000), "-800") << "800 W in from the grid, with 1200 W of PV";
  EXPECT_EQ(s.setpoint_for(500), "700") << "the rest of the PV out";
  EXPECT_EQ(s.setpoint_for(-1500), "2700") << "the PV and the battery out";
  EXPECT_EQ(s.setpoint_for(0), "1200") << "a battery at 0 W: all PV out";
  AcPlans imp(parse_profile_text(ac_profile("import_positive"), "ac.json"));
  imp.pv(1200);
  EXPECT_EQ(imp.setpoint_for(2000), "800") << "SolaX's sense: + = into the device";
}

TEST(AcSetpoint, RoundsSoThatTheBatteryGetsNoMoreThanAsked) {
  AcPlans s(parse_profile_text(ac_profile("import_positive", 10), "ac.json"));
  s.pv(1234);
  // Charging 1000 W: -234 W rounds down to -240 (the battery gets 994 W, not 1004 W).
  EXPECT_EQ(s.setpoint_for(1000), "-240");
  // Discharging 1000 W: -2234 W rounds up to -2230 (the battery gives 996 W, not 1006 W).
  EXPECT_EQ(s.setpoint_for(-1000), "-2230");
  EXPECT_EQ(s.setpoint_for(0), "-1230") << "0 W: the nearest step";
}

TEST(AcSetpoint, TheSafeStateHoldsTheBatteryAtZeroWithThePvOfTheLastPoll) {
  AcPlans s(parse_profile_text(ac_profile(), "ac.json"));
  EXPECT_NE(s.setpoint_for(core::CommandKind::safe_state).find("PV power unknown"),
            std::string::npos)
      << "never a constant that would send the PV into the battery";
  EXPECT_NE(s.setpoint_for(800).find("PV power unknown"), std::string::npos);
  s.pv(2600);
  EXPECT_EQ(s.setpoint_for(core::CommandKind::safe_state), "2600");
  core::InverterCommand safe;
  safe.kind = core::CommandKind::safe_state;
  auto p = s.plan(safe);
  ASSERT_TRUE(p.has_value());
  ASSERT_TRUE(p->planned_pv_w.has_value());
  EXPECT_EQ(*p->planned_pv_w, 2600.0) << "what the driver compares the next PV with";
  ASSERT_EQ(p->writes.size(), 2u);
  EXPECT_EQ(p->writes[0].point, "enable") << "the safe state's own writes, in order";
}

TEST(AcSetpoint, TheAcPowerStaysWithinTheRating) {
  AcPlans s(parse_profile_text(ac_profile("import_positive", 10), "ac.json"));
  s.pv(3000);
  s.port_rating_w = 5005;  // a step of 10 W: 5000 W at most
  EXPECT_EQ(s.setpoint_for(-4000), "-5000") << "the battery gives 2000 W, less than asked";
  s.pv(0);
  EXPECT_EQ(s.setpoint_for(5500), "5000") << "the battery takes 5000 W, less than asked";
  EXPECT_EQ(s.setpoint_for(-5500), "-5000");
  s.pv(3000);
  s.port_rating_w.reset();
  EXPECT_EQ(s.setpoint_for(-4000), "-7000") << "no rating known: as planned";
}

// A cold pack (no charging) under more PV than the port exports at its rating: the battery gets
// the rest whatever is written. The plan says how much, so that bessd can say it.
TEST(AcSetpoint, PvBeyondTheRatingIsChargeBeyondTheEnvelope) {
  AcPlans s(parse_profile_text(ac_profile("import_positive", 10), "ac.json"));
  s.pv(5831);
  s.port_rating_w = 5000;
  auto blocked = test::set_power(0);
  blocked.charge_power_max_w = 0;
  auto p = s.plan(blocked);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->writes.back().value, -5000.0) << "the rating, out";
  EXPECT_NEAR(p->charge_beyond_envelope_w, 821.0, 1e-9) << "831 W in, less a step's tolerance";
  // The same PV with room to charge 1 kW: within the envelope, nothing beyond it.
  auto room = test::set_power(831);
  room.charge_power_max_w = 1000;
  p = s.plan(room);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->charge_beyond_envelope_w, 0.0);
  // A PV the port carries: nothing beyond, blocked or not.
  s.pv(4000);
  p = s.plan(blocked);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->charge_beyond_envelope_w, 0.0);
}

TEST(AcSetpoint, AScaleNotYetReadIsAClearFailure) {
  // A SunSpec-style scale factor that was not read yet: no step to round on.
  AcPlans s(parse_profile_text(R"({"name":"ac","points":{
      "pv":{"address":1,"type":"u16","unit":"W"},
      "sf":{"address":20,"type":"sunssf"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","scale_factor":"sf",
            "sign":"import_positive"}},
    "readings":{"pv_power":"pv"},
    "control":{"style":"ac_setpoint","points":{"setpoint":"ac"},
      "safe_state":[{"point":"ac","value":0}]}})",
                               "ac.json"));
  s.pv(1000);
  EXPECT_NE(s.setpoint_for(500).find("the scale of point ac is not known yet"), std::string::npos)
      << s.setpoint_for(500);
}

TEST(AcSetpoint, TheEnvelopeBoundsTheBatteryNotTheAcPower) {
  AcPlans s(parse_profile_text(ac_profile(), "ac.json"));
  s.pv(3000);
  auto c = test::set_power(2500);
  c.charge_power_max_w = 1000;  // a cold pack: 1 kW at most
  EXPECT_EQ(s.setpoint_for(c), "2000") << "the battery gets 1000 W; 2000 W of the PV go out";
  c.charge_power_max_w = 0;
  EXPECT_EQ(s.setpoint_for(c), "3000") << "charging blocked: all PV out, the battery still";
}

TEST(AcSetpoint, TheLoaderNeedsPvASignedSetpointAndAZeroHold) {
  EXPECT_EQ(test::profile_issues(ac_profile()), "");
  EXPECT_NE(test::profile_issues(
                ac_profile("export_positive", 1,
                           R"([{"point":"enable","value":1},{"point":"ac","value":0}])", ""))
                .find("needs reading \"pv_power\""),
            std::string::npos);
  EXPECT_NE(test::profile_issues(ac_profile("charge_positive"))
                .find("import_positive or export_positive"),
            std::string::npos);
  EXPECT_NE(
      test::profile_issues(ac_profile("export_positive", 1, R"([{"point":"ac","value":500}])"))
          .find("/control/safe_state/0/value"),
      std::string::npos);
  EXPECT_NE(
      test::profile_issues(ac_profile("export_positive", 1, R"([{"point":"enable","value":0}])"))
          .find("must write the setpoint \"ac\""),
      std::string::npos);
  EXPECT_NE(
      test::profile_issues(ac_profile("export_positive", 1,
                                      R"([{"point":"enable","value":1},{"point":"ac","value":0}])",
                                      R"(,"readings":{"pv_power":"pv"},
                                    "capabilities":{"sticky_hold":true})"))
          .find("/capabilities/sticky_hold"),
      std::string::npos)
      << "a hold that follows the PV needs bessd";
  EXPECT_NE(
      test::profile_issues(ac_profile("export_positive", 1,
                                      R"([{"point":"enable","value":1},{"point":"ac","value":0}])",
                                      R"(,"readings":{"pv_power":"pv"})",
                                      R"(,"release":[{"point":"ac","value":-300}])"))
          .find("/control/release/0/value"),
      std::string::npos);
}

}  // namespace
}  // namespace bessd::inverter
