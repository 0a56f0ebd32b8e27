// The stateful PylontechHv protocol: folding a pack's answers into a PackState, one pack
// followed, and what it transmits in each bus role.
#include <bessd/bms/protocols/pylontech_hv.hpp>

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

namespace bessd::bms::pylontech_hv {
namespace {

using core::BmsCondition;
using core::FlagState;

can::CanFrame pack_frame(std::uint32_t id, std::initializer_list<std::uint8_t> bytes) {
  const std::vector<std::uint8_t> b(bytes);
  return can::make_extended_frame(id, b);
}

class PylontechHvTest : public ::testing::Test {
 protected:
  DecodeOutcome feed(const can::CanFrame& f) { return proto.apply(f, at, state); }
  PylontechHv proto;
  core::PackState state;
  TimePoint at{std::chrono::seconds{10}};
};

TEST_F(PylontechHvTest, AnAnswerBurstFillsThePackState) {
  const auto ensemble = feed(pack_frame(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));
  EXPECT_EQ(ensemble.kind, DecodeOutcome::Kind::applied);
  EXPECT_EQ(ensemble.part, PackPart::measurements);
  EXPECT_EQ(ensemble.also, PackPart::charge);
  EXPECT_EQ(feed(pack_frame(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77})).part,
            PackPart::limits);
  EXPECT_EQ(feed(pack_frame(0x4230, {0xE4, 0x0C, 0xDF, 0x0C, 0x0E, 0x00, 0x08, 0x00})).part,
            PackPart::cells);
  EXPECT_EQ(feed(pack_frame(0x4240, {0xA6, 0x04, 0x88, 0x04, 0x03, 0x00, 0x19, 0x00})).part,
            PackPart::cells);
  const auto status = feed(pack_frame(0x4250, {0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(status.part, PackPart::flags);
  EXPECT_EQ(status.also, PackPart::requests);
  EXPECT_EQ(feed(pack_frame(0x4280, {0x00, 0x00})).part, PackPart::requests);
  EXPECT_EQ(feed(pack_frame(0x7320, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x32, 0x00})).part,
            PackPart::identity);
  feed(pack_frame(0x7330, {'P', 'Y', 'L', 'O', 'N', ' ', ' ', ' '}));
  feed(pack_frame(0x7310, {0x01, 0x00, 0x01, 0x00, 0x02, 0x05, 0x00, 0x00}));

  EXPECT_DOUBLE_EQ(*state.voltage_v, 211.1);
  EXPECT_NEAR(*state.current_a, 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(*state.soc_pct, 24);
  EXPECT_DOUBLE_EQ(*state.soh_pct, 100);
  EXPECT_EQ(state.measured_at, at);
  EXPECT_EQ(state.charge_at, at);
  EXPECT_DOUBLE_EQ(*state.limits.charge_voltage_limit_v, 234.9);
  EXPECT_DOUBLE_EQ(*state.limits.discharge_voltage_limit_v, 179.2);
  EXPECT_NEAR(*state.limits.charge_current_limit_a, 50.0, 1e-9);
  EXPECT_NEAR(*state.limits.discharge_current_limit_a, 50.0, 1e-9);
  EXPECT_DOUBLE_EQ(*state.cell_voltage_max_v, 3.300);
  EXPECT_DOUBLE_EQ(*state.cell_temperature_min_c, 16.0);
  EXPECT_EQ(state.requests.charge_enable, true);
  EXPECT_EQ(state.requests.discharge_enable, true);
  EXPECT_EQ(state.requests.force_charge, false);
  EXPECT_FALSE(state.protections.any_active());
  EXPECT_EQ(state.protections.get(BmsCondition::cell_over_voltage), FlagState::ok);
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 50);
  EXPECT_EQ(state.modules.total, 3);
  EXPECT_EQ(state.manufacturer, "PYLON");
  EXPECT_EQ(state.firmware, "2.5");
  EXPECT_EQ(proto.address(), 0);
}

TEST_F(PylontechHvTest, ForbiddenMarksWithdrawEachDirectionAlone) {
  feed(pack_frame(0x4280, {0xAA, 0x00}));
  EXPECT_EQ(state.requests.charge_enable, false);
  EXPECT_EQ(state.requests.discharge_enable, true);
  feed(pack_frame(0x4280, {0x00, 0xAA}));
  EXPECT_EQ(state.requests.charge_enable, true);
  EXPECT_EQ(state.requests.discharge_enable, false);
}

TEST_F(PylontechHvTest, AProtectionAndAForceChargeRequestReachThePackState) {
  feed(pack_frame(0x4250, {0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00}));  // discharging, force
  EXPECT_EQ(state.protections.get(BmsCondition::cell_under_voltage), FlagState::active);
  EXPECT_EQ(state.requests.force_charge, true);
  EXPECT_EQ(state.flags_at, at);
  // A fault in 0x4290 stays a protection when 0x4250 clears.
  feed(pack_frame(0x4290, {0x02}));
  feed(pack_frame(0x4250, {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(state.protections.get(BmsCondition::unknown), FlagState::active);
  EXPECT_EQ(state.protections.get(BmsCondition::cell_under_voltage), FlagState::ok);
  feed(pack_frame(0x4290, {0x00}));
  EXPECT_FALSE(state.protections.any_active());
}

TEST_F(PylontechHvTest, OnePackIsFollowedAndAnotherAddressIsRejectedWithItsReason) {
  feed(pack_frame(0x4212, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));
  EXPECT_EQ(proto.address(), 2);
  const auto before = state;
  const auto other = feed(pack_frame(0x4210, {0x00, 0x09, 0x30, 0x75, 0x92, 0x04, 0x50, 0x64}));
  EXPECT_EQ(other.kind, DecodeOutcome::Kind::rejected);
  EXPECT_NE(other.reason.find("address 0"), std::string::npos) << other.reason;
  EXPECT_NE(other.reason.find("bms.address"), std::string::npos) << other.reason;
  EXPECT_EQ(state, before);
}

TEST(PylontechHv, AConfiguredAddressIsTheOnlyOneRead) {
  PylontechHv proto({false, BusRole::listen_only, 1});
  core::PackState state;
  const TimePoint at{std::chrono::seconds{1}};
  EXPECT_EQ(
      proto.apply(pack_frame(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}), at, state)
          .kind,
      DecodeOutcome::Kind::rejected);
  EXPECT_FALSE(state.voltage_v);
  EXPECT_EQ(
      proto.apply(pack_frame(0x4211, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}), at, state)
          .kind,
      DecodeOutcome::Kind::applied);
  EXPECT_TRUE(state.voltage_v);
}

TEST_F(PylontechHvTest, TheInvertersRequestsAreSeenButChangeNothing) {
  const auto before = state;
  EXPECT_EQ(feed(pack_frame(0x4200, {0x00, 0, 0, 0, 0, 0, 0, 0xE8})).kind,
            DecodeOutcome::Kind::ignored);
  EXPECT_EQ(feed(pack_frame(0x8200, {0xAA, 0, 0, 0, 0, 0, 0, 0})).kind,
            DecodeOutcome::Kind::ignored);
  EXPECT_EQ(feed(pack_frame(0x8210, {0xAA, 0x00, 0, 0, 0, 0, 0, 0})).kind,
            DecodeOutcome::Kind::ignored);
  EXPECT_EQ(state, before);
  EXPECT_FALSE(proto.address());
}

TEST_F(PylontechHvTest, AMalformedAnswerLeavesTheStateAsItWas) {
  feed(pack_frame(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));
  const auto before = state;
  const auto out = feed(pack_frame(0x4210, {0x3F, 0x08, 0x30}));
  EXPECT_EQ(out.kind, DecodeOutcome::Kind::rejected);
  EXPECT_NE(out.reason.find("pylontech_hv 0x4210"), std::string::npos) << out.reason;
  EXPECT_EQ(state, before);
}

TEST(PylontechHv, ListenOnlyNeverTransmits) {
  PylontechHv proto({false, BusRole::listen_only, std::nullopt});
  EXPECT_TRUE(proto.keepalive_frames().empty());
}

TEST(PylontechHv, TheActiveMasterPollsWakesAndAsksForTheRelay) {
  PylontechHv proto({false, BusRole::active, std::nullopt});
  const auto frames = proto.keepalive_frames();
  ASSERT_EQ(frames.size(), 4u);
  for (const auto& f : frames) EXPECT_TRUE(f.extended) << can::to_string(f);
  EXPECT_EQ(can::to_string(frames[0]), "00004200#0000000000000000");
  EXPECT_EQ(can::to_string(frames[1]), "00004200#0200000000000000");
  EXPECT_EQ(can::to_string(frames[2]), "00008200#AA00000000000000");
  EXPECT_EQ(can::to_string(frames[3]), "00008210#AAAA000000000000");
}

TEST(PylontechHv, FiltersPassEveryAddressAndNo11BitFrame) {
  PylontechHv proto;
  const auto filters = proto.filters();
  const auto passes = [&](const can::CanFrame& f) {
    for (const auto& flt : filters)
      if (can::matches(flt, f)) return true;
    return false;
  };
  EXPECT_TRUE(passes(pack_frame(0x4210, {0})));
  EXPECT_TRUE(passes(pack_frame(0x421F, {0})));
  EXPECT_TRUE(passes(pack_frame(0x7340, {0})));
  EXPECT_FALSE(passes(pack_frame(0x3010, {0})));
  EXPECT_FALSE(passes(can::make_frame(0x351, {0})));
}

TEST_F(PylontechHvTest, ResetForgetsTheFlagsNamesAndLearntAddress) {
  feed(pack_frame(0x4213, {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00}));
  feed(pack_frame(0x4253, {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00}));
  EXPECT_EQ(proto.address(), 3);
  proto.reset();
  EXPECT_FALSE(proto.address());
  core::PackState fresh;
  proto.apply(pack_frame(0x4250, {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}), at, fresh);
  EXPECT_FALSE(fresh.protections.any_active());
  EXPECT_EQ(proto.address(), 0);
}

}  // namespace
}  // namespace bessd::bms::pylontech_hv
