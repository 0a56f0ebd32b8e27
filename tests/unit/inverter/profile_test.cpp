#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/profile.hpp>

#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

using test::kProfiles;

class ShippedProfiles : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedProfiles, LoadAndValidate) {
  const auto path = resolve_profile_path(GetParam(), kProfiles);
  try {
    Profile p = load_profile(path);
    EXPECT_EQ(p.name, GetParam());
    EXPECT_FALSE(p.points.empty());
    EXPECT_NE(p.control.style, ControlStyle::none);
    EXPECT_FALSE(p.control.safe_state.empty());
  } catch (const config::ConfigError& e) {
    std::string all;
    for (const auto& i : e.issues()) all += i.to_string() + "\n";
    FAIL() << path << ":\n" << all;
  }
}

INSTANTIATE_TEST_SUITE_P(All, ShippedProfiles,
                         ::testing::Values("template", "test_dummy", "sunspec", "victron_ess",
                                           "goodwe_et", "sofar_hyd_g3", "sungrow_sh", "foxess_h1"));

TEST(Profile, ShippedDetails) {
  const Profile v = load_profile(kProfiles / "victron_ess.json");
  EXPECT_EQ(v.unit_id, 100);
  EXPECT_EQ(v.control.style, ControlStyle::grid_setpoint);
  ASSERT_NE(v.control_point(ControlRole::setpoint), nullptr);
  EXPECT_EQ(*v.control_point(ControlRole::setpoint)->address, 2716);
  EXPECT_EQ(v.control_point(ControlRole::setpoint)->type, registers::RegisterType::s32);
  EXPECT_EQ(v.readings.at(ReadingRole::grid_power).combine, Reading::Combine::sum);
  EXPECT_TRUE(v.readings.at(ReadingRole::battery_power).includes_dc_loads)
      << "the GX's battery service";
  EXPECT_EQ(v.readings.at(ReadingRole::battery_power).points,
            std::vector<std::string>{"battery_power"});
  const Profile s = load_profile(kProfiles / "sunspec.json");
  EXPECT_TRUE(s.sunspec);
  EXPECT_EQ(s.point("InWRte")->models, (std::vector<std::uint16_t>{124}));
  EXPECT_EQ(s.point("bat_W")->sign, SignConvention::unknown);
  EXPECT_GE(s.control.revert_timeout_s, 4 * s.control.lease_s);
}

// Parses `text`; returns every issue as "pointer: message" lines (empty when valid).
std::string issues_of(const std::string& text) {
  try {
    (void)parse_profile(nlohmann::json::parse(text), "broken.json");
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.source(), "broken.json");
    std::string all;
    for (const auto& i : e.issues()) all += i.to_string() + "\n";
    return all;
  }
  return {};
}

constexpr const char* kBase = R"({"name":"x","points":{POINTS},"control":{CONTROL}})";

std::string make(const std::string& points, const std::string& control = R"("style":"none")") {
  std::string s = kBase;
  s.replace(s.find("POINTS"), 6, points);
  s.replace(s.find("CONTROL"), 7, control);
  return s;
}

TEST(ProfileErrors, UnknownTypeNamesThePoint) {
  const auto e = issues_of(make(R"("P1":{"address":1,"type":"u24"})"));
  EXPECT_NE(e.find("/points/P1/type: unknown register type \"u24\""), std::string::npos) << e;
}

TEST(ProfileErrors, OverlapNamesBothPoints) {
  const auto e =
      issues_of(make(R"("A":{"address":10,"type":"u32"},"B":{"address":11,"type":"u16"})"));
  EXPECT_NE(e.find("/points/B: registers 11..11 overlap point \"A\" (10..11)"), std::string::npos)
      << e;
  // Same address on another function or unit is not an overlap.
  EXPECT_EQ(
      issues_of(make(
          R"("A":{"address":10,"type":"u32"},"B":{"address":11,"type":"u16","function":"input"})")),
      "");
}

TEST(ProfileErrors, MissingCapabilityPoint) {
  const auto e = issues_of(
      make(R"("P":{"address":1,"type":"s16","access":"rw","sign":"charge_positive"})",
           R"("style":"battery_setpoint","points":{},"safe_state":[{"point":"P","value":0}])"));
  EXPECT_NE(e.find("/control/points: control style battery_setpoint needs point \"setpoint\""),
            std::string::npos)
      << e;
}

