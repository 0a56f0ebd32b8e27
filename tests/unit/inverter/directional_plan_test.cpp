// The directional control style's writes (docs/profiles.md "Control"): a direction code and an
// unsigned power, in one request when the device has them side by side, through idle when not;
// and the target writes every style puts first.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/write_planner.hpp>
#include <bessd/inverter/registers/register_codec.hpp>

#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

using test::kProfiles;

struct Planned {
  explicit Planned(Profile p) : profile(std::move(p)), values(profile) {}
  void set(const std::string& point, double value) {
    const PointSpec& p = *profile.point(point);
    values.store(point, registers::encode_scaled(value, p.type, p.word_order, p.scale, 0).value());
  }
  std::vector<PointWrite> plan(const core::InverterCommand& c, bool invert = false) {
    auto r = planner.plan(Target::of(c), PlanInputs{.values = values,
                                                    .state = state,
                                                    .use_fallback_setpoint = false,
                                                    .invert_battery_power = invert,
                                                    .now = TimePoint{}});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? r->writes : std::vector<PointWrite>{};
  }
  Profile profile;
  PointValues values;
  WritePlanner planner{profile};
  std::optional<core::InverterState> state;
};

std::string text_of(const std::vector<PointWrite>& writes) {
  std::string out;
  for (const auto& w : writes)
    out += (out.empty() ? "" : " ") + w.point + "=" + std::to_string(static_cast<long>(w.value));
  return out;
}

Planned goodwe() {
  return Planned(load_profile(kProfiles / "goodwe_et.json"));
}

TEST(DirectionalPlan, GoodWeChargeDischargeAndIdleInOneRequestOrder) {
  auto g = goodwe();
  EXPECT_EQ(text_of(g.plan(test::set_power(2500))), "ems_mode=11 ems_power=2500");
  EXPECT_EQ(text_of(g.plan(test::set_power(-1800.7))), "ems_mode=12 ems_power=1800")
      << "the power rounds toward zero";
  // Idle is a charge at 0 W on this device (as OpenEMS drives it).
  EXPECT_EQ(text_of(g.plan(test::set_power(0))), "ems_mode=11 ems_power=0");
  EXPECT_EQ(text_of(g.plan(test::set_power(-0.6))), "ems_mode=11 ems_power=0")
      << "a power that rounds to 0 is idle, not a discharge at 0 W";
}

TEST(DirectionalPlan, TheEnvelopeBoundsThePower) {
  auto g = goodwe();
  auto c = test::set_power(4000);
  c.charge_power_max_w = 1200;
  EXPECT_EQ(text_of(g.plan(c)), "ems_mode=11 ems_power=1200");
  c = test::set_power(-4000);
  c.discharge_power_max_w = 0;
  EXPECT_EQ(text_of(g.plan(c)), "ems_mode=11 ems_power=0") << "a blocked direction is idle";
}

// inverter.invert_battery_power fixes a reading wired the other way; the mode codes mean what
// they say whatever the wiring.
TEST(DirectionalPlan, InvertingTheBatteryReadingLeavesTheCodesAlone) {
  auto g = goodwe();
  EXPECT_EQ(text_of(g.plan(test::set_power(1000), /*invert=*/true)), "ems_mode=11 ems_power=1000");
}

TEST(DirectionalPlan, APowerTheRegisterCannotHoldIsCappedTowardZero) {
  auto g = goodwe();
  auto c = test::set_power(-90000);
  c.discharge_power_max_w = 100000;
  EXPECT_EQ(text_of(g.plan(c)), "ems_mode=12 ems_power=65535");
}

TEST(DirectionalPlan, SafeStateAndReleaseAreTheProfilesWrites) {
  auto g = goodwe();
  core::InverterCommand safe;
  safe.kind = core::CommandKind::safe_state;
  EXPECT_EQ(text_of(g.plan(safe)), "ems_mode=11 ems_power=0");
  core::InverterCommand release;
  release.kind = core::CommandKind::release;
  EXPECT_EQ(text_of(g.plan(release)), "ems_mode=1 ems_power=0");
}

// Mode and power apart (as on a device whose power register comes first, or far away), with a
// register that must be set before any target.
Profile apart(const std::string& power_address, const std::string& write_function = "fc16") {
  return parse_profile_text(R"({"name":"apart","points":{
      "remote":{"address":5,"type":"u16","access":"rw"},
      "cmd":{"address":20,"type":"u16","access":"rw","write_function":")" +
                                write_function + R"("},
      "power":{"address":)" + power_address +
                                R"(,"type":"u16","access":"rw"}},
    "control":{"style":"directional","points":{"direction":"cmd","magnitude":"power"},
      "direction_codes":{"charge":170,"discharge":187,"idle":204},
      "target_writes":[{"point":"remote","value":2}],
      "safe_state":[{"point":"cmd","value":204},{"point":"power","value":0}]}})",
                            "apart.json");
}

TEST(DirectionalPlan, APowerBeforeItsCodeGoesOutInAddressOrder) {
  Planned p(apart("19"));
  EXPECT_EQ(text_of(p.plan(test::set_power(900))), "remote=2 power=900 cmd=170");
}

TEST(DirectionalPlan, ApartAChangeOfCodeGoesThroughZeroPower) {
  Planned p(apart("30"));
  p.set("cmd", 170);  // charging now
  EXPECT_EQ(text_of(p.plan(test::set_power(-700))), "remote=2 power=0 cmd=187 power=700");
  p.set("cmd", 187);  // discharging now: the same direction changes only its power
  EXPECT_EQ(text_of(p.plan(test::set_power(-300))), "remote=2 power=300 cmd=187");
  EXPECT_EQ(text_of(p.plan(test::set_power(0))), "remote=2 power=0 cmd=204");
}

TEST(DirectionalPlan, SideBySideButWrittenByFc06IsApart) {
  Planned p(apart("21", "fc06"));  // two requests whatever the addresses
  p.set("cmd", 170);
  EXPECT_EQ(text_of(p.plan(test::set_power(-700))), "remote=2 power=0 cmd=187 power=700");
}

TEST(DirectionalPlan, ApartAnUnknownCodeAlsoGoesThroughZeroPower) {
  Planned p(apart("30"));
  EXPECT_EQ(text_of(p.plan(test::set_power(500))), "remote=2 power=0 cmd=170 power=500");
}

TEST(TargetWrites, OtherStylesPutThemFirstButNotInTheSafeState) {
  const Profile b = parse_profile_text(R"({"name":"b","points":{
      "on":{"address":1,"type":"u16","access":"rw"},
      "sp":{"address":7,"type":"s16","access":"rw","sign":"discharge_positive"}},
    "control":{"style":"battery_setpoint","points":{"setpoint":"sp"},
      "target_writes":[{"point":"on","value":1}],
      "safe_state":[{"point":"sp","value":0}]}})",
                                       "b.json");
  Planned p(b);
  EXPECT_EQ(text_of(p.plan(test::set_power(1500))), "on=1 sp=-1500");
  core::InverterCommand safe;
  safe.kind = core::CommandKind::safe_state;
  EXPECT_EQ(text_of(p.plan(safe)), "sp=0");
}

}  // namespace
}  // namespace bessd::inverter
