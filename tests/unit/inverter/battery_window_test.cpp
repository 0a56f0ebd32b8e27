// The battery_window style (docs/profiles.md "Control"), stored blocks ("Blocks") and a vendor
// watchdog ("Watchdog"): what the loader refuses and what the planner writes, on the shipped
// Sofar HYD G3 profile and on small profiles made for one check each.
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

std::string writes_text(const std::vector<PointWrite>& writes) {
  std::string out;
  for (const auto& w : writes)
    out += (out.empty() ? "" : " ") + w.point + "=" + std::to_string(static_cast<long>(w.value));
  return out;
}

// A window of two s32 points, + = charge, beside a mode register; `control` is spliced in.
std::string window_profile(const std::string& points_extra, const std::string& control_extra) {
  return R"({"name":"win","points":{
      "mode":{"address":10,"type":"u16","access":"rw"},
      "timeout":{"address":20,"type":"u16","access":"rw"},
      "action":{"address":21,"type":"u16","access":"rw"},
      "lo":{"address":30,"type":"s32","access":"rw","sign":"charge_positive"},
      "hi":{"address":32,"type":"s32","access":"rw","sign":"charge_positive"})" +
         points_extra + R"(},
    "control":{"style":"battery_window","lease_s":30,
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "safe_state":[{"point":"lo","value":0},{"point":"hi","value":0}])" +
         control_extra + "}}";
}

struct WindowPlans {
  explicit WindowPlans(Profile p) : profile(std::move(p)), values(profile), planner(profile) {}
  Result<WritePlan> plan(const core::InverterCommand& c) {
    const PlanInputs in{.values = values,
                        .state = state,
                        .use_fallback_setpoint = false,
                        .invert_battery_power = invert,
                        .now = TimePoint{}};
    return planner.plan(Target::of(c), in);
  }
  std::string text(core::CommandKind kind) {
    core::InverterCommand c;
    c.kind = kind;
    auto p = plan(c);
    return p ? writes_text(p->writes) : "error: " + p.error().message;
  }
  std::string text(double battery_w) {
    auto p = plan(test::set_power(battery_w));
    return p ? writes_text(p->writes) : "error: " + p.error().message;
  }
  Profile profile;
  PointValues values;
  WritePlanner planner;
  std::optional<core::InverterState> state;
  bool invert{false};
};

TEST(SofarProfile, LoadsAsAStoredPassiveWindowWithItsModeFirst) {
  const Profile p = load_profile(test::kProfiles / "sofar_hyd_g3.json");
  EXPECT_EQ(p.control.style, ControlStyle::battery_window);
  EXPECT_TRUE(p.capabilities.sticky_hold);
  EXPECT_TRUE(p.capabilities.battery_power_sign_known);
  EXPECT_FALSE(p.capabilities.standby_without_bessd_s) << "bessd does not arm Sofar's timeout";
  EXPECT_EQ(p.verification.level, VerificationLevel::documented);
  ASSERT_EQ(p.control.blocks.size(), 1u);
  EXPECT_EQ(p.block_of("passive_battery_max"), &p.control.blocks[0]);
  EXPECT_EQ(p.point("storage_mode")->write_budget_per_day, 48u);
}

TEST(SofarProfile, EachStateWritesPassiveModeThenTheWholeWindow) {
  WindowPlans s(load_profile(test::kProfiles / "sofar_hyd_g3.json"));
  EXPECT_EQ(s.text(2500),
            "storage_mode=3 passive_grid=0 passive_battery_min=2500 passive_battery_max=2500");
  EXPECT_EQ(s.text(-1800),
            "storage_mode=3 passive_grid=0 passive_battery_min=-1800 passive_battery_max=-1800");
  EXPECT_EQ(s.text(0.0),
            "storage_mode=3 passive_grid=0 passive_battery_min=0 passive_battery_max=0");
  EXPECT_EQ(s.text(core::CommandKind::safe_state),
            "storage_mode=3 passive_grid=0 passive_battery_min=0 passive_battery_max=0");
  EXPECT_EQ(s.text(core::CommandKind::release),
            "passive_grid=0 passive_battery_min=0 passive_battery_max=0 storage_mode=0");
}

