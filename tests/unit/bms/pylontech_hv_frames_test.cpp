// The Pylontech HV codec (docs/protocols.md, "The BMS: Pylontech HV") against frames captured
// from real packs (a Growatt SPH polling a Pylontech-compatible pack, and an SC0500 controller),
// and each encoder against its decoder.
#include <bessd/bms/protocols/pylontech_hv_frames.hpp>

#include <array>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

namespace bessd::bms::pylontech_hv {
namespace {

using core::BmsCondition;
using core::FlagState;

can::CanFrame ext(std::uint32_t id, std::initializer_list<std::uint8_t> bytes) {
  const std::vector<std::uint8_t> b(bytes);
  return can::make_extended_frame(id, b);
}

template <typename T>
T decoded_as(const can::CanFrame& f, std::uint8_t address = 0) {
  auto r = decode(f);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r || !r->has_value()) {
    ADD_FAILURE() << "no frame decoded from " << can::to_string(f);
    return {};
  }
  EXPECT_EQ((*r)->address, address);
  const T* v = std::get_if<T>(&(*r)->frame);
  if (!v) {
    ADD_FAILURE() << "another frame type decoded from " << can::to_string(f);
    return {};
  }
  return *v;
}

std::string rejection(const can::CanFrame& f) {
  auto r = decode(f);
  return r ? std::string{} : r.error().message;
}

TEST(PylontechHvFrames, GrowattCaptureEnsemble) {
  const auto v =
      decoded_as<Ensemble>(ext(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}));
  EXPECT_NEAR(v.voltage_v, 211.1, 1e-9);
  EXPECT_NEAR(v.current_a, 0.0, 1e-9);
  EXPECT_NEAR(v.temperature_c.value_or(0), 17.0, 1e-9);
  EXPECT_EQ(v.soc_pct, 24);
  EXPECT_EQ(v.soh_pct, 100);
}

TEST(PylontechHvFrames, CurrentIsSignedByTheOffsetChargingPositive) {
  // 30120 = +12.0 A (charging), 29880 = -12.0 A (discharging).
  EXPECT_NEAR(decoded_as<Ensemble>(ext(0x4210, {0, 0, 0xA8, 0x75, 0xE8, 0x03, 50, 100})).current_a,
              12.0, 1e-9);
  EXPECT_NEAR(decoded_as<Ensemble>(ext(0x4210, {0, 0, 0xB8, 0x74, 0xE8, 0x03, 50, 100})).current_a,
              -12.0, 1e-9);
  auto inverted = decode(ext(0x4210, {0, 0, 0xA8, 0x75, 0xE8, 0x03, 50, 100}), {true});
  ASSERT_TRUE(inverted && inverted->has_value());
  EXPECT_NEAR(std::get<Ensemble>((*inverted)->frame).current_a, -12.0, 1e-9);
}

TEST(PylontechHvFrames, GrowattCaptureLimits) {
  const auto v = decoded_as<Limits>(ext(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));
  ASSERT_TRUE(v.charge_voltage_limit_v);
  EXPECT_NEAR(*v.charge_voltage_limit_v, 234.9, 1e-9);
  EXPECT_NEAR(v.discharge_voltage_limit_v, 179.2, 1e-9);
  EXPECT_NEAR(v.charge_current_limit_a, 50.0, 1e-9);
  EXPECT_NEAR(v.discharge_current_limit_a, 50.0, 1e-9);
}

TEST(PylontechHvFrames, TheDischargeLimitIsAMagnitudeWhicheverSignThePackGivesIt) {
  // 31050 (+105.0 A, as most packs send it) and 28950 (-105.0 A, as some emulators do).
  EXPECT_NEAR(decoded_as<Limits>(ext(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x30, 0x75, 0x4A, 0x79}))
                  .discharge_current_limit_a,
              105.0, 1e-9);
  EXPECT_NEAR(decoded_as<Limits>(ext(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x30, 0x75, 0x16, 0x71}))
                  .discharge_current_limit_a,
              105.0, 1e-9);
}