TEST(ProfileErrors, WrittenPointMustBeWritableAndSigned) {
  const auto e = issues_of(make(
      R"("P":{"address":1,"type":"s16"})",
      R"("style":"battery_setpoint","points":{"setpoint":"P"},"safe_state":[{"point":"P","value":0}])"));
  EXPECT_NE(e.find("/points/P/access"), std::string::npos) << e;
  EXPECT_NE(e.find("/points/P/sign"), std::string::npos) << e;
  EXPECT_NE(e.find("/control/safe_state/0/point: point \"P\" is not writable"), std::string::npos)
      << e;
}

TEST(ProfileErrors, ScaleFactorMustBeASunssfPoint) {
  const auto e = issues_of(make(R"("W":{"address":1,"type":"s16","scale_factor":"W_SF"})"));
  EXPECT_NE(e.find("/points/W/scale_factor: names point \"W_SF\""), std::string::npos) << e;
}

TEST(ProfileErrors, UnknownKeysAndMissingAddress) {
  const auto e = issues_of(make(R"("P":{"adress":1,"type":"u16"})"));
  EXPECT_NE(e.find("/points/P/adress"), std::string::npos) << e;
  EXPECT_NE(e.find("/points/P: needs exactly one of"), std::string::npos) << e;
}

TEST(ProfileErrors, RevertTimeoutMustCoverFourLeases) {
  const std::string pts =
      R"("M":{"address":1,"type":"u16","access":"rw"},"I":{"address":2,"type":"s16","access":"rw"},)"
      R"("O":{"address":3,"type":"s16","access":"rw"},"R":{"address":4,"type":"u16","access":"rw"},)"
      R"("C":{"address":5,"type":"u16"})";
  const std::string ctl =
      R"("style":"sunspec_storage","lease_s":30,"revert_timeout_s":60,"points":{"storage_mode":"M",)"
      R"("charge_rate_pct":"I","discharge_rate_pct":"O","revert_timeout_s":"R","rate_reference_w":"C"},)"
      R"("safe_state":[{"point":"M","value":3}])";
  const auto e = issues_of(make(pts, ctl));
  EXPECT_NE(e.find("/control/revert_timeout_s"), std::string::npos) << e;
}

// The shipped profiles' safety capabilities (docs/profiles.md) and the writes behind them.
TEST(ProfileCapabilities, ShippedProfilesDeclareWhatTheyDo) {
  const Profile s = load_profile(kProfiles / "sunspec.json");
  EXPECT_TRUE(s.capabilities.sticky_hold);
  EXPECT_TRUE(s.capabilities.power_limit);
  EXPECT_FALSE(s.capabilities.voltage_limit);
  EXPECT_FALSE(s.capabilities.current_limit);
  EXPECT_FALSE(s.capabilities.battery_power_sign_known);
  // The hold has no revert timer; the release hands control back.
  bool zero_revert = false;
  for (const auto& w : s.control.safe_state)
    zero_revert = zero_revert || (w.point == "InOutWRte_RvrtTms" && w.value == 0);
  EXPECT_TRUE(zero_revert);
  EXPECT_FALSE(s.control.release.empty());
  const Profile v = load_profile(kProfiles / "victron_ess.json");
  EXPECT_TRUE(v.capabilities.sticky_hold);
  EXPECT_TRUE(v.capabilities.voltage_limit);
  EXPECT_TRUE(v.capabilities.current_limit);
  EXPECT_TRUE(v.capabilities.battery_power_sign_known);
  ASSERT_NE(v.control_point(ControlRole::charge_voltage_limit_v), nullptr);
  EXPECT_EQ(*v.control_point(ControlRole::charge_voltage_limit_v)->address, 2710);
}

const std::string kStoragePoints =
    R"("M":{"address":1,"type":"u16","access":"rw"},"I":{"address":2,"type":"s16","access":"rw"},)"
    R"("O":{"address":3,"type":"s16","access":"rw"},"R":{"address":4,"type":"u16","access":"rw"},)"
    R"("C":{"address":5,"type":"u16"})";
