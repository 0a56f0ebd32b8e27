// Published capture test vectors, the bit maps of docs/protocols.md, malformed and short
// frames, unknown ids, and encode/decode round trips.
#include <bessd/bms/protocols/pylontech_lv_frames.hpp>

#include <gtest/gtest.h>

namespace bessd::bms::pylontech {
namespace {

using can::make_frame;
using core::BmsCondition;
using core::FlagState;

template <typename T>
T decode_as(const can::CanFrame& f, DecodeOptions opt = {}) {
  auto r = decode(f, opt);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  if (!r || !r->has_value()) {
    ADD_FAILURE() << "no frame decoded from " << can::to_string(f);
    return T{};
  }
  EXPECT_TRUE(std::holds_alternative<T>(**r)) << can::to_string(f);
  return std::get<T>(**r);
}

std::string reject_reason(const can::CanFrame& f) {
  auto r = decode(f);
  if (r) {
    ADD_FAILURE() << "expected a rejection of " << can::to_string(f);
    return {};
  }
  return r.error().message;
}

// --- V1.2 capture (US5000, old firmware) ---
TEST(PylontechCaptureV12, Limits351) {
  auto v = decode_as<Limits>(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  EXPECT_DOUBLE_EQ(v.charge_voltage_limit_v, 53.2);
  EXPECT_DOUBLE_EQ(v.charge_current_limit_a, 480.0);
  EXPECT_DOUBLE_EQ(v.discharge_current_limit_a, 480.0);
  ASSERT_TRUE(v.discharge_voltage_limit_v);
  EXPECT_DOUBLE_EQ(*v.discharge_voltage_limit_v, 45.0);
}

TEST(PylontechCaptureV12, ChargeState355FourBytes) {
  auto v = decode_as<ChargeState>(make_frame(0x355, {0x58, 0x00, 0x5E, 0x00}));
  EXPECT_DOUBLE_EQ(v.soc_pct, 88);
  EXPECT_DOUBLE_EQ(v.soh_pct, 94);
  EXPECT_FALSE(v.soc_hires_pct);
}

TEST(PylontechCaptureV12, Measurements356DischargingIsNegative) {
  auto v = decode_as<Measurements>(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
  EXPECT_NEAR(v.voltage_v, 49.86, 1e-9);
  EXPECT_NEAR(v.current_a, -27.0, 1e-9);
  EXPECT_NEAR(v.temperature_c, 36.3, 1e-9);
  EXPECT_FALSE(v.cycle_count);
  auto inv = decode_as<Measurements>(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}),
                                     DecodeOptions{true});
  EXPECT_NEAR(inv.current_a, 27.0, 1e-9);
}

TEST(PylontechCaptureV12, Flags359NoFlagsSixModules) {
  auto v = decode_as<PylonFlags>(make_frame(0x359, {0x00, 0x00, 0x00, 0x00, 0x06, 0x50, 0x4E}));
  ASSERT_TRUE(v.module_count);
  EXPECT_EQ(*v.module_count, 6);
  auto sets = interpret(v);
  // Items 0x359 covers are ok; the others stay not reported.
  for (auto c : {BmsCondition::cell_over_voltage, BmsCondition::cell_under_voltage,
                 BmsCondition::over_temperature, BmsCondition::under_temperature,
                 BmsCondition::discharge_over_current, BmsCondition::charge_over_current,
                 BmsCondition::bms_internal, BmsCondition::unknown}) {
    EXPECT_EQ(sets.protections.get(c), FlagState::ok) << core::to_string(c);
    EXPECT_EQ(sets.warnings.get(c), FlagState::ok) << core::to_string(c);
  }
  for (auto c : {BmsCondition::general, BmsCondition::contactor, BmsCondition::short_circuit,
                 BmsCondition::cell_imbalance, BmsCondition::charge_over_temperature}) {
    EXPECT_EQ(sets.protections.get(c), FlagState::not_reported) << core::to_string(c);
  }
  EXPECT_FALSE(sets.protections.any_active());
}

TEST(PylontechCaptureV12, Requests35CChargeAndDischargeEnabled) {
  auto v = decode_as<Requests>(make_frame(0x35C, {0xC0, 0x00}));
  EXPECT_EQ(v.bits, 0xC0);
  EXPECT_TRUE(v.bits & kReqChargeEnable);
  EXPECT_TRUE(v.bits & kReqDischargeEnable);
  EXPECT_FALSE(v.bits & kReqForceChargeI);
}

TEST(PylontechCaptureV12, Manufacturer35E) {
  auto v = decode_as<Text>(make_frame(0x35E, {0x50, 0x59, 0x4C, 0x4F, 0x4E, 0x20, 0x20, 0x20}));
  EXPECT_EQ(v.text, "PYLON");
  EXPECT_EQ(v.id, kIdManufacturer);
  // Pytes: 5 bytes, diyBMS: NUL padded.
  EXPECT_EQ(decode_as<Text>(make_frame(0x35E, {'P', 'Y', 'T', 'E', 'S'})).text, "PYTES");
  EXPECT_EQ(decode_as<Text>(make_frame(0x35E, {'D', 'I', 'Y', 0, 0, 0, 0})).text, "DIY");
}

// --- V1.3 capture (new firmware) ---
TEST(PylontechCaptureV13, ChargeState355SixBytesHiResZeroMeansNotPopulated) {
  auto v = decode_as<ChargeState>(make_frame(0x355, {0x54, 0x00, 0x60, 0x00, 0x00, 0x00}));
  EXPECT_DOUBLE_EQ(v.soc_pct, 84);
  EXPECT_DOUBLE_EQ(v.soh_pct, 96);
  EXPECT_FALSE(v.soc_hires_pct);
}

TEST(PylontechCaptureV13, Alarms35AAllZeroIsNotSupportedNeverOk) {
  auto v = decode_as<Alarms>(make_frame(0x35A, {0, 0, 0, 0, 0, 0, 0, 0}));
  auto sets = interpret(v);
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    EXPECT_EQ(sets.protections.items[i], FlagState::not_reported) << i;
    EXPECT_EQ(sets.warnings.items[i], FlagState::not_reported) << i;
  }
  EXPECT_FALSE(sets.protections.any_reported());
}

TEST(PylontechCaptureV13, BatteryInfo35F) {
  auto v =
      decode_as<BatteryInfo>(make_frame(0x35F, {0x4C, 0x49, 0x01, 0x03, 0x3C, 0x02, 0xAA, 0x00}));
  EXPECT_EQ(v.battery_type, "LI");
  EXPECT_EQ(v.firmware_major, 1);
  EXPECT_EQ(v.firmware_minor, 3);
  EXPECT_EQ(v.capacity_ah, 572);
  ASSERT_TRUE(v.product_id);
  EXPECT_EQ(*v.product_id, 0x00AA);
}

// --- Second Pylontech sample and the two derived 0x35A vectors ---
TEST(PylontechSample, Limits351Other) {
  auto v = decode_as<Limits>(make_frame(0x351, {0x14, 0x02, 0x74, 0x0E, 0x74, 0x0E, 0xCC, 0x01}));
  EXPECT_DOUBLE_EQ(v.charge_voltage_limit_v, 53.2);
  EXPECT_DOUBLE_EQ(v.charge_current_limit_a, 370.0);
  EXPECT_DOUBLE_EQ(v.discharge_current_limit_a, 370.0);
  EXPECT_DOUBLE_EQ(*v.discharge_voltage_limit_v, 46.0);
}

TEST(PylontechSample, Alarms35AHighVoltageActive) {
  auto sets = interpret(decode_as<Alarms>(make_frame(0x35A, {0x04, 0, 0, 0, 0, 0, 0, 0})));
  EXPECT_EQ(sets.protections.get(BmsCondition::cell_over_voltage), FlagState::active);
  EXPECT_EQ(sets.protections.get(BmsCondition::general), FlagState::not_reported);
  EXPECT_EQ(sets.protections.get(BmsCondition::cell_under_voltage), FlagState::not_reported);
  EXPECT_EQ(sets.warnings.get(BmsCondition::cell_over_voltage), FlagState::not_reported);
  EXPECT_EQ(sets.protections.get(BmsCondition::unknown), FlagState::not_reported);
}

TEST(PylontechSample, Alarms35AHighVoltageOk) {
  auto sets = interpret(decode_as<Alarms>(make_frame(0x35A, {0x08, 0, 0, 0, 0, 0, 0, 0})));
  EXPECT_EQ(sets.protections.get(BmsCondition::cell_over_voltage), FlagState::ok);
  EXPECT_FALSE(sets.protections.any_active());
  EXPECT_EQ(sets.protections.get(BmsCondition::cell_under_voltage), FlagState::not_reported);
}

// --- Bit maps ---
TEST(PylontechBitMap359, EveryDefinedBit) {
  struct Case {
    int byte;
    std::uint8_t mask;
    BmsCondition condition;
  };
  const Case cases[] = {
      {0, 0x02, BmsCondition::cell_over_voltage},      {0, 0x04, BmsCondition::cell_under_voltage},
      {0, 0x08, BmsCondition::over_temperature},       {0, 0x10, BmsCondition::under_temperature},
      {0, 0x80, BmsCondition::discharge_over_current}, {1, 0x01, BmsCondition::charge_over_current},
      {1, 0x08, BmsCondition::bms_internal},
  };
  for (const auto& c : cases) {
    for (int level = 0; level < 2; ++level) {  // protection bytes 0-1, alarm bytes 2-3
      std::array<std::uint8_t, 7> d{0, 0, 0, 0, 1, 'P', 'N'};
      d[static_cast<std::size_t>(c.byte) + 2 * static_cast<std::size_t>(level)] = c.mask;
      auto sets = interpret(decode_as<PylonFlags>(make_frame(0x359, d)));
      const auto& hit = level == 0 ? sets.protections : sets.warnings;
      const auto& other = level == 0 ? sets.warnings : sets.protections;
      EXPECT_EQ(hit.get(c.condition), FlagState::active) << core::to_string(c.condition);
      EXPECT_EQ(hit.get(BmsCondition::unknown), FlagState::ok);
      EXPECT_FALSE(other.any_active());
      int active = 0;
      for (auto s : hit.items) active += s == FlagState::active;
      EXPECT_EQ(active, 1) << core::to_string(c.condition);
    }
  }
}

TEST(PylontechBitMap359, ReservedBitsAreUnknownActive) {
  // byte 0 bits 0,5,6; byte 1 bits 1,2,4-7 (Battery-Emulator's 0x80 "fault"), same on alarms.
  for (std::uint8_t m : {0x01, 0x20, 0x40}) {
    auto sets = interpret(decode_as<PylonFlags>(make_frame(0x359, {m, 0, 0, 0, 1, 'P', 'N'})));
    EXPECT_EQ(sets.protections.get(BmsCondition::unknown), FlagState::active) << int(m);
    EXPECT_TRUE(sets.protections.any_active());
  }
  for (std::uint8_t m : {0x02, 0x04, 0x10, 0x20, 0x40, 0x80}) {
    auto sets = interpret(decode_as<PylonFlags>(make_frame(0x359, {0, m, 0, 0, 1, 'P', 'N'})));
    EXPECT_EQ(sets.protections.get(BmsCondition::unknown), FlagState::active) << int(m);
  }
  auto sets = interpret(decode_as<PylonFlags>(make_frame(0x359, {0, 0, 0, 0x80, 1, 'P', 'N'})));
  EXPECT_EQ(sets.warnings.get(BmsCondition::unknown), FlagState::active);
  EXPECT_EQ(sets.protections.get(BmsCondition::unknown), FlagState::ok);
}

TEST(PylontechBitMap359, BatteryEmulatorOverTemperature0x0CSetsBothBits) {
  auto sets = interpret(decode_as<PylonFlags>(make_frame(0x359, {0x0C, 0, 0, 0, 1, 'P', 'N'})));
  EXPECT_EQ(sets.protections.get(BmsCondition::over_temperature), FlagState::active);
  EXPECT_EQ(sets.protections.get(BmsCondition::cell_under_voltage), FlagState::active);
}

TEST(PylontechBitMap35A, EveryPairAlarmAndWarning) {
  const BmsCondition map[4][4] = {
      {BmsCondition::general, BmsCondition::cell_over_voltage, BmsCondition::cell_under_voltage,
       BmsCondition::over_temperature},
      {BmsCondition::under_temperature, BmsCondition::charge_over_temperature,
       BmsCondition::charge_under_temperature, BmsCondition::discharge_over_current},
      {BmsCondition::charge_over_current, BmsCondition::contactor, BmsCondition::short_circuit,
       BmsCondition::bms_internal},
      {BmsCondition::cell_imbalance, BmsCondition::unknown, BmsCondition::unknown,
       BmsCondition::unknown}};
  for (int warn = 0; warn < 2; ++warn) {
    for (int b = 0; b < 4; ++b) {
      for (int pair = 0; pair < 4; ++pair) {
        const BmsCondition c = map[b][pair];
        for (unsigned value : {0b01U, 0b10U, 0b11U, 0b00U}) {
          std::array<std::uint8_t, 8> d{};
          d[static_cast<std::size_t>(b) + 4 * static_cast<std::size_t>(warn)] =
              static_cast<std::uint8_t>(value << (2 * pair));
          auto sets = interpret(decode_as<Alarms>(make_frame(0x35A, d)));
          const auto& hit = warn ? sets.warnings : sets.protections;
          const auto& other = warn ? sets.protections : sets.warnings;
          FlagState want = (value & 1U)
                               ? FlagState::active
                               : (value == 0b10U ? FlagState::ok : FlagState::not_reported);
          if (c == BmsCondition::unknown && want == FlagState::ok) want = FlagState::not_reported;
          EXPECT_EQ(hit.get(c), want) << "byte " << b + 4 * warn << " pair " << pair;
          EXPECT_FALSE(other.any_reported());
        }
      }
    }
  }
}

TEST(PylontechBitMap35A, FourByteFrameHasNoWarnings) {
  auto v = decode_as<Alarms>(make_frame(0x35A, {0xAA, 0xAA, 0xAA, 0x02}));
  EXPECT_FALSE(v.has_warnings);
  auto sets = interpret(v);
  EXPECT_EQ(sets.protections.get(BmsCondition::short_circuit), FlagState::ok);
  EXPECT_EQ(sets.protections.get(BmsCondition::cell_imbalance), FlagState::ok);
  EXPECT_FALSE(sets.warnings.any_reported());
}

TEST(PylontechBitMap35C, EveryRequestBit) {
  EXPECT_EQ(decode_as<Requests>(make_frame(0x35C, {0xA0, 0})).bits,
            kReqChargeEnable | kReqForceChargeI);
  EXPECT_EQ(kReqForceChargeII, 0x10);
  EXPECT_EQ(kReqFullCharge, 0x08);
}

// --- Other frames ---
TEST(PylontechFrames, Limits351SixBytesHasNoDvlAndNegativeDclIsMagnitude) {
  // DCL -50.0 A on the wire (0xFE0C) -> 50.0 A; CCL -10.0 A -> 10.0 A.
  auto v = decode_as<Limits>(make_frame(0x351, {0x14, 0x02, 0x9C, 0xFF, 0x0C, 0xFE}));
  EXPECT_DOUBLE_EQ(v.charge_current_limit_a, 10.0);
  EXPECT_DOUBLE_EQ(v.discharge_current_limit_a, 50.0);
  EXPECT_FALSE(v.discharge_voltage_limit_v);
}

TEST(PylontechFrames, ChargeState355HiResAndJbdCycleCount) {
  auto v = decode_as<ChargeState>(make_frame(0x355, {0x54, 0x00, 0x60, 0x00, 0xE1, 0x20}));
  ASSERT_TRUE(v.soc_hires_pct);
  EXPECT_NEAR(*v.soc_hires_pct, 84.17, 1e-9);
  auto m =
      decode_as<Measurements>(make_frame(0x356, {0x7A, 0x13, 0x0E, 0x01, 0x6B, 0x01, 0x2C, 0x01}));
  EXPECT_NEAR(m.current_a, 27.0, 1e-9);
  EXPECT_EQ(*m.cycle_count, 300);
  auto cold = decode_as<Measurements>(make_frame(0x356, {0x7A, 0x13, 0, 0, 0x9C, 0xFF}));
  EXPECT_NEAR(cold.temperature_c, -10.0, 1e-9);
}

TEST(PylontechFrames, ModulesCellsEnergyCapacity) {
  auto mods = decode_as<Modules>(make_frame(0x372, {6, 0, 1, 0, 2, 0, 3, 0}));
  EXPECT_EQ(mods, (Modules{6, 1, 2, 3}));
  // 3.201 V / 3.345 V, 288 K / 301 K -> 15 / 28 degC
  auto cells =
      decode_as<CellExtremes>(make_frame(0x373, {0x81, 0x0C, 0x11, 0x0D, 0x20, 0x01, 0x2D, 0x01}));
  EXPECT_NEAR(cells.cell_voltage_min_v, 3.201, 1e-9);
  EXPECT_NEAR(cells.cell_voltage_max_v, 3.345, 1e-9);
  EXPECT_DOUBLE_EQ(cells.cell_temperature_min_c, 15);
  EXPECT_DOUBLE_EQ(cells.cell_temperature_max_c, 28);
  auto e = decode_as<Energy>(make_frame(0x378, {0x10, 0x27, 0, 0, 0xE8, 0x03, 0, 0}));
  EXPECT_NEAR(e.charged_kwh, 1000.0, 1e-9);
  EXPECT_NEAR(e.discharged_kwh, 100.0, 1e-9);
  EXPECT_EQ(decode_as<Capacity>(make_frame(0x379, {0x3C, 0x02})).capacity_ah, 572);
  EXPECT_EQ(decode_as<Text>(make_frame(0x370, {'U', 'S', '5', '0', '0', '0', ' ', ' '})).text,
            "US5000");
}

// --- Rejections and ignores ---
TEST(PylontechMalformed, ShortFramesRejectedWithReason) {
  struct Case {
    std::uint32_t id;
    std::uint8_t dlc;
    unsigned need;
  };
  const Case cases[] = {{0x351, 5, 6}, {0x355, 3, 4}, {0x356, 5, 6}, {0x359, 3, 4}, {0x35A, 3, 4},
                        {0x35C, 0, 1}, {0x35E, 0, 1}, {0x35F, 5, 6}, {0x370, 0, 1}, {0x372, 7, 8},
                        {0x373, 7, 8}, {0x378, 7, 8}, {0x379, 1, 2}};
  for (const auto& c : cases) {
    can::CanFrame f;
    f.id = c.id;
    f.dlc = c.dlc;
    f.data.fill(0x01);
    for (std::size_t i = c.dlc; i < 8; ++i) f.data[i] = 0;
    const auto reason = reject_reason(f);
    char want[64];
    std::snprintf(want, sizeof want, "pylontech_lv 0x%03X: DLC %u, need at least %u", c.id,
                  static_cast<unsigned>(c.dlc), c.need);
    EXPECT_EQ(reason, want);
  }
}

TEST(PylontechMalformed, BadValuesRejected) {
  EXPECT_NE(reject_reason(make_frame(0x355, {101, 0, 90, 0})).find("SOC above 100"),
            std::string::npos);
  EXPECT_NE(reject_reason(make_frame(0x355, {50, 0, 101, 0})).find("SOH above 100"),
            std::string::npos);
  EXPECT_NE(reject_reason(make_frame(0x355, {50, 0, 90, 0, 0x11, 0x27})).find("hi-res"),
            std::string::npos);
  EXPECT_NE(reject_reason(make_frame(0x35E, {'P', 0x01, 'L'})).find("non-printable"),
            std::string::npos);
  EXPECT_NE(reject_reason(make_frame(0x35E, {'P', 0, 'L'})).find("after NUL"), std::string::npos);
  EXPECT_NE(reject_reason(make_frame(0x35A, {0, 0, 0, 0, 0, 0})).find("neither 4 nor 8"),
            std::string::npos);
  EXPECT_NE(reject_reason(make_frame(0x373, {0x11, 0x0D, 0x81, 0x0C, 0x20, 0x01, 0x2D, 0x01}))
                .find("min cell voltage above max"),
            std::string::npos);
  can::CanFrame f = make_frame(0x351, {});
  f.dlc = 9;
  EXPECT_NE(reject_reason(f).find("DLC above 8"), std::string::npos);
}

TEST(PylontechIgnored, UnknownIdsExtendedRemoteAndErrorFrames) {
  for (std::uint32_t id :
       {0x000U, 0x305U, 0x307U, 0x350U, 0x35BU, 0x360U, 0x374U, 0x380U, 0x7FFU}) {
    auto r = decode(make_frame(id, {1, 2, 3, 4, 5, 6, 7, 8}));
    ASSERT_TRUE(r) << id;
    EXPECT_FALSE(r->has_value()) << id;
  }
  auto ext = make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01});
  ext.extended = true;
  EXPECT_FALSE(decode(ext)->has_value());
  auto rtr = make_frame(0x351, {});
  rtr.remote = true;
  EXPECT_FALSE(decode(rtr)->has_value());
  auto err = make_frame(0x351, {0, 0, 0, 0, 0, 0, 0, 0});
  err.error = true;
  EXPECT_FALSE(decode(err)->has_value());
}