TEST(PylontechHvFrames, ImpossibleLimitsAreRefusedWithTheirReason) {
  EXPECT_NE(rejection(ext(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x00, 0x70, 0x24, 0x77}))
                .find("charge current limit below 0 A"),
            std::string::npos);
  EXPECT_NE(rejection(ext(0x4220, {0x00, 0x07, 0x2D, 0x09, 0x24, 0x77, 0x24, 0x77}))
                .find("discharge cut-off voltage above"),
            std::string::npos);
}

// A pack that does not allow charging (cold, full) sends a charge cut-off of 0 V: no charge
// voltage and no charge current, while the discharge side stays as sent.
TEST(PylontechHvFrames, AChargeCutOffOfZeroVoltsRefusesChargingOnly) {
  const auto v = decoded_as<Limits>(ext(0x4220, {0x00, 0x00, 0x00, 0x07, 0x24, 0x77, 0x24, 0x77}));
  EXPECT_FALSE(v.charge_voltage_limit_v);
  EXPECT_EQ(v.charge_current_limit_a, 0.0);
  EXPECT_NEAR(v.discharge_voltage_limit_v, 179.2, 1e-9);
  EXPECT_NEAR(v.discharge_current_limit_a, 50.0, 1e-9);
  EXPECT_EQ(encode(v), ext(0x4220, {0x00, 0x00, 0x00, 0x07, 0x30, 0x75, 0x24, 0x77}));
}

// Fields sent big-endian (as some emulators do) read as impossible values: refused, never
// passed on as 1613.6 V or -1759.5 A.
TEST(PylontechHvFrames, ValuesOutsideThePlausibleWindowsAreRefused) {
  const auto big_endian = rejection(ext(0x4210, {0x08, 0x3F, 0x75, 0x30, 0x04, 0x92, 0x18, 0x64}));
  EXPECT_NE(big_endian.find("pack voltage 1613.6 V outside the plausible range"), std::string::npos)
      << big_endian;
  const auto current = rejection(ext(0x4210, {0x3F, 0x08, 0x30, 0x30, 0x92, 0x04, 0x18, 0x64}));
  EXPECT_NE(current.find("current -1766.4 A"), std::string::npos) << current;
  EXPECT_NE(rejection(ext(0x4220, {0x2D, 0x09, 0x00, 0x07, 0x24, 0x77, 0x77, 0x24}))
                .find("current limit 2066.5 A"),
            std::string::npos);
  EXPECT_NE(
      rejection(ext(0x4230, {0x0C, 0xE4, 0x0C, 0xDF, 0x0E, 0x00, 0x08, 0x00})).find("cell voltage"),
      std::string::npos);
  EXPECT_NE(rejection(ext(0x4240, {0xA6, 0x0F, 0x88, 0x04, 0x03, 0x00, 0x19, 0x00}))
                .find("cell temperature"),
            std::string::npos);
  // The controller's own temperature out of range: dropped, the measurements kept.
  const auto no_sensor =
      decoded_as<Ensemble>(ext(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x10, 0x00, 0x18, 0x64}));
  EXPECT_FALSE(no_sensor.temperature_c);
  EXPECT_NEAR(no_sensor.voltage_v, 211.1, 1e-9);
  // A big-endian 4.096 V cell whose bytes read as 0.016 V.
  EXPECT_NE(rejection(ext(0x4230, {0x10, 0x00, 0x0F, 0x00, 0x0E, 0x00, 0x08, 0x00}))
                .find("highest cell voltage 0.0 V"),
            std::string::npos);
}

TEST(PylontechHvFrames, ASohAboveAHundredReadsAsAHundredAndKeepsTheMeasurements) {
  const auto v = decoded_as<Ensemble>(ext(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 101}));
  EXPECT_EQ(v.soh_pct, 100);
  EXPECT_NEAR(v.voltage_v, 211.1, 1e-9);
}

// The mode field is not used, so an unexpected mode never drops the flags of the same frame.
TEST(PylontechHvFrames, AnyModeValueKeepsTheStatusFlags) {
  const auto s = decoded_as<Status>(ext(0x4250, {0x07, 0, 0, 0, 0, 0, 0x01, 0x00}));
  EXPECT_EQ(s.protections, 0x0001);
}