std::string storage_control(int safe_revert_s, const std::string& extra = "") {
  return R"("style":"sunspec_storage","lease_s":30,"revert_timeout_s":120,"points":{)"
         R"("storage_mode":"M","charge_rate_pct":"I","discharge_rate_pct":"O",)"
         R"("revert_timeout_s":"R","rate_reference_w":"C"},"safe_state":[{"point":"R","value":)" +
         std::to_string(safe_revert_s) + R"(},{"point":"M","value":3}])" + extra;
}

TEST(ProfileCapabilities, StickyHoldMustBeBackedByTheSafeState) {
  // A safe state written with a revert timer expires: declaring it sticky is an error.
  const std::string declared = R"(,"capabilities":{"sticky_hold":true}})";
  auto with_caps = [&](int revert) {
    std::string t = make(kStoragePoints, storage_control(revert));
    t.pop_back();  // the closing brace of the document
    return t + declared;
  };
  const auto bad = issues_of(with_caps(120));
  EXPECT_NE(bad.find("/capabilities/sticky_hold: declared true but the profile lacks"),
            std::string::npos)
      << bad;
  EXPECT_EQ(issues_of(with_caps(0)), "");
}

TEST(ProfileCapabilities, DeclarationsAreCheckedAgainstThePoints) {
  std::string t = make(kStoragePoints, storage_control(0));
  t.pop_back();
  t += R"(,"capabilities":{"voltage_limit":true,"current_limit":true,)"
       R"("battery_power_sign_known":true,"power_limit":false}})";
  const auto e = issues_of(t);
  for (const char* key : {"voltage_limit", "current_limit", "battery_power_sign_known"})
    EXPECT_NE(e.find(std::string("/capabilities/") + key + ": declared true"), std::string::npos)
        << key << "\n"
        << e;
  EXPECT_NE(e.find("/capabilities/power_limit: declared false but the profile has"),
            std::string::npos)
      << e;
}

TEST(ProfileCapabilities, ReleaseWritesMustBeWritablePoints) {
  const auto e = issues_of(
      make(kStoragePoints,
           storage_control(0, R"(,"release":[{"point":"C","value":0},{"point":"Z","value":1}])")));
  EXPECT_NE(e.find("/control/release/0/point: point \"C\" is not writable"), std::string::npos)
      << e;
  EXPECT_NE(e.find("/control/release/1/point: names point \"Z\""), std::string::npos) << e;
}

// One table maps role names to roles, for reading a profile and for printing a role.
TEST(ProfileRoles, EveryRoleHasOneNameThatReadsBack) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(ControlRole::charge_voltage_limit_v); ++i) {
    const auto role = static_cast<ControlRole>(i);
    const std::string_view name = to_string(role);
    EXPECT_NE(name, "invalid") << i;
    EXPECT_EQ(control_role_named(name), role) << name;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  for (int i = 0; i <= static_cast<int>(ReadingRole::dc_load_power); ++i) {
    const auto role = static_cast<ReadingRole>(i);
    const std::string_view name = to_string(role);
    EXPECT_NE(name, "invalid") << i;
    EXPECT_EQ(reading_role_named(name), role) << name;
  }
  EXPECT_EQ(control_role_named("Setpoint"), std::nullopt);
  EXPECT_EQ(reading_role_named("grid"), std::nullopt);
  EXPECT_EQ(to_string(ControlRole::setpoint_fallback), "setpoint_fallback");
  EXPECT_EQ(to_string(ReadingRole::battery_power), "battery_power");
}

