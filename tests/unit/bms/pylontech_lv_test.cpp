// The stateful PylontechLv protocol: folding frames into a PackState.
#include <bessd/bms/protocols/pylontech_lv.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

namespace bessd::bms::pylontech {
namespace {

using can::make_frame;
using core::BmsCondition;
using core::FlagState;

class PylontechLvTest : public ::testing::Test {
 protected:
  DecodeOutcome feed(const can::CanFrame& f) { return proto.apply(f, at, state); }
  PylontechLv proto;
  core::PackState state;
  TimePoint at{std::chrono::seconds{10}};
};

TEST_F(PylontechLvTest, V12CaptureFillsThePackState) {
  EXPECT_EQ(feed(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01})).part,
            PackPart::limits);
  EXPECT_EQ(feed(make_frame(0x355, {0x58, 0x00, 0x5E, 0x00})).part, PackPart::charge);
  EXPECT_EQ(feed(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01})).part,
            PackPart::measurements);
  EXPECT_EQ(feed(make_frame(0x359, {0, 0, 0, 0, 6, 0x50, 0x4E})).part, PackPart::flags);
  EXPECT_EQ(feed(make_frame(0x35C, {0xC0, 0x00})).part, PackPart::requests);
  EXPECT_EQ(feed(make_frame(0x35E, {0x50, 0x59, 0x4C, 0x4F, 0x4E, 0x20, 0x20, 0x20})).part,
            PackPart::identity);

  EXPECT_DOUBLE_EQ(*state.limits.charge_voltage_limit_v, 53.2);
  EXPECT_DOUBLE_EQ(*state.limits.discharge_current_limit_a, 480.0);
  EXPECT_DOUBLE_EQ(*state.soc_pct, 88);
  EXPECT_NEAR(*state.current_a, -27.0, 1e-9);
  EXPECT_NEAR(*state.power_w(), 49.86 * -27.0, 1e-6);
  EXPECT_EQ(*state.modules.total, 6);
  EXPECT_TRUE(*state.requests.charge_enable);
  EXPECT_TRUE(*state.requests.discharge_enable);
  EXPECT_FALSE(*state.requests.force_charge);
  EXPECT_EQ(state.manufacturer, "PYLON");
  EXPECT_EQ(state.protections.get(BmsCondition::cell_over_voltage), FlagState::ok);
  EXPECT_EQ(state.protections.get(BmsCondition::contactor), FlagState::not_reported);
  EXPECT_EQ(state.limits_at, at);
  EXPECT_EQ(state.measured_at, at);
  EXPECT_EQ(state.flags_at, at);
  EXPECT_FALSE(state.cells_at);
}

TEST_F(PylontechLvTest, V13CaptureReportsNoAlarmDataNotOk) {
  feed(make_frame(0x355, {0x54, 0x00, 0x60, 0x00, 0x00, 0x00}));
  feed(make_frame(0x35A, {0, 0, 0, 0, 0, 0, 0, 0}));
  feed(make_frame(0x35F, {0x4C, 0x49, 0x01, 0x03, 0x3C, 0x02, 0xAA, 0x00}));
  EXPECT_DOUBLE_EQ(*state.soc_pct, 84);
  EXPECT_DOUBLE_EQ(*state.soh_pct, 96);
  EXPECT_FALSE(state.protections.any_reported());
  EXPECT_FALSE(state.warnings.any_reported());
  EXPECT_FALSE(state.requests.charge_enable.has_value());  // no 0x35C on V1.3
  EXPECT_EQ(state.firmware, "1.3");
  // 0x35F bytes 4-5 are the available capacity: a genuine V1.3 pack reports no nameplate.
  EXPECT_DOUBLE_EQ(*state.available_capacity_ah, 572);
  EXPECT_FALSE(state.capacity_ah);
}

TEST_F(PylontechLvTest, HiResSocPreferredWhenPopulated) {
  feed(make_frame(0x355, {0x54, 0x00, 0x60, 0x00, 0xE1, 0x20}));
  EXPECT_NEAR(*state.soc_pct, 84.17, 1e-9);
}