// Byte 0 in the common layout (mode in bits 0-2) or the reversed one (mode in bits 5-7) swaps
// force charge and balance; a byte that shows neither layout asks for nothing.
TEST(PylontechHvFrames, TheModeFieldDecidesWhichBitIsTheForceCharge) {
  EXPECT_EQ(basic_requests(0x0B), (BasicRequests{true, false}));   // idle, bit 3
  EXPECT_EQ(basic_requests(0x12), (BasicRequests{false, true}));   // discharging, bit 4
  EXPECT_EQ(basic_requests(0x70), (BasicRequests{true, false}));   // reversed: mode, bit 4
  EXPECT_EQ(basic_requests(0x68), (BasicRequests{false, true}));   // reversed: mode, bit 3
  EXPECT_EQ(basic_requests(0x08), (BasicRequests{}));              // sleep: no layout shown
  EXPECT_EQ(basic_requests(0x2B), (BasicRequests{}));              // mode bits in both places
  EXPECT_EQ(basic_requests(0x01), (BasicRequests{false, false}));  // charging, no request
}

TEST(PylontechHvFrames, GrowattCaptureCellExtremes) {
  const auto v =
      decoded_as<CellVoltages>(ext(0x4230, {0xE4, 0x0C, 0xDF, 0x0C, 0x0E, 0x00, 0x08, 0x00}));
  EXPECT_NEAR(v.max_v, 3.300, 1e-9);
  EXPECT_NEAR(v.min_v, 3.295, 1e-9);
  EXPECT_EQ(v.max_cell, 14);
  EXPECT_EQ(v.min_cell, 8);
  const auto t =
      decoded_as<CellTemperatures>(ext(0x4240, {0xA6, 0x04, 0x88, 0x04, 0x03, 0x00, 0x19, 0x00}));
  EXPECT_NEAR(t.max_c, 19.0, 1e-9);
  EXPECT_NEAR(t.min_c, 16.0, 1e-9);
  EXPECT_EQ(t.max_sensor, 3);
  EXPECT_EQ(t.min_sensor, 25);
}

TEST(PylontechHvFrames, Sc0500CaptureSystemInformation) {
  const auto v = decoded_as<System>(ext(0x7320, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x32, 0x00}));
  EXPECT_EQ(v.cells, 45);
  EXPECT_EQ(v.modules, 3);
  EXPECT_EQ(v.cells_per_module, 15);
  EXPECT_EQ(v.voltage_level_v, 144);
  EXPECT_EQ(v.capacity_ah, 50);
}

TEST(PylontechHvFrames, TheAddressIsTheIdsLowNibble) {
  decoded_as<Ensemble>(ext(0x4211, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64}), 1);
  decoded_as<System>(ext(0x732F, {0x2D, 0x00, 0x03, 0x0F, 0x90, 0x00, 0x32, 0x00}), 15);
}

TEST(PylontechHvFrames, FramesOfOtherProtocolsAndUnusedOnesAreNotDecoded) {
  const auto none = [](const can::CanFrame& f) {
    auto r = decode(f);
    return r && !r->has_value();
  };
  // The same id as an 11-bit frame, a remote frame, vendor extras, module extremes.
  EXPECT_TRUE(none(can::make_frame(0x421, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 0x18, 0x64})));
  auto remote = ext(0x4210, {});
  remote.remote = true;
  EXPECT_TRUE(none(remote));
  EXPECT_TRUE(none(ext(0x3010, {0x0E, 0xDF, 0x14, 0, 0, 0, 0, 0})));
  EXPECT_TRUE(none(ext(0x4260, {0xAC, 0xC7, 0x74, 0x27, 1, 0, 2, 0})));
  EXPECT_TRUE(none(ext(0x18FF9A6E, {1, 2, 3, 4, 5, 6, 7, 8})));
}