// Profiles in the field spell their points with these words: pinned, and each one reads.
TEST(ProfileNames, EveryPointWordReadsBack) {
  using Names = std::vector<std::string_view>;
  const auto names = [](const auto& table) {
    Names out;
    for (const auto& row : table) out.push_back(row.name);
    return out;
  };
  EXPECT_EQ(names(kRegisterFunctionNames), (Names{"holding", "input"}));
  EXPECT_EQ(names(registers::kWordOrderNames), (Names{"high_first", "low_first"}));
  EXPECT_EQ(names(kAccessNames), (Names{"r", "rw", "w"}));
  EXPECT_EQ(names(kSignConventionNames), (Names{"none", "charge_positive", "discharge_positive",
                                                "import_positive", "export_positive", "unknown"}));
  for (const auto& row : kSignConventionNames) EXPECT_EQ(to_string(row.value), row.name);

  const auto point = [](const std::string& key, std::string_view word) {
    const std::string text =
        make(R"("P":{"address":1,"type":"s32",")" + key + R"(":")" + std::string(word) + R"("})");
    return parse_profile(nlohmann::json::parse(text), "ok.json").points.at("P");
  };
  for (const auto& row : kRegisterFunctionNames)
    EXPECT_EQ(point("function", row.name).function, row.value) << row.name;
  for (const auto& row : registers::kWordOrderNames)
    EXPECT_EQ(point("word_order", row.name).word_order, row.value) << row.name;
  for (const auto& row : kAccessNames)
    EXPECT_EQ(point("access", row.name).access, row.value) << row.name;
  for (const auto& row : kSignConventionNames)
    EXPECT_EQ(point("sign", row.name).sign, row.value) << row.name;

  const auto refused = [](const std::string& key, const std::string& word) {
    return issues_of(make(R"("P":{"address":1,"type":"s32",")" + key + R"(":")" + word + R"("})"));
  };
  EXPECT_NE(refused("function", "coil").find("/points/P/function: must be one of holding, input"),
            std::string::npos);
  EXPECT_NE(refused("word_order", "little").find("/points/P/word_order: must be one of"),
            std::string::npos);
  EXPECT_NE(refused("access", "wr").find("/points/P/access: must be one of r, rw, w; got \"wr\""),
            std::string::npos);
  EXPECT_NE(refused("sign", "positive").find("/points/P/sign: must be one of"), std::string::npos);
}

TEST(ProfileNames, ControlStyleAndOperatingStateWordsReadBack) {
  using Names = std::vector<std::string_view>;
  Names styles;
  for (const auto& row : kControlStyleNames) {
    EXPECT_EQ(to_string(row.value), row.name);
    EXPECT_EQ(enum_from_name(kControlStyleNames, to_string(row.value)), row.value);
    styles.push_back(row.name);
  }
  EXPECT_EQ(styles, (Names{"none", "battery_setpoint", "sunspec_storage", "grid_setpoint",
                           "directional", "battery_window", "ac_setpoint"}));
  const auto e = issues_of(make(R"("P":{"address":1,"type":"u16"})", R"("style":"setpoint")"));
  EXPECT_NE(e.find("/control/style: must be one of none, battery_setpoint, sunspec_storage, "
                   "grid_setpoint, directional, battery_window, ac_setpoint; got \"setpoint\""),
            std::string::npos)
      << e;

  const auto with_state = [](std::string_view word) {
    return R"({"name":"x","points":{"A":{"address":1,"type":"u16"}},"operating_states":{"7":")" +
           std::string(word) + R"("}})";
  };
  for (const auto& row : core::kInverterOperatingNames) {
    const Profile p = parse_profile(nlohmann::json::parse(with_state(row.name)), "ok.json");
    EXPECT_EQ(p.operating_states.at(7), row.value) << row.name;
  }
  EXPECT_NE(issues_of(with_state("idle")).find("/operating_states/7: must be one of"),
            std::string::npos);
}

// A misspelt role is a configuration error at the role's key, naming the point it was given and
// every accepted name (docs/profiles.md).
TEST(ProfileErrors, AnUnknownControlRoleListsTheAcceptedNames) {
  const auto e =
      issues_of(make(R"("S":{"address":1,"type":"s16","access":"rw","sign":"charge_positive"})",
                     R"("style":"battery_setpoint","points":{"setpoint":"S","setpont":"S"},)"
                     R"("safe_state":[{"point":"S","value":0}])"));
  EXPECT_NE(e.find("/control/points/setpont: unknown control role \"setpont\" for point \"S\" "
                   "(accepted: setpoint, setpoint_fallback, readback, enable, storage_mode, "),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("charge_voltage_limit_v, direction, magnitude, battery_min_w, battery_max_w)"),
            std::string::npos)
      << e;
  // A known role the style does not take says which it takes.
  const auto other =
      issues_of(make(R"("S":{"address":1,"type":"s16","access":"rw","sign":"charge_positive"})",
                     R"("style":"battery_setpoint","points":{"setpoint":"S","storage_mode":"S"},)"
                     R"("safe_state":[{"point":"S","value":0}])"));
  EXPECT_NE(other.find("/control/points/storage_mode: control style battery_setpoint has no "
                       "point role \"storage_mode\" (it takes: setpoint, readback, enable)"),
            std::string::npos)
      << other;
}