TEST_F(PylontechLvTest, AllZero35ADoesNotHideA359Alarm) {
  feed(make_frame(0x359, {0x02, 0, 0, 0, 6, 'P', 'N'}));
  feed(make_frame(0x35A, {0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(state.protections.get(BmsCondition::cell_over_voltage), FlagState::active);
  // An active 0x35A item wins over an ok 0x359 item.
  feed(make_frame(0x359, {0, 0, 0, 0, 6, 'P', 'N'}));
  feed(make_frame(0x35A, {0x10, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(state.protections.get(BmsCondition::cell_over_voltage), FlagState::ok);
  EXPECT_EQ(state.protections.get(BmsCondition::cell_under_voltage), FlagState::active);
  // And the alarm clears when the next 0x35A says so.
  feed(make_frame(0x35A, {0x20, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(state.protections.any_active());
}

TEST_F(PylontechLvTest, UnknownBitIn359IsAnUnknownProtection) {
  feed(make_frame(0x359, {0, 0x80, 0, 0, 6, 'P', 'N'}));
  EXPECT_EQ(state.protections.get(BmsCondition::unknown), FlagState::active);
  EXPECT_TRUE(state.protections.any_active());
}

TEST_F(PylontechLvTest, RejectedFrameLeavesStateUntouched) {
  feed(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
  const auto before = state;
  auto out = feed(make_frame(0x356, {0x7A, 0x13}));
  EXPECT_EQ(out.kind, DecodeOutcome::Kind::rejected);
  EXPECT_EQ(out.reason, "pylontech_lv 0x356: DLC 2, need at least 6");
  EXPECT_EQ(state, before);
}

TEST_F(PylontechLvTest, UnknownIdIgnored) {
  const auto before = state;
  EXPECT_EQ(feed(make_frame(0x305, {0, 0, 0, 0, 0, 0, 0, 0})).kind, DecodeOutcome::Kind::ignored);
  EXPECT_EQ(feed(make_frame(0x4210, {})).kind, DecodeOutcome::Kind::ignored);
  EXPECT_EQ(state, before);
}

TEST_F(PylontechLvTest, NameFromTwoPartsAndCapacityPreference) {
  feed(make_frame(0x370, {'P', 'Y', 'L', 'O', 'N', 'T', 'E', 'C'}));
  feed(make_frame(0x371, {'H', ' ', 'U', 'S', '5', ' ', ' ', ' '}));
  EXPECT_EQ(state.bms_name, "PYLONTECH US5");
  feed(make_frame(0x370, {'J', 'B', 'D', ' ', ' ', ' ', ' ', ' '}));
  feed(make_frame(0x371, {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}));
  EXPECT_EQ(state.bms_name, "JBD");
  feed(make_frame(0x35F, {'L', 'I', 1, 3, 0, 0}));  // capacity not populated
  EXPECT_FALSE(state.capacity_ah);
  EXPECT_FALSE(state.available_capacity_ah);
  feed(make_frame(0x379, {0x2C, 0x01}));
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 300);
  feed(make_frame(0x35F, {'L', 'I', 1, 3, 0x3C, 0x02}));
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 300);  // 0x379 (installed) only
  EXPECT_DOUBLE_EQ(*state.available_capacity_ah, 572);
}

// BYD Battery-Box on the Victron protocol: 0x379 = 156 Ah installed, 0x35F = 105 Ah available at
// 67 % SOC. The available capacity follows the SOC and must never become the nameplate.
TEST_F(PylontechLvTest, AvailableCapacityIsNotTheNameplate) {
  feed(make_frame(0x35F, {'L', 'I', 1, 0, 105, 0}));
  EXPECT_FALSE(state.capacity_ah);
  EXPECT_DOUBLE_EQ(*state.available_capacity_ah, 105);
  feed(make_frame(0x379, {156, 0}));
  feed(make_frame(0x35F, {'L', 'I', 1, 0, 110, 0}));
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 156);
  EXPECT_DOUBLE_EQ(*state.available_capacity_ah, 110);
}

// 0 and 0xFFFF in 0x379 mean "not reported" (the usual not-available value of a 16-bit signal):
// neither becomes a capacity, and a present-but-zero 0x379 hides nothing.
TEST_F(PylontechLvTest, CapacityZeroOrAllOnesIsNotReported) {
  feed(make_frame(0x379, {0xFF, 0xFF}));
  EXPECT_FALSE(state.capacity_ah);
  feed(make_frame(0x379, {0xBC, 0x00}));
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 188);
  feed(make_frame(0x379, {0xFF, 0xFF}));
  EXPECT_FALSE(state.capacity_ah);
  feed(make_frame(0x379, {0x00, 0x00}));
  feed(make_frame(0x35F, {'L', 'I', 1, 0, 0x3C, 0x02}));
  EXPECT_FALSE(state.capacity_ah);
  EXPECT_DOUBLE_EQ(*state.available_capacity_ah, 572);
  feed(make_frame(0x35F, {'L', 'I', 1, 0, 0xFF, 0xFF}));
  EXPECT_FALSE(state.available_capacity_ah);
}

TEST_F(PylontechLvTest, InvertCurrentOption) {
  PylontechLv inverted(PylontechLvOptions{true, false});
  inverted.apply(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}), at, state);
  EXPECT_NEAR(*state.current_a, 27.0, 1e-9);
}

TEST_F(PylontechLvTest, KeepAliveFramesAndFilters) {
  auto frames = proto.keepalive_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(can::to_string(frames[0]), "305#0000000000000000");
  PylontechLv with_ident(PylontechLvOptions{false, true});
  EXPECT_EQ(with_ident.keepalive_frames().size(), 2U);
  const auto filters = proto.filters();
  for (std::uint32_t id : {0x351U, 0x355U, 0x356U, 0x359U, 0x35AU, 0x35CU, 0x35EU, 0x35FU, 0x370U,
                           0x371U, 0x372U, 0x373U, 0x378U, 0x379U}) {
    bool any = false;
    for (const auto& f : filters) any = any || can::matches(f, make_frame(id, {}));
    EXPECT_TRUE(any) << std::hex << id;
  }
}

TEST_F(PylontechLvTest, ResetForgetsFlagSources) {
  feed(make_frame(0x359, {0x02, 0, 0, 0, 6, 'P', 'N'}));
  proto.reset();
  feed(make_frame(0x35A, {0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(state.protections.any_reported());
}

// A name once written (a log line, a message) must keep meaning its value: the words are pinned.
TEST(PackPartNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kPackPartNames),
            (std::vector<std::string_view>{"measurements", "limits", "charge", "flags", "requests",
                                           "cells", "modules", "identity", "energy"}));
  EXPECT_EQ(enum_from_name(kPackPartNames, "limit"), std::nullopt);
  EXPECT_EQ(enum_from_name(kPackPartNames, "Cells"), std::nullopt);
}

}  // namespace
}  // namespace bessd::bms::pylontech