TEST(SofarProfile, TheEnvelopeBoundsBothEndsOfTheWindow) {
  WindowPlans s(load_profile(test::kProfiles / "sofar_hyd_g3.json"));
  auto c = test::set_power(3000);
  c.charge_power_max_w = 1200;  // a cold pack
  auto plan = s.plan(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(writes_text(plan->writes),
            "storage_mode=3 passive_grid=0 passive_battery_min=1200 passive_battery_max=1200");
  c = test::set_power(-3000);
  c.discharge_power_max_w = 0;  // an empty pack: a blocked direction is a limit of 0
  plan = s.plan(c);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(writes_text(plan->writes),
            "storage_mode=3 passive_grid=0 passive_battery_min=0 passive_battery_max=0");
}

TEST(BatteryWindow, ADischargePositiveWindowAndAnInvertedReadingKeepTheDirection) {
  WindowPlans s(parse_profile_text(
      R"({"name":"win","points":{
      "lo":{"address":30,"type":"s32","access":"rw","sign":"discharge_positive"},
      "hi":{"address":32,"type":"s32","access":"rw","sign":"discharge_positive"}},
    "control":{"style":"battery_window",
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "safe_state":[{"point":"lo","value":0},{"point":"hi","value":0}]}})",
      "w.json"));
  EXPECT_EQ(s.text(700), "lo=-700 hi=-700");
  s.invert = true;  // inverter.invert_battery_power: the installer's wiring, turned round
  EXPECT_EQ(s.text(700), "lo=700 hi=700");
}

TEST(BatteryWindow, BothEndsMustRoundAlike) {
  const auto issues = test::profile_issues(
      R"({"name":"win","points":{
      "lo":{"address":30,"type":"s32","access":"rw","sign":"charge_positive"},
      "hi":{"address":32,"type":"s32","scale":10,"access":"rw","sign":"charge_positive"}},
    "control":{"style":"battery_window",
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "safe_state":[{"point":"lo","value":0},{"point":"hi","value":0}]}})");
  EXPECT_NE(issues.find("/points/hi: the battery window's points \"lo\" and \"hi\" need the same "
                        "type, scale and sign"),
            std::string::npos)
      << issues;
  const auto unsigned_window = test::profile_issues(
      R"({"name":"win","points":{
      "lo":{"address":30,"type":"s32","access":"rw"},
      "hi":{"address":32,"type":"s32","access":"rw"}},
    "control":{"style":"battery_window",
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "safe_state":[{"point":"lo","value":0},{"point":"hi","value":0}]}})");
  EXPECT_NE(unsigned_window.find("/points/lo/sign: the battery_min_w point needs a known sign"),
            std::string::npos)
      << unsigned_window;
}

TEST(BatteryWindow, BothEndsGoOutTogetherAndTheSafeStateClosesTheWindow) {
  const auto apart = test::profile_issues(
      R"({"name":"win","points":{
      "lo":{"address":30,"type":"s32","access":"rw","sign":"charge_positive"},
      "hi":{"address":40,"type":"s32","access":"rw","sign":"charge_positive"}},
    "control":{"style":"battery_window",
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "safe_state":[{"point":"lo","value":0}]}})");
  EXPECT_NE(apart.find("/control/points: the battery window's points \"lo\" and \"hi\" must go "
                       "out in one request"),
            std::string::npos)
      << apart;
  EXPECT_NE(apart.find("/control/safe_state: must write 0 to the battery window's point \"hi\""),
            std::string::npos)
      << apart;
  const auto filled = test::profile_issues(window_profile(
      R"(,"grid":{"address":28,"type":"s32","access":"rw","sign":"import_positive"})",
      R"(,"blocks":[{"points":["grid","lo","hi"],"fill":{"grid":0,"lo":-5000,"hi":0}}])"));
  EXPECT_NE(filled.find("/control/blocks/0/fill/lo: a battery window's point is filled with 0"),
            std::string::npos)
      << filled;
}

TEST(StoredBlock, ABlockIsStoredWholeOrNotAtAll) {
  const std::string block = R"(,"blocks":[{"points":["lo","hi"],"fill":{"lo":0,"hi":0}}])";
  EXPECT_EQ(test::profile_issues(window_profile("", block)), "");
  const auto mixed = test::profile_issues(
      R"({"name":"win","points":{
      "lo":{"address":30,"type":"s32","access":"rw","persistent":true,"sign":"charge_positive"},
      "hi":{"address":32,"type":"s32","access":"rw","sign":"charge_positive"}},
    "control":{"style":"battery_window",
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "blocks":[{"points":["lo","hi"],"fill":{"lo":0,"hi":0}}],
      "safe_state":[{"point":"lo","value":0},{"point":"hi","value":0}]}})");
  EXPECT_NE(mixed.find("/control/blocks/0/points/1: point \"hi\" must be \"persistent\" as point "
                       "\"lo\" is, or neither"),
            std::string::npos)
      << mixed;
}