TEST(ProfileErrors, AnUnknownReadingListsTheAcceptedNames) {
  const auto e = issues_of(
      R"({"name":"x","points":{"A":{"address":1,"type":"u16"}},"readings":{"grid":"A"}})");
  EXPECT_NE(e.find("/readings/grid: unknown reading \"grid\" (accepted: battery_power, "
                   "battery_current, battery_voltage, grid_power, ac_power, pv_power, "
                   "rated_power, operating, model, serial, dc_load_power)"),
            std::string::npos)
      << e;
}

TEST(ProfileErrors, ReadingNamesAnUndefinedPoint) {
  std::string s =
      R"({"name":"x","points":{"A":{"address":1,"type":"u16"}},"readings":{"battery_power":"Z"}})";
  const auto e = issues_of(s);
  EXPECT_NE(e.find("/readings/battery_power: names point \"Z\""), std::string::npos) << e;
}

// Where a reading is measured: the object form names the points and may say the battery power
// includes DC loads; anywhere else, or in a malformed object, that is an error naming the spot.
TEST(Profile, AReadingMaySayItIncludesDcLoads) {
  const std::string points =
      R"("P":{"address":1,"type":"s16","unit":"W","sign":"charge_positive"},)"
      R"("Q":{"address":2,"type":"s16","unit":"W","sign":"charge_positive"})";
  const auto with = [&](const std::string& readings) {
    std::string s = make(points);
    s.insert(s.size() - 1, R"(,"readings":)" + readings);
    return s;
  };
  const Profile p = parse_profile(
      nlohmann::json::parse(with(
          R"({"battery_power":{"points":["P","Q"],"includes_dc_loads":true},"ac_power":{"sum":["P","Q"]}})")),
      "ok.json");
  EXPECT_TRUE(p.readings.at(ReadingRole::battery_power).includes_dc_loads);
  EXPECT_EQ(p.readings.at(ReadingRole::battery_power).combine, Reading::Combine::first);
  EXPECT_EQ(p.readings.at(ReadingRole::battery_power).points, (std::vector<std::string>{"P", "Q"}));
  EXPECT_FALSE(p.readings.at(ReadingRole::ac_power).includes_dc_loads);
  EXPECT_EQ(p.readings.at(ReadingRole::ac_power).combine, Reading::Combine::sum);

  auto e = issues_of(with(R"({"grid_power":{"points":"P","includes_dc_loads":true}})"));
  EXPECT_NE(e.find("/readings/grid_power/includes_dc_loads: applies to the battery_power"),
            std::string::npos)
      << e;
  e = issues_of(with(R"({"battery_power":{"points":"P","includes_dc_loads":"yes"}})"));
  EXPECT_NE(e.find("/readings/battery_power/includes_dc_loads"), std::string::npos) << e;
  e = issues_of(with(R"({"battery_power":{"points":"P","sum":["Q"]}})"));
  EXPECT_NE(e.find("/readings/battery_power: needs exactly one of"), std::string::npos) << e;
  e = issues_of(with(R"({"battery_power":{"points":"P","included_dc_loads":true}})"));
  EXPECT_NE(e.find("/readings/battery_power/included_dc_loads"), std::string::npos) << e;
  e = issues_of(with(R"({"battery_power":{"points":["Z"]}})"));
  EXPECT_NE(e.find("/readings/battery_power/points/0: names point \"Z\""), std::string::npos) << e;
  e = issues_of(with(R"({"battery_power":{"sum":"P"}})"));
  EXPECT_NE(e.find("/readings/battery_power/sum: must be a list"), std::string::npos) << e;
}