TEST(PylontechHvFrames, ShortFramesAreRejectedNamingTheId) {
  const auto why = rejection(ext(0x4210, {0x3F, 0x08, 0x30, 0x75}));
  EXPECT_NE(why.find("0x4210"), std::string::npos) << why;
  EXPECT_NE(why.find("DLC 4, need at least 8"), std::string::npos) << why;
  EXPECT_FALSE(rejection(ext(0x4250, {1, 2, 3})).empty());
  EXPECT_FALSE(rejection(ext(0x4280, {0xAA})).empty());
}

TEST(PylontechHvFrames, MarksOtherThanTheTwoDefinedAreRejected) {
  EXPECT_EQ(decoded_as<Forbidden>(ext(0x4280, {0xAA, 0x00})), (Forbidden{true, false}));
  EXPECT_EQ(decoded_as<Forbidden>(ext(0x4280, {0x00, 0xAA})), (Forbidden{false, true}));
  EXPECT_NE(rejection(ext(0x4280, {0x55, 0x00})).find("neither 0x00 nor 0xAA"), std::string::npos);
  EXPECT_FALSE(rejection(ext(0x8200, {0x12})).empty());
}

TEST(PylontechHvFrames, SocAboveAHundredIsRejected) {
  EXPECT_NE(rejection(ext(0x4210, {0x3F, 0x08, 0x30, 0x75, 0x92, 0x04, 101, 100})).find("SOC"),
            std::string::npos);
}

// Scaled fields come back within half their resolution, and decoding then encoding again gives
// the same bytes.
TEST(PylontechHvFrames, EveryEncoderRoundTripsThroughTheDecoder) {
  const Ensemble ensemble{398.7, -23.4, 21.5, 67, 98};
  const auto e = decoded_as<Ensemble>(encode(ensemble, 2), 2);
  EXPECT_NEAR(e.voltage_v, 398.7, 0.05);
  EXPECT_NEAR(e.current_a, -23.4, 0.05);
  EXPECT_NEAR(e.temperature_c.value_or(0), 21.5, 0.05);
  EXPECT_EQ(e.soc_pct, 67);
  EXPECT_EQ(e.soh_pct, 98);
  EXPECT_EQ(encode(e, 2), encode(ensemble, 2));
  const Limits limits{432.0, 345.6, 37.0, 50.0};
  const auto l = decoded_as<Limits>(encode(limits));
  EXPECT_NEAR(l.charge_voltage_limit_v.value_or(0), 432.0, 0.05);
  EXPECT_NEAR(l.discharge_voltage_limit_v, 345.6, 0.05);
  EXPECT_NEAR(l.charge_current_limit_a, 37.0, 0.05);
  EXPECT_NEAR(l.discharge_current_limit_a, 50.0, 0.05);
  EXPECT_EQ(encode(l), encode(limits));
  const CellVoltages cells{3.412, 3.398, 17, 90};
  const auto c = decoded_as<CellVoltages>(encode(cells));
  EXPECT_NEAR(c.max_v, 3.412, 0.0005);
  EXPECT_NEAR(c.min_v, 3.398, 0.0005);
  EXPECT_EQ(c.max_cell, 17);
  EXPECT_EQ(c.min_cell, 90);
  const CellTemperatures temps{24.5, -3.5, 4, 11};
  const auto t = decoded_as<CellTemperatures>(encode(temps));
  EXPECT_NEAR(t.max_c, 24.5, 0.05);
  EXPECT_NEAR(t.min_c, -3.5, 0.05);
  EXPECT_EQ(encode(t), encode(temps));
  const Status status{0x0A, 7, 0x20, 0x0102, 0x0800};
  EXPECT_EQ(decoded_as<Status>(encode(status)), status);
  EXPECT_EQ(decoded_as<Forbidden>(encode(Forbidden{true, true})), (Forbidden{true, true}));
  EXPECT_EQ(decoded_as<FaultExtension>(encode(FaultExtension{0x04})), FaultExtension{0x04});
  EXPECT_EQ(decoded_as<Versions>(encode(Versions{1, 2, 7})), (Versions{1, 2, 7}));
  const System system{128, 8, 16, 409, 74};
  EXPECT_EQ(decoded_as<System>(encode(system)), system);
  EXPECT_EQ(decoded_as<Name>(encode(Name{kIdName1, "PYLON"})), (Name{kIdName1, "PYLON"}));
  EXPECT_EQ(decoded_as<Name>(encode(Name{kIdName2, "TECH"})), (Name{kIdName2, "TECH"}));
  EXPECT_EQ(decoded_as<Request>(encode(Request{kRequestSystem})), Request{kRequestSystem});
  EXPECT_EQ(decoded_as<Sleep>(encode(Sleep{false})), Sleep{false});
  EXPECT_EQ(decoded_as<RelayCommand>(encode(RelayCommand{true, false})),
            (RelayCommand{true, false}));
  for (const auto& f : {encode(ensemble), encode(Request{}), encode(RelayCommand{})}) {
    EXPECT_TRUE(f.extended);
    EXPECT_EQ(f.dlc, 8);
  }
}