// --- Encoders (the simulator's side) ---
TEST(PylontechEncode, KeepAliveAndIdent) {
  auto ka = encode_keepalive();
  EXPECT_EQ(can::to_string(ka), "305#0000000000000000");
  EXPECT_EQ(can::to_string(encode_inverter_ident()), "307#0000000056494300");
}

TEST(PylontechEncode, ReproducesTheCapturesByteForByte) {
  EXPECT_EQ(can::to_string(encode(Limits{53.2, 480.0, 480.0, 45.0})), "351#1402C012C012C201");
  EXPECT_EQ(can::to_string(encode(ChargeState{88, 94, std::nullopt}, 4)), "355#58005E00");
  EXPECT_EQ(can::to_string(encode(ChargeState{84, 96, std::nullopt}, 6)), "355#540060000000");
  EXPECT_EQ(can::to_string(encode(Measurements{49.86, -27.0, 36.3, std::nullopt})),
            "356#7A13F2FE6B01");
  EXPECT_EQ(can::to_string(encode(PylonFlags{0, 0, 0, 0, 6})), "359#0000000006504E");
  EXPECT_EQ(can::to_string(encode(Requests{0xC0})), "35C#C000");
  EXPECT_EQ(can::to_string(encode(Text{kIdManufacturer, "PYLON"})), "35E#50594C4F4E202020");
  EXPECT_EQ(can::to_string(encode(BatteryInfo{"LI", 1, 3, 572, 0x00AA})), "35F#4C4901033C02AA00");
  EXPECT_EQ(can::to_string(encode(Alarms{})), "35A#0000000000000000");
}

