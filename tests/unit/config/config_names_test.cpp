// The configuration's words are in every site's file: each enum's names are pinned here, the
// reader accepts every one of them, and to_string gives back the word that was read.

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/config/battery_config.hpp>
#include <bessd/config/bms_config.hpp>
#include <bessd/config/control_config.hpp>
#include <bessd/config/inverter_config.hpp>
#include <bessd/config/json_reader.hpp>
#include <bessd/config/logging_config.hpp>
#include <bessd/config/modbus_link_config.hpp>
#include <bessd/config/schedule_config.hpp>
#include <bessd/config/site_config.hpp>

namespace bessd::config {
namespace {

using Names = std::vector<std::string_view>;

/// Reads every name of the table through ObjectReader::enumeration and writes it back.
template <typename E, std::size_t N>
Names read_back(const std::array<EnumName<E>, N>& table) {
  Names out;
  for (const auto& row : table) {
    const Json object{{"key", std::string(row.name)}};
    IssueList issues;
    ObjectReader in(&object, "", issues);
    E value{};
    EXPECT_TRUE(in.enumeration("key", value, table)) << row.name;
    EXPECT_EQ(value, row.value) << row.name;
    EXPECT_TRUE(issues.empty()) << row.name;
    out.push_back(enum_name(table, value));
  }
  return out;
}

TEST(ConfigNames, EveryNameReadsAndWritesBack) {
  EXPECT_EQ(read_back(kOperatingModeNames),
            (Names{"idle", "manual", "self_consumption", "schedule"}));
  EXPECT_EQ(read_back(kOnStopNames), (Names{"hold", "release"}));
  EXPECT_EQ(read_back(kModbusTransportNames), (Names{"tcp", "rtu"}));
  EXPECT_EQ(read_back(kParityNames), (Names{"none", "even", "odd"}));
  EXPECT_EQ(read_back(kLogLevelNames),
            (Names{"trace", "debug", "info", "warn", "error", "critical", "off"}));
  EXPECT_EQ(read_back(kLogFormatNames), (Names{"auto", "plain", "journal"}));
  EXPECT_EQ(read_back(kScheduleActionKindNames),
            (Names{"charge", "hold", "discharge", "self_consumption", "idle"}));
  EXPECT_EQ(read_back(kBmsTransportNames), (Names{"socketcan", "slcan"}));
  EXPECT_EQ(read_back(kBmsProtocolNames), (Names{"pylontech_lv", "pylontech_hv", "byd_hvs"}));
  EXPECT_EQ(read_back(kBmsBusRoleNames), (Names{"active", "listen_only"}));
  EXPECT_EQ(read_back(kChemistryNames), (Names{"LFP", "NMC", "NCA", "LiPo", "LiHV"}));
  EXPECT_EQ(read_back(kDetectionTypeNames), (Names{"heat", "smoke", "multi"}));
  EXPECT_EQ(
      read_back(kSiteLocationNames),
      (Names{"outdoor_wall", "outdoor_ground", "outbuilding_detached", "garage_integral",
             "utility_room", "plant_room", "habitable_room", "bedroom", "cupboard_into_bedroom",
             "escape_route", "protected_escape_route", "firefighting_shaft", "under_stairs", "loft",
             "roof_space", "void", "cellar", "bathroom"}));
}

TEST(ConfigNames, ToStringIsTheTablesName) {
  for (const auto& row : kOperatingModeNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kOnStopNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kModbusTransportNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kParityNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kLogLevelNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kScheduleActionKindNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kBmsTransportNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kBmsProtocolNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kBmsBusRoleNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kChemistryNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kDetectionTypeNames) EXPECT_EQ(to_string(row.value), row.name);
  for (const auto& row : kSiteLocationNames) EXPECT_EQ(to_string(row.value), row.name);
}

TEST(ConfigNames, AnUnknownWordListsTheNamesInTableOrder) {
  const Json object{{"parity", "mark"}};
  IssueList issues;
  ObjectReader in(&object, "", issues);
  Parity parity{Parity::none};
  EXPECT_FALSE(in.enumeration("parity", parity, kParityNames));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues.items()[0].message, "must be one of none, even, odd; got \"mark\"");
}

}  // namespace
}  // namespace bessd::config