TEST(PylontechHvFrames, AlarmAndProtectionBitsNameTheirConditions) {
  Status s;
  s.protections = 0x0002;  // cell high voltage
  s.alarms = 0x0010;       // charge low temperature
  const auto flags = interpret(s, std::nullopt);
  EXPECT_EQ(flags.protections.get(BmsCondition::cell_over_voltage), FlagState::active);
  EXPECT_EQ(flags.protections.get(BmsCondition::cell_under_voltage), FlagState::ok);
  EXPECT_EQ(flags.protections.get(BmsCondition::charge_over_current), FlagState::ok);
  EXPECT_EQ(flags.protections.get(BmsCondition::unknown), FlagState::ok);
  EXPECT_EQ(flags.warnings.get(BmsCondition::charge_under_temperature), FlagState::active);
  EXPECT_EQ(flags.warnings.get(BmsCondition::cell_over_voltage), FlagState::ok);
  // Bit 6, discharge low temperature: its own condition, which blocks discharging (not charging).
  s.protections = 0x0040;
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::discharge_under_temperature),
            FlagState::active);
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::under_temperature),
            FlagState::not_reported);
  // Not covered by this protocol: never reported as ok.
  EXPECT_EQ(flags.protections.get(BmsCondition::short_circuit), FlagState::not_reported);
  EXPECT_EQ(flags.protections.get(BmsCondition::cell_imbalance), FlagState::not_reported);
}

TEST(PylontechHvFrames, ASharedConditionStaysActiveWhicheverBitRaisedIt) {
  Status s;
  s.protections = 0x0004;  // system low voltage: the cell_under_voltage bit 0 is clear
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::cell_under_voltage),
            FlagState::active);
  s.protections = 0x0400;  // module low voltage
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::cell_under_voltage),
            FlagState::active);
}

TEST(PylontechHvFrames, UndefinedBitsErrorsAndFaultsAreProtections) {
  Status s;
  s.protections = 0x1000;  // bit 12: not defined
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::unknown), FlagState::active);
  s = Status{};
  s.alarms = 0x8000;
  EXPECT_EQ(interpret(s, std::nullopt).warnings.get(BmsCondition::unknown), FlagState::active);
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::unknown), FlagState::ok);
  s = Status{};
  s.errors = 0x20;  // relay check
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::contactor), FlagState::active);
  s.errors = 0x01;  // voltage sensor
  EXPECT_EQ(interpret(s, std::nullopt).protections.get(BmsCondition::bms_internal),
            FlagState::active);
  EXPECT_EQ(interpret(Status{}, FaultExtension{0x10}).protections.get(BmsCondition::unknown),
            FlagState::active);
  // A fault past byte 0 (current leakage, bit 21 in the manuals) counts as well.
  const auto leakage = decoded_as<FaultExtension>(ext(0x4290, {0x00, 0x00, 0x20, 0, 0, 0, 0, 0}));
  EXPECT_EQ(leakage.bits, 0x200000u);
  EXPECT_EQ(interpret(Status{}, leakage).protections.get(BmsCondition::unknown), FlagState::active);
  EXPECT_FALSE(interpret(Status{}, FaultExtension{0}).protections.any_active());
}

}  // namespace
}  // namespace bessd::bms::pylontech_hv