TEST(PylontechEncode, RoundTripEveryFrameType) {
  const std::vector<Frame> frames{
      Limits{55.0, 100.5, 80.0, 47.5},
      ChargeState{42, 99, 42.17},
      Measurements{51.23, 12.3, -5.5, 17},
      PylonFlags{0x82, 0x08, 0x10, 0x01, 3},
      Alarms{{0x04, 0x10, 0x40, 0x01, 0x08, 0, 0, 0}, true},
      Requests{0xA8},
      Text{kIdBmsName1, "US5000"},
      BatteryInfo{"LI", 2, 1, 100, std::nullopt},
      Modules{3, 1, 0, 0},
      CellExtremes{3.2, 3.4, -5, 40},
      Energy{123.4, 99.9},
      Capacity{300},
  };
  for (const auto& v : frames) {
    auto f = encode_frame(v);
    auto back = decode(f);
    ASSERT_TRUE(back && back->has_value()) << can::to_string(f);
    EXPECT_EQ(back->value().index(), v.index());
    // Decoded values carry the wire resolution: re-encoding must give the same bytes.
    EXPECT_EQ(encode_frame(**back), f) << can::to_string(f);
  }
}

TEST(PylontechEncode, ClampsOutOfRangeValues) {
  auto f = encode(Measurements{500.0, -5000.0, 0, std::nullopt});
  auto v = std::get<Measurements>(**decode(f));
  EXPECT_NEAR(v.voltage_v, 327.67, 1e-9);
  EXPECT_NEAR(v.current_a, -3276.8, 1e-9);
}

}  // namespace
}  // namespace bessd::bms::pylontech
