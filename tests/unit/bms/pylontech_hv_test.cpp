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
  EXPECT_EQ(proto.packs(), std::vector<std::uint8_t>{0});
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

// Two packs answering: the reference pack (the lowest address that answers the ensemble poll)
// gives the readings and nameplate; nothing is summed (an emitter answering at two addresses
// must not count one pack twice); every pack's protections, forbidden marks, lower limits and
// worst cell count.
TEST_F(PylontechHvTest, OneBatteryIsReadAndTheWorstOfEveryPackCounts) {
  feed(pack_frame(0x4212, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));  // 0 A, 24 %
  feed(pack_frame(0x4222, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));  // 50 A, 50 A
  feed(pack_frame(0x4252, {0x03, 0, 0, 0, 0, 0, 0, 0}));
  feed(pack_frame(0x7322, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x32, 0x00}));  // 50 Ah
  EXPECT_DOUBLE_EQ(*state.soc_pct, 24);
  // Address 0: 212.0 V, +12 A (30120), 80 %, SOH 97, 100 Ah: now the reference.
  feed(pack_frame(0x4210, {0x48, 0x08, 0xA8, 0x75, 0x92, 0x04, 80, 97}));
  feed(pack_frame(0x7320, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x64, 0x00}));
  EXPECT_EQ(proto.packs(), (std::vector<std::uint8_t>{0, 2}));
  EXPECT_DOUBLE_EQ(*state.voltage_v, 212.0);
  EXPECT_NEAR(*state.current_a, 12.0, 1e-9);
  EXPECT_DOUBLE_EQ(*state.soc_pct, 80);
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 100);
  EXPECT_EQ(state.modules.total, 3);
  // Address 0's protection, forbidden mark, lower limit and cold cell count for the battery.
  EXPECT_EQ(feed(pack_frame(0x4250, {0x03, 0, 0, 0, 0, 0, 0x01, 0x00})).kind,
            DecodeOutcome::Kind::applied);
  EXPECT_EQ(state.protections.get(BmsCondition::cell_under_voltage), FlagState::active);
  feed(pack_frame(0x4280, {0xAA, 0x00}));
  EXPECT_EQ(state.requests.charge_enable, false);
  EXPECT_EQ(state.requests.discharge_enable, true);
  feed(pack_frame(0x4220, {0x1C, 0x09, 0x10, 0x07, 0xB8, 0x75, 0x24, 0x77}));  // 13.6 A charge
  EXPECT_NEAR(*state.limits.charge_current_limit_a, 13.6, 1e-9);
  EXPECT_NEAR(*state.limits.discharge_current_limit_a, 50.0, 1e-9);
  EXPECT_NEAR(*state.limits.charge_voltage_limit_v, 233.2, 1e-9);
  EXPECT_NEAR(*state.limits.discharge_voltage_limit_v, 180.8, 1e-9);
  feed(pack_frame(0x4242, {0xA6, 0x04, 0x88, 0x04, 0x03, 0x00, 0x19, 0x00}));  // 19.0, 16.0
  feed(pack_frame(0x4240, {0x4C, 0x04, 0x06, 0x04, 0x01, 0x00, 0x02, 0x00}));  // 10.0, 3.0
  EXPECT_DOUBLE_EQ(*state.cell_temperature_max_c, 19.0);
  EXPECT_NEAR(*state.cell_temperature_min_c, 3.0, 1e-9);
  // Clearing it at address 0 clears it on the bus.
  feed(pack_frame(0x4250, {0x03, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(state.protections.any_active());
}

// The same pack answering at two addresses (an emitter's "send at address 0 and 1"): the
// battery is read once, never doubled.
TEST_F(PylontechHvTest, APackAnsweringAtTwoAddressesIsNotCountedTwice) {
  for (std::uint32_t base : {0x4210u, 0x4211u}) {
    feed(pack_frame(base, {0x3F, 0x08, 0xA8, 0x75, 0x92, 0x04, 0x18, 0x64}));  // +12 A
    feed(pack_frame(base + 0x10, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));
    feed(pack_frame(base + 0x3110, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x32, 0x00}));
  }
  EXPECT_NEAR(*state.current_a, 12.0, 1e-9);
  EXPECT_NEAR(*state.limits.charge_current_limit_a, 50.0, 1e-9);
  EXPECT_DOUBLE_EQ(*state.capacity_ah, 50);
}

// A controller heard only on the system frames (0x73xx) does not become the reference and holds
// nothing back; a pack that stops sending cell frames holds back only the cells it sent.
TEST_F(PylontechHvTest, APackHeardOnlyOnTheSystemFramesHoldsNothingBack) {
  feed(pack_frame(0x7320, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x32, 0x00}));
  feed(pack_frame(0x4213, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));
  feed(pack_frame(0x4223, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));
  feed(pack_frame(0x4253, {0x03, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(*state.voltage_v, 211.1);
  EXPECT_EQ(state.measured_at, at);
  EXPECT_EQ(state.limits_at, at);
  EXPECT_EQ(state.flags_at, at);
}

// A pack whose 0x4220 never decodes (or never comes) is not left out: the limits are dated from
// its first answer, so they go stale.
TEST_F(PylontechHvTest, APackWithoutValidLimitsHoldsTheLimitsBack) {
  const TimePoint first = at;
  feed(pack_frame(0x4211, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));
  at += std::chrono::seconds{4};
  feed(pack_frame(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));
  EXPECT_EQ(feed(pack_frame(0x4221, {0x2D, 0x09, 0x00, 0x07, 0x00, 0x70, 0x24, 0x77})).kind,
            DecodeOutcome::Kind::rejected);
  EXPECT_EQ(state.limits_at, first);
  EXPECT_NEAR(*state.limits.charge_current_limit_a, 50.0, 1e-9);  // one pack's limits so far
}

// Each frame keeps its own time: a pack whose 0x4280 stops (or is refused) makes the flags as
// old as that last 0x4280, however fresh its 0x4250.
TEST_F(PylontechHvTest, FlagsAreAsOldAsTheirStalestFrame) {
  const TimePoint early = at;
  feed(pack_frame(0x4280, {0x00, 0x00}));
  at += std::chrono::seconds{5};
  feed(pack_frame(0x4250, {0x03, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(feed(pack_frame(0x4280, {0x55, 0x00})).kind, DecodeOutcome::Kind::rejected);
  EXPECT_EQ(state.flags_at, early);
  feed(pack_frame(0x4280, {0x00, 0x00}));
  EXPECT_EQ(state.flags_at, at);
  // A second pack that stops answering holds the flags back too.
  feed(pack_frame(0x4251, {0x03, 0, 0, 0, 0, 0, 0, 0}));
  at += std::chrono::seconds{5};
  feed(pack_frame(0x4250, {0x03, 0, 0, 0, 0, 0, 0, 0}));
  feed(pack_frame(0x4280, {0x00, 0x00}));
  EXPECT_EQ(state.flags_at, at - std::chrono::seconds{5});
  // Cells: 0x4230 and 0x4240 alike; pack 1, which sends none, holds nothing back.
  feed(pack_frame(0x4230, {0xE4, 0x0C, 0xDF, 0x0C, 0x0E, 0x00, 0x08, 0x00}));
  at += std::chrono::seconds{2};
  feed(pack_frame(0x4240, {0xA6, 0x04, 0x88, 0x04, 0x03, 0x00, 0x19, 0x00}));
  EXPECT_EQ(state.cells_at, at - std::chrono::seconds{2});
}

// A cold night: the pack refuses charging with a 0 V charge cut-off. Charging is refused, the
// limits stay fresh and discharging stays available.
TEST_F(PylontechHvTest, AZeroVoltChargeCutOffRefusesChargingAndKeepsTheLimitsFresh) {
  feed(pack_frame(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));
  at += std::chrono::seconds{1};
  EXPECT_EQ(feed(pack_frame(0x4220, {0x00, 0x00, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77})).kind,
            DecodeOutcome::Kind::applied);
  EXPECT_FALSE(state.limits.charge_voltage_limit_v);
  EXPECT_EQ(state.limits.charge_current_limit_a, 0.0);
  EXPECT_NEAR(*state.limits.discharge_current_limit_a, 50.0, 1e-9);
  EXPECT_EQ(state.limits_at, at);
}

// Address 10 heard before address 1: both are named, each once (a substring search once took
// "1" for already listed in "10").
TEST(PylontechHv, TheOtherAddressesHeardAreEachNamedOnce) {
  PylontechHv proto({false, BusRole::listen_only, 5});
  core::PackState state;
  const TimePoint at{std::chrono::seconds{1}};
  for (std::uint32_t id : {0x421AU, 0x4211U, 0x421AU})
    proto.apply(pack_frame(id, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}), at, state);
  const auto hint = proto.silence_hint(at);
  EXPECT_NE(hint.find("packs answer at address 1, 10, bms.address is 5"), std::string::npos)
      << hint;
}

TEST(PylontechHv, AConfiguredAddressIsTheOnlyOneFollowed) {
  PylontechHv proto({false, BusRole::listen_only, 1});
  core::PackState state;
  const TimePoint at{std::chrono::seconds{1}};
  EXPECT_EQ(
      proto.apply(pack_frame(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}), at, state)
          .kind,
      DecodeOutcome::Kind::ignored);
  EXPECT_FALSE(state.voltage_v);
  const auto hint = proto.silence_hint(at);
  EXPECT_NE(hint.find("packs answer at address 0, bms.address is 1"), std::string::npos) << hint;
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
  EXPECT_TRUE(proto.packs().empty());
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

TEST(PylontechHv, ListeningSaysWhetherTheInverterStillPolls) {
  PylontechHv proto({false, BusRole::listen_only, std::nullopt});
  const TimePoint t0{std::chrono::seconds{100}};
  EXPECT_NE(proto.silence_hint(t0).find("no inverter poll (0x4200) heard"), std::string::npos);
  core::PackState state;
  proto.apply(pack_frame(0x4200, {0x00, 0, 0, 0, 0, 0, 0, 0}), t0, state);
  const auto hint = proto.silence_hint(t0 + std::chrono::seconds{12});
  EXPECT_NE(hint.find("last poll (0x4200) was 12.0 s ago"), std::string::npos) << hint;
}

// Before the controller's first permit the active master only polls: no wake, no relay. The
// system information goes out at the first poll and every tenth after.
TEST(PylontechHv, TheActiveMasterPollsAndCommandsOnlyWhatIsPermitted) {
  PylontechHv proto({false, BusRole::active, std::nullopt});
  const auto polls = proto.keepalive_frames();
  ASSERT_EQ(polls.size(), 2u);
  for (const auto& f : polls) EXPECT_TRUE(f.extended) << can::to_string(f);
  EXPECT_EQ(can::to_string(polls[0]), "00004200#0000000000000000");
  EXPECT_EQ(can::to_string(polls[1]), "00004200#0200000000000000");

  proto.permit({true, true, true});
  auto frames = proto.keepalive_frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(can::to_string(frames[0]), "00004200#0000000000000000");
  EXPECT_EQ(can::to_string(frames[1]), "00008200#AA00000000000000");
  EXPECT_EQ(can::to_string(frames[2]), "00008210#AAAA000000000000");

  proto.permit({true, false, true});  // an empty pack: charging only
  frames = proto.keepalive_frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(can::to_string(frames[2]), "00008210#AA00000000000000");

  proto.permit({false, false, true});  // a latched fault: woken to be read, no relay
  EXPECT_EQ(proto.keepalive_frames().size(), 2u);
  proto.permit({false, false, false});  // a fire alarm: polls only
  EXPECT_EQ(proto.keepalive_frames().size(), 1u);
  for (int i = 0; i < 5; ++i) proto.keepalive_frames();
  EXPECT_EQ(proto.keepalive_frames().size(), 2u) << "the tenth poll asks for the system again";
}

// A pack at address 2 gets the wake and relay command at its address as well.
TEST(PylontechHv, WakeAndRelayCommandsAlsoGoToEachPacksAddress) {
  PylontechHv proto({false, BusRole::active, std::nullopt});
  core::PackState state;
  proto.apply(pack_frame(0x4252, {0x03, 0, 0, 0, 0, 0, 0, 0}), TimePoint{}, state);
  proto.permit({true, false, true});
  std::vector<std::string> sent;
  for (const auto& f : proto.keepalive_frames()) sent.push_back(can::to_string(f));
  EXPECT_EQ(sent,
            (std::vector<std::string>{"00004200#0000000000000000", "00004200#0200000000000000",
                                      "00008200#AA00000000000000", "00008210#AA00000000000000",
                                      "00008202#AA00000000000000", "00008212#AA00000000000000"}));
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

TEST_F(PylontechHvTest, ResetForgetsTheFlagsNamesAndPacks) {
  feed(pack_frame(0x4253, {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00}));
  feed(pack_frame(0x7333, {'P', 'Y', 'L', 'O', 'N', ' ', ' ', ' '}));
  EXPECT_EQ(proto.packs(), std::vector<std::uint8_t>{3});
  proto.reset();
  EXPECT_TRUE(proto.packs().empty());
  core::PackState fresh;
  proto.apply(pack_frame(0x4250, {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}), at, fresh);
  EXPECT_FALSE(fresh.protections.any_active());
  EXPECT_TRUE(fresh.manufacturer.empty());
  EXPECT_EQ(proto.packs(), std::vector<std::uint8_t>{0});
}

}  // namespace
}  // namespace bessd::bms::pylontech_hv
