// Blocks (docs/profiles.md "Blocks"): points a device takes only together, in one request
// (SolaX's remote-control block 0x7C..0x88): the loader's checks, the planner writing the whole
// block with its fill values, and the driver sending it as one request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/write_planner.hpp>
#include <bessd/inverter/profile.hpp>

#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

// A SolaX-like block: mode, set type, a low-word-first s32 power (+ = charge), a duration.
std::string block_profile(const std::string& block_json) {
  return R"({"name":"blk","points":{
      "mode":{"address":124,"type":"u16","access":"rw"},
      "set_type":{"address":125,"type":"u16","access":"rw"},
      "power":{"address":126,"type":"s32","word_order":"low_first","access":"rw","sign":"charge_positive"},
      "duration":{"address":128,"type":"u16","access":"rw"},
      "other":{"address":200,"type":"u16","access":"rw"}},
    "control":{"style":"battery_setpoint","points":{"setpoint":"power"},
      "blocks":[)" +
         block_json + R"(],
      "safe_state":[{"point":"power","value":0}],
      "release":[{"point":"mode","value":0},{"point":"other","value":1}]}})";
}
const std::string kBlock =
    R"({"points":["mode","set_type","power","duration"],"fill":{"mode":1,"set_type":1,"power":0,"duration":20}})";

std::string block_text(const std::vector<PointWrite>& writes) {
  std::string out;
  for (const auto& w : writes)
    out += (out.empty() ? "" : " ") + w.point + "=" + std::to_string(static_cast<long>(w.value));
  return out;
}

TEST(BlockProfile, ASideBySideBlockWithFillValuesLoads) {
  const Profile p = parse_profile_text(block_profile(kBlock), "b.json");
  ASSERT_EQ(p.control.blocks.size(), 1u);
  EXPECT_EQ(p.block_of("power"), &p.control.blocks[0]);
  EXPECT_EQ(p.block_of("other"), nullptr);
}

TEST(BlockProfile, GapsOrderFillAndWritabilityAreChecked) {
  const auto gap = test::profile_issues(
      block_profile(R"({"points":["mode","power"],"fill":{"mode":1,"power":0}})"));
  EXPECT_NE(gap.find("/control/blocks/0/points/1: point \"power\" must follow point \"mode\" "
                     "without a gap"),
            std::string::npos)
      << gap;
  const auto unfilled =
      test::profile_issues(block_profile(R"({"points":["mode","set_type"],"fill":{"mode":1}})"));
  EXPECT_NE(unfilled.find("/control/blocks/0/points/1: point \"set_type\" needs a value in "
                          "\"fill\""),
            std::string::npos)
      << unfilled;
  const auto stray = test::profile_issues(
      block_profile(R"({"points":["mode","set_type"],"fill":{"mode":1,"set_type":1,"other":3}})"));
  EXPECT_NE(stray.find("/control/blocks/0/fill/other: point \"other\" is not in this block"),
            std::string::npos)
      << stray;
  const auto alone =
      test::profile_issues(block_profile(R"({"points":["mode"],"fill":{"mode":1}})"));
  EXPECT_NE(alone.find("/control/blocks/0/points: a block needs two points or more"),
            std::string::npos)
      << alone;
}

TEST(BlockPlan, EveryPlanWritesTheWholeBlockWhereItsFirstPointWas) {
  const Profile p = parse_profile_text(block_profile(kBlock), "b.json");
  const std::vector<PointWrite> target{{"power", 1500}};
  auto whole = with_whole_blocks(p, target);
  ASSERT_TRUE(whole.has_value()) << whole.error().message;
  EXPECT_EQ(block_text(*whole), "mode=1 set_type=1 power=1500 duration=20");
  // The release sets the mode and another point: the block in the mode's place, whole.
  whole = with_whole_blocks(p, {{"other", 1}, {"mode", 0}, {"power", -200}});
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(block_text(*whole), "other=1 mode=0 set_type=1 power=-200 duration=20");
}

TEST(BlockPlan, ThePlannerExpandsTheSafeStateAndTargets) {
  const Profile p = parse_profile_text(block_profile(kBlock), "b.json");
  PointValues values(p);
  WritePlanner planner(p);
  const std::optional<core::InverterState> state;
  const PlanInputs in{.values = values,
                      .state = state,
                      .use_fallback_setpoint = false,
                      .invert_battery_power = false,
                      .now = TimePoint{}};
  core::InverterCommand safe;
  safe.kind = core::CommandKind::safe_state;
  auto plan = planner.plan(Target::of(safe), in);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(block_text(plan->writes), "mode=1 set_type=1 power=0 duration=20");
  plan = planner.plan(Target::of(test::set_power(-900)), in);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(block_text(plan->writes), "mode=1 set_type=1 power=-900 duration=20");
}

TEST(Blocks, APointWrittenByFc06IsNotInABlock) {
  std::string text = block_profile(kBlock);
  text.replace(text.find(R"("type":"u16","access":"rw"})"), 27,
               R"("type":"u16","access":"rw","write_function":"fc06"})");
  EXPECT_NE(test::profile_issues(text).find("is written with fc06"), std::string::npos)
      << test::profile_issues(text);
}

}  // namespace
}  // namespace bessd::inverter