// Keys are the point's raw value: an optional '-' and decimal digits, nothing else.
TEST(ProfileErrors, OperatingStateKeysAreStrictIntegers) {
  const std::string points = R"({"A":{"address":1,"type":"s16"}})";
  for (const std::string good : {"0", "7", "-1", "65535"}) {
    const auto e = issues_of(R"({"name":"x","points":)" + points + R"(,"operating_states":{")" +
                             good + R"(":"running"}})");
    EXPECT_EQ(e.find("/operating_states/"), std::string::npos) << good << "\n" << e;
  }
  for (const std::string bad :
       {"+1", " 1", "1 ", "1.0", "0x10", "", "one", "99999999999999999999"}) {
    const auto e = issues_of(R"({"name":"x","points":)" + points + R"(,"operating_states":{")" +
                             bad + R"(":"running"}})");
    EXPECT_NE(e.find("key must be the raw integer value of the point"), std::string::npos)
        << '"' << bad << "\"\n"
        << e;
  }
}

TEST(ProfileErrors, FileErrorsNameTheFile) {
  try {
    (void)load_profile("/nonexistent/p.json");
    FAIL();
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.source(), "/nonexistent/p.json");
  }
}

// A profile is read again on every reload: a FIFO in its place must be refused, not waited on
// (the reload, and the stop after it, would wait for a writer for ever).
TEST(ProfileErrors, AFifoInTheProfilesPlaceIsRefusedWithoutWaiting) {
  const auto fifo = std::filesystem::temp_directory_path() /
                    ("bessd-profile-fifo-" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    (void)load_profile(fifo);
    ADD_FAILURE() << "expected ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.source(), fifo.string());
    ASSERT_EQ(e.issues().size(), 1U);
    EXPECT_NE(e.issues()[0].message.find("cannot read the profile: not a regular file"),
              std::string::npos)
        << e.issues()[0].message;
  }
  std::filesystem::remove(fifo);
}

TEST(ProfileText, CommentsAllowedAndSyntaxErrorsNameTheSource) {
  const Profile p = parse_profile_text(R"(// a read-only profile
    {"name": "x", /* one point */ "points": {"A": {"address": 1, "type": "u16"}}})",
                                       "inline.json");
  EXPECT_EQ(p.source, "inline.json");
  EXPECT_NE(p.point("A"), nullptr);
  try {
    (void)parse_profile_text(R"({"name": "x",)", "inline.json");
    FAIL();
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.source(), "inline.json");
    ASSERT_EQ(e.issues().size(), 1U);
    EXPECT_NE(e.issues()[0].message.find("invalid JSON"), std::string::npos);
  }
}

// A number beyond a double threw nlohmann's out_of_range instead of a ConfigError.
TEST(ProfileText, NumberTooLargeForADoubleIsAConfigError) {
  try {
    (void)parse_profile_text(R"({"name": "x", "points": {"A": {"address": 1, "type": "u16",
                                 "scale": -1e999}}})",
                             "inline.json");
    FAIL();
  } catch (const config::ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 1U);
    EXPECT_NE(e.issues()[0].message.find("number overflow"), std::string::npos);
  }
}

}  // namespace
}  // namespace bessd::inverter

namespace bessd::inverter {
namespace {

// docs/profiles.md "Points", write_function.
TEST(Profile, WriteFunctionFc06TakesOneWritableRegister) {
  EXPECT_EQ(
      issues_of(make(R"("P":{"address":1,"type":"u16","access":"rw","write_function":"fc06"})")),
      "");
  EXPECT_NE(
      issues_of(make(R"("P":{"address":1,"type":"s32","access":"rw","write_function":"fc06"})"))
          .find("/points/P/write_function: fc06 writes one register"),
      std::string::npos);
  EXPECT_NE(issues_of(make(R"("P":{"address":1,"type":"u16","write_function":"fc06"})"))
                .find("/points/P/write_function"),
            std::string::npos)
      << "a read-only point is never written";
  EXPECT_NE(
      issues_of(make(R"("P":{"address":1,"type":"u16","access":"rw","write_function":"fc05"})"))
          .find("must be one of fc16, fc06"),
      std::string::npos);
}

}  // namespace
}  // namespace bessd::inverter