const std::string kWatchdog =
    R"(,"watchdog":{"writes":[{"point":"timeout","value":300},{"point":"action","value":0}],
                    "timeout_s":300,"feed":"writes","fallback":"standby"},
       "target_writes":[{"point":"mode","value":3}])";

TEST(VendorWatchdog, ItIsArmedBeforeEveryTargetAndNotInTheSafeState) {
  WindowPlans s(parse_profile_text(window_profile("", kWatchdog), "w.json"));
  EXPECT_EQ(s.text(1000), "timeout=300 action=0 mode=3 lo=1000 hi=1000");
  EXPECT_EQ(s.text(0.0), "timeout=300 action=0 mode=3 lo=0 hi=0");
  EXPECT_EQ(s.text(core::CommandKind::safe_state), "lo=0 hi=0");
  EXPECT_EQ(s.profile.capabilities.standby_without_bessd_s, 300.0);
}

TEST(VendorWatchdog, AFallbackToTheOwnModeIsNoStandbyAndNoStickyHold) {
  std::string own = kWatchdog;
  own.replace(own.find("standby"), 7, "own_mode");
  const Profile p = parse_profile_text(window_profile("", own), "w.json");
  EXPECT_FALSE(p.capabilities.standby_without_bessd_s);
  std::string sticky = window_profile("", own);
  sticky.insert(sticky.size() - 1, R"(,"capabilities":{"sticky_hold":true})");
  const auto issues = test::profile_issues(sticky);
  EXPECT_NE(issues.find("/capabilities/sticky_hold: declared true but the device's watchdog "
                        "falls back to its own mode"),
            std::string::npos)
      << issues;
}

TEST(VendorWatchdog, AWriteFedTimerNeedsFourLeasesAndWrittenTargets) {
  std::string short_timer = kWatchdog;
  short_timer.replace(short_timer.find("\"timeout_s\":300"), 15, "\"timeout_s\":60");
  const auto too_short = test::profile_issues(window_profile("", short_timer));
  EXPECT_NE(too_short.find("/control/watchdog/timeout_s: a watchdog fed by writes needs at least "
                           "4 × lease_s (120"),
            std::string::npos)
      << too_short;
  std::string traffic = short_timer;
  traffic.replace(traffic.find("\"writes\",\"fallback\""), 8, "\"traffic\"");
  EXPECT_EQ(test::profile_issues(window_profile("", traffic)), "") << "polling feeds it";
  const auto stored = test::profile_issues(
      R"({"name":"win","points":{
      "timeout":{"address":20,"type":"u16","access":"rw"},
      "lo":{"address":30,"type":"s32","access":"rw","persistent":true,"sign":"charge_positive"},
      "hi":{"address":32,"type":"s32","access":"rw","persistent":true,"sign":"charge_positive"}},
    "control":{"style":"battery_window","lease_s":30,
      "points":{"battery_min_w":"lo","battery_max_w":"hi"},
      "watchdog":{"writes":[{"point":"timeout","value":300}],"timeout_s":300,"feed":"writes",
                  "fallback":"standby"},
      "safe_state":[{"point":"lo","value":0},{"point":"hi","value":0}]}})");
  EXPECT_NE(stored.find("/points/lo/persistent: the control's battery_min_w point is re-written "
                        "to feed the watchdog"),
            std::string::npos)
      << stored;
}

TEST(VendorWatchdog, ItsWritesArmItAndNeverTheTarget) {
  const auto none = test::profile_issues(window_profile(
      "", R"(,"watchdog":{"writes":[],"timeout_s":300,"feed":"traffic","fallback":"standby"})"));
  EXPECT_NE(none.find("/control/watchdog/writes: needs the writes that arm the watchdog"),
            std::string::npos)
      << none;
  const auto on_target = test::profile_issues(window_profile(
      "", R"(,"watchdog":{"writes":[{"point":"hi","value":0}],"timeout_s":300,"feed":"traffic",
                         "fallback":"standby"})"));
  EXPECT_NE(on_target.find("/control/watchdog/writes/0/point: point \"hi\" is the control's "
                           "battery_max_w point"),
            std::string::npos)
      << on_target;
  const auto unknown = test::profile_issues(window_profile(
      "", R"(,"watchdog":{"writes":[{"point":"nope","value":1}],"timeout_s":300,"feed":"sometimes",
                         "fallback":"standby"})"));
  EXPECT_NE(unknown.find("/control/watchdog/writes/0/point: names point \"nope\", which is not "
                         "defined"),
            std::string::npos)
      << unknown;
  EXPECT_NE(unknown.find("/control/watchdog/feed"), std::string::npos) << unknown;
}

}  // namespace
}  // namespace bessd::inverter
