// The BydHvs protocol: the broadcast folded into a PackState, what it leaves unreported, and that
// it never transmits.
#include <bessd/bms/protocols/byd_hvs.hpp>

#include <gtest/gtest.h>

namespace bessd::bms::byd_hvs {
namespace {

class BydHvsTest : public ::testing::Test {
 protected:
  DecodeOutcome feed(std::uint32_t id, std::initializer_list<std::uint8_t> bytes) {
    return proto.apply(can::make_frame(id, bytes), at, state);
  }
  BydHvs proto;
  core::PackState state;
  TimePoint at{std::chrono::seconds{10}};
};

TEST_F(BydHvsTest, TheCapturedBroadcastFillsThePackState) {
  const auto limits = feed(0x110, {0x09, 0x20, 0x06, 0x40, 0x01, 0x00, 0x01, 0x00});
  EXPECT_EQ(limits.part, PackPart::limits);
  EXPECT_EQ(limits.also, PackPart::flags);
  EXPECT_EQ(feed(0x150, {0x26, 0x0C, 0x27, 0x10, 0x00, 0xF3, 0x00, 0xFA}).part, PackPart::charge);
  EXPECT_EQ(feed(0x1D0, {0x08, 0x49, 0x00, 0x00, 0x00, 0xB4, 0x03, 0x08}).part,
            PackPart::measurements);
  feed(0x210, {0x00, 0xBE, 0x00, 0xB4, 0, 0, 0, 0});
  feed(0x250, {0x03, 0x16, 0x00, 0x66, 0x00, 0x33, 0x02, 0x09});
  feed(0x2D0, {0x00, 'B', 'Y', 'D', 0, 0, 0, 0});
  for (auto [seg, text] : {std::pair{0, "Battery"}, {1, "-Box Pr"}, {2, "emium H"}, {3, "VS"}}) {
    can::CanFrame f = can::make_frame(0x3D0, {static_cast<std::uint8_t>(seg), 0, 0, 0, 0, 0, 0, 0});
    for (std::size_t i = 0; text[i] != 0; ++i) f.data[i + 1] = static_cast<std::uint8_t>(text[i]);
    proto.apply(f, at, state);
  }
  EXPECT_NEAR(*state.limits.charge_voltage_limit_v, 233.6, 1e-9);
  EXPECT_NEAR(*state.limits.charge_current_limit_a, 25.6, 1e-9);
  EXPECT_NEAR(*state.soc_pct, 97.4, 1e-9);
  EXPECT_NEAR(*state.capacity_ah, 25.0, 1e-9);
  EXPECT_NEAR(*state.available_capacity_ah, 24.3, 1e-9);
  EXPECT_NEAR(*state.voltage_v, 212.1, 1e-9);
  EXPECT_NEAR(*state.cell_temperature_max_c, 19.0, 1e-9);
  EXPECT_FALSE(state.cells_at) << "no cell voltages: the cell view stays estimated";
  EXPECT_EQ(state.measured_at, at);
  EXPECT_EQ(state.limits_at, at);
  EXPECT_EQ(state.flags_at, at);
  EXPECT_EQ(state.firmware, "3.16");
  EXPECT_EQ(state.manufacturer, "BYD");
  EXPECT_EQ(state.bms_name, "Battery-Box Premium HVS");
  // Nothing invented: no flags, no enable bits, no cell voltages.
  EXPECT_FALSE(state.protections.any_active());
  EXPECT_EQ(state.protections.get(core::BmsCondition::cell_over_voltage),
            core::FlagState::not_reported);
  EXPECT_FALSE(state.requests.charge_enable);
  EXPECT_FALSE(state.cell_voltage_max_v);
}

// A charge voltage limit of 0 V, or a current limit of 1 A or less (the floor some inverter
// firmwares' BYD variants never go below), refuses that direction.
TEST_F(BydHvsTest, AZeroVoltOrTrickleLimitRefusesThatDirection) {
  feed(0x110, {0x00, 0x00, 0x06, 0x40, 0x00, 0xFA, 0x00, 0x64});  // CVL 0 V, 25.0 A, 10.0 A
  EXPECT_FALSE(state.limits.charge_voltage_limit_v);
  EXPECT_EQ(state.limits.charge_current_limit_a, 0.0);
  EXPECT_NEAR(*state.limits.discharge_current_limit_a, 25.0, 1e-9);
  feed(0x110, {0x09, 0x20, 0x06, 0x40, 0x00, 0x0A, 0x00, 0x0A});  // 1.0 A both ways
  EXPECT_EQ(state.limits.charge_current_limit_a, 0.0);
  EXPECT_EQ(state.limits.discharge_current_limit_a, 0.0);
  EXPECT_FALSE(state.limits.charge_voltage_limit_v);
}

// The installed capacity: a full-charge capacity that shrank with the health is scaled back, so
// that an energy cap is never judged on a low reading.
TEST_F(BydHvsTest, TheInstalledCapacityIsNotReadLowOnAnAgedBattery) {
  feed(0x150, {0x26, 0x0C, 0x23, 0x28, 0x00, 0xF3, 0x00, 0xE1});  // SOH 90.00 %, 22.5 Ah
  EXPECT_NEAR(*state.capacity_ah, 25.0, 1e-9);
  EXPECT_NEAR(*state.soh_pct, 90.0, 1e-9);
}

// The measurements are as old as the older of 0x1D0 and 0x210, and count only once both came:
// the cold-charge rule needs the coldest cell.
TEST_F(BydHvsTest, MeasurementsAreAsOldAsTheirStalestFrame) {
  feed(0x1D0, {0x08, 0x49, 0x00, 0x00, 0x00, 0xB4, 0x03, 0x08});
  EXPECT_FALSE(state.measured_at);
  feed(0x210, {0x00, 0xBE, 0x00, 0xB4, 0, 0, 0, 0});
  EXPECT_EQ(state.measured_at, at);
  const TimePoint cells = at;
  at += std::chrono::seconds{10};
  feed(0x1D0, {0x08, 0x49, 0x00, 0x00, 0x00, 0xB4, 0x03, 0x08});
  EXPECT_EQ(state.measured_at, cells);
  feed(0x210, {0x00, 0xBE, 0x00, 0xB4, 0, 0, 0, 0});
  EXPECT_EQ(state.measured_at, at);
}

TEST_F(BydHvsTest, TheInvertersFramesAreTimedNotFolded) {
  const auto before = state;
  EXPECT_NE(proto.silence_hint(at).find("no inverter frame"), std::string::npos);
  EXPECT_EQ(feed(0x151, {0x01, 0, 0, 0, 0, 0, 0, 0}).kind, DecodeOutcome::Kind::ignored);
  EXPECT_EQ(feed(0x091, {0x08, 0x49, 0, 0, 0, 0, 0, 0}).kind, DecodeOutcome::Kind::ignored);
  EXPECT_EQ(state, before);
  const auto hint = proto.silence_hint(at + std::chrono::seconds{30});
  EXPECT_NE(hint.find("last frame was 30.0 s ago"), std::string::npos) << hint;
  proto.reset();
  EXPECT_NE(proto.silence_hint(at).find("no inverter frame"), std::string::npos);
}

TEST_F(BydHvsTest, ARejectedFrameLeavesTheStateAsItWas) {
  feed(0x1D0, {0x08, 0x49, 0x00, 0x00, 0x00, 0xB4, 0x03, 0x08});
  const auto before = state;
  const auto out = feed(0x1D0, {0x49, 0x08, 0x00, 0x00, 0xB4, 0x00, 0x03, 0x08});
  EXPECT_EQ(out.kind, DecodeOutcome::Kind::rejected);
  EXPECT_NE(out.reason.find("byd_hvs 0x1D0"), std::string::npos) << out.reason;
  EXPECT_EQ(state, before);
}

TEST(BydHvs, NeverTransmitsAndFiltersOnlyItsIds) {
  BydHvs proto({true});
  EXPECT_TRUE(proto.keepalive_frames().empty());
  const auto filters = proto.filters();
  const auto passes = [&](const can::CanFrame& f) {
    for (const auto& flt : filters)
      if (can::matches(flt, f)) return true;
    return false;
  };
  EXPECT_TRUE(passes(can::make_frame(0x110, {0})));
  EXPECT_TRUE(passes(can::make_frame(0x151, {0})));
  EXPECT_FALSE(passes(can::make_frame(0x351, {0})));
  EXPECT_FALSE(passes(can::make_frame(0x111 + 0x400, {0})));
  // invert_current: a battery that reports + = discharging.
  core::PackState state;
  proto.apply(can::make_frame(0x1D0, {0x08, 0x49, 0x00, 0x50, 0x00, 0xB4}), TimePoint{}, state);
  EXPECT_NEAR(*state.current_a, -8.0, 1e-9);
}

}  // namespace
}  // namespace bessd::bms::byd_hvs
