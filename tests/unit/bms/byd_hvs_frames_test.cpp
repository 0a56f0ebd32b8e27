// The BYD Battery-Box HVS codec (docs/protocols.md "The BMS: BYD Battery-Box HVS CAN protocol"):
// decode vectors from the published capture of an HVS 5.1 with a Sungrow inverter (the frame
// templates of the open battery simulator built from it), rejections, round trips.
#include <bessd/bms/protocols/byd_hvs_frames.hpp>

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

namespace bessd::bms::byd_hvs {
namespace {

can::CanFrame std_frame(std::uint32_t id, std::initializer_list<std::uint8_t> bytes) {
  return can::make_frame(id, bytes);
}

template <typename T>
T byd_decoded_as(const can::CanFrame& f) {
  auto r = decode(f);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r || !r->has_value()) {
    ADD_FAILURE() << "no frame decoded from " << can::to_string(f);
    return {};
  }
  const T* v = std::get_if<T>(&**r);
  if (!v) {
    ADD_FAILURE() << "another frame type decoded from " << can::to_string(f);
    return {};
  }
  return *v;
}

std::string byd_rejection(const can::CanFrame& f) {
  auto r = decode(f);
  return r ? std::string{} : r.error().message;
}

TEST(BydHvsFrames, CapturedLimits) {
  const auto v =
      byd_decoded_as<Limits>(std_frame(0x110, {0x09, 0x20, 0x06, 0x40, 0x01, 0x00, 0x01, 0x00}));
  EXPECT_NEAR(v.charge_voltage_limit_v, 233.6, 1e-9);  // 64 cells x 3.65 V
  EXPECT_NEAR(v.discharge_voltage_limit_v, 160.0, 1e-9);
  EXPECT_NEAR(v.discharge_current_limit_a, 25.6, 1e-9);
  EXPECT_NEAR(v.charge_current_limit_a, 25.6, 1e-9);
}

// Bytes 4-5 are the discharge limit, 6-7 the charge limit (the open simulator's configuration
// and the open emulator agree): a vector with different values, so a swap cannot pass.
TEST(BydHvsFrames, TheDischargeLimitComesBeforeTheChargeLimit) {
  const auto v =
      byd_decoded_as<Limits>(std_frame(0x110, {0x09, 0x20, 0x06, 0x40, 0x00, 0xFA, 0x00, 0x64}));
  EXPECT_NEAR(v.discharge_current_limit_a, 25.0, 1e-9);
  EXPECT_NEAR(v.charge_current_limit_a, 10.0, 1e-9);
}

TEST(BydHvsFrames, CapturedStatesMeasurementsAndCells) {
  const auto s =
      byd_decoded_as<States>(std_frame(0x150, {0x26, 0x0C, 0x27, 0x10, 0x00, 0xF3, 0x00, 0xFA}));
  EXPECT_NEAR(s.soc_pct, 97.40, 1e-9);
  EXPECT_NEAR(s.soh_pct, 100.0, 1e-9);
  EXPECT_NEAR(s.remaining_capacity_ah, 24.3, 1e-9);
  EXPECT_NEAR(s.full_capacity_ah, 25.0, 1e-9);
  const auto m = byd_decoded_as<Measurements>(
      std_frame(0x1D0, {0x08, 0x49, 0x00, 0x00, 0x00, 0xB4, 0x03, 0x08}));
  EXPECT_NEAR(m.voltage_v, 212.1, 1e-9);
  EXPECT_NEAR(m.current_a, 0.0, 1e-9);
  EXPECT_NEAR(m.temperature_c, 18.0, 1e-9);
  const auto c =
      byd_decoded_as<CellTemperatures>(std_frame(0x210, {0x00, 0xBE, 0x00, 0xB4, 0, 0, 0, 0}));
  EXPECT_NEAR(c.max_c, 19.0, 1e-9);
  EXPECT_NEAR(c.min_c, 18.0, 1e-9);
}

TEST(BydHvsFrames, TheCurrentIsSignedChargingPositiveAndColdCellsAreNegative) {
  // -12.5 A (0xFF83) while discharging, +8.0 A charging; a cell at -5.5 degC.
  EXPECT_NEAR(byd_decoded_as<Measurements>(std_frame(0x1D0, {0x08, 0x49, 0xFF, 0x83, 0x00, 0xB4}))
                  .current_a,
              -12.5, 1e-9);
  EXPECT_NEAR(byd_decoded_as<Measurements>(std_frame(0x1D0, {0x08, 0x49, 0x00, 0x50, 0x00, 0xB4}))
                  .current_a,
              8.0, 1e-9);
  EXPECT_NEAR(byd_decoded_as<CellTemperatures>(std_frame(0x210, {0x00, 0x32, 0xFF, 0xC9})).min_c,
              -5.5, 1e-9);
}

TEST(BydHvsFrames, CapturedIdentificationBurst) {
  const auto id = byd_decoded_as<Identification>(
      std_frame(0x250, {0x03, 0x16, 0x00, 0x66, 0x00, 0x33, 0x02, 0x09}));
  EXPECT_EQ(id.firmware_major, 0x03);
  EXPECT_EQ(id.firmware_minor, 0x16);
  EXPECT_NEAR(id.nominal_energy_kwh, 5.1, 1e-9);
  EXPECT_EQ(byd_decoded_as<Text>(std_frame(0x2D0, {0x00, 'B', 'Y', 'D', 0, 0, 0, 0})).text, "BYD");
  const auto last = byd_decoded_as<Text>(std_frame(0x3D0, {0x03, 'V', 'S', 0, 0, 0, 0, 0}));
  EXPECT_EQ(last.segment, 3);
  EXPECT_EQ(last.text, "VS");
}

TEST(BydHvsFrames, TheInvertersFramesAreRecognised) {
  EXPECT_TRUE(byd_decoded_as<InverterFrame>(std_frame(0x151, {0x01, 0, 0, 0, 0, 0, 0, 0}))
                  .asks_identification);
  EXPECT_FALSE(
      byd_decoded_as<InverterFrame>(std_frame(0x151, {0x00, 'S', 'u', 'n', 'g', 'r', 'o', 'w'}))
          .asks_identification);
  EXPECT_EQ(byd_decoded_as<InverterFrame>(std_frame(0x091, {0x08, 0x49, 0, 0, 0, 0, 0, 0})).id,
            0x091u);
}

TEST(BydHvsFrames, ValuesOutsideThePlausibleWindowsAndShortFramesAreRefused) {
  // The captured 0x1D0 sent little-endian: 1869.6 V.
  const auto swapped =
      byd_rejection(std_frame(0x1D0, {0x49, 0x08, 0x00, 0x00, 0xB4, 0x00, 0x03, 0x08}));
  EXPECT_NE(swapped.find("pack voltage 1869.6 V outside the plausible range"), std::string::npos)
      << swapped;
  EXPECT_NE(byd_rejection(std_frame(0x110, {0x09, 0x20, 0x06, 0x40, 0x20, 0x00, 0x01, 0x00}))
                .find("current limit 819.2 A"),
            std::string::npos);
  EXPECT_NE(
      byd_rejection(std_frame(0x150, {0x27, 0x11, 0x27, 0x10, 0, 0, 0, 0})).find("SOC above 100"),
      std::string::npos);
  EXPECT_NE(
      byd_rejection(std_frame(0x210, {0x00, 0xB4, 0x00, 0xBE})).find("minimum cell temperature"),
      std::string::npos);
  const auto short_frame = byd_rejection(std_frame(0x110, {0x09, 0x20, 0x06}));
  EXPECT_NE(short_frame.find("byd_hvs 0x110: DLC 3, need at least 8"), std::string::npos)
      << short_frame;
}

TEST(BydHvsFrames, OtherFramesAreNotDecoded) {
  const auto none = [](const can::CanFrame& f) {
    auto r = decode(f);
    return r && !r->has_value();
  };
  EXPECT_TRUE(none(std_frame(0x290, {0x06, 0x37, 0x10, 0xD9, 0, 0, 0, 0})));
  EXPECT_TRUE(none(std_frame(0x351, {1, 2, 3, 4, 5, 6, 7, 8})));
  const std::uint8_t bytes[] = {0x09, 0x20, 0x06, 0x40, 0x01, 0x00, 0x01, 0x00};
  EXPECT_TRUE(none(can::make_extended_frame(0x110, bytes)));
}

TEST(BydHvsFrames, EveryEncoderRoundTripsThroughTheDecoder) {
  const Limits limits{409.6, 320.0, 50.0, 37.5};
  EXPECT_EQ(encode(byd_decoded_as<Limits>(encode(limits))), encode(limits));
  const States states{55.55, 98.76, 40.1, 74.0};
  const auto s = byd_decoded_as<States>(encode(states));
  EXPECT_NEAR(s.soc_pct, 55.55, 0.005);
  EXPECT_EQ(encode(s), encode(states));
  const Measurements m{398.7, -23.4, -4.5};
  const auto m2 = byd_decoded_as<Measurements>(encode(m));
  EXPECT_NEAR(m2.current_a, -23.4, 0.05);
  EXPECT_EQ(encode(m2), encode(m));
  const CellTemperatures cells{24.5, -3.5};
  EXPECT_EQ(encode(byd_decoded_as<CellTemperatures>(encode(cells))), encode(cells));
  EXPECT_EQ(byd_decoded_as<Alarm>(encode(Alarm{0x0000001500000011})), Alarm{0x0000001500000011});
  EXPECT_EQ(byd_decoded_as<Text>(encode(Text{kIdModel, 1, "-Box Pr"})),
            (Text{kIdModel, 1, "-Box Pr"}));
  EXPECT_EQ(byd_decoded_as<InverterFrame>(encode(InverterFrame{kIdInverterIdentify, true})),
            (InverterFrame{kIdInverterIdentify, true}));
  for (const auto& f : {encode(limits), encode(states), encode(m)}) {
    EXPECT_FALSE(f.extended);
    EXPECT_EQ(f.dlc, 8);
  }
}

}  // namespace
}  // namespace bessd::bms::byd_hvs
