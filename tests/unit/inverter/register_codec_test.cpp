#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <bessd/inverter/registers/register_codec.hpp>
#include <bessd/inverter/registers/sunspec.hpp>

namespace bessd::inverter::registers {
namespace {

using W = std::vector<std::uint16_t>;

TEST(RegisterCodec, SignedAndUnsigned16) {
  EXPECT_EQ(*decode_raw(W{0xFF9C}, RegisterType::s16, WordOrder::high_first), -100.0);
  EXPECT_EQ(*decode_raw(W{0xFF9C}, RegisterType::u16, WordOrder::high_first), 65436.0);
  // Victron 841 = 0xFF9C, scale 0.1 -> -10.0 A (docs/protocols.md "Victron GX").
  EXPECT_DOUBLE_EQ(*decode_scaled(W{0xFF9C}, RegisterType::s16, WordOrder::high_first, 0.1), -10.0);
}

TEST(RegisterCodec, ThirtyTwoBitWordOrders) {
  EXPECT_EQ(*decode_raw(W{0x0001, 0x0002}, RegisterType::u32, WordOrder::high_first), 65538.0);
  EXPECT_EQ(*decode_raw(W{0x0002, 0x0001}, RegisterType::u32, WordOrder::low_first), 65538.0);
  EXPECT_EQ(*decode_raw(W{0xFFFF, 0xF830}, RegisterType::s32, WordOrder::high_first), -2000.0);
  EXPECT_EQ(*decode_raw(W{0xF830, 0xFFFF}, RegisterType::s32, WordOrder::low_first), -2000.0);
}

TEST(RegisterCodec, VictronSetpointVector) {
  // -2000 W to 2716-2717: FC16 data FF FF F8 30.
  auto r = encode_scaled(-2000.0, RegisterType::s32, WordOrder::high_first, 1.0);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (W{0xFFFF, 0xF830}));
}

TEST(RegisterCodec, Float32) {
  std::uint32_t bits = 0;
  const float f = 1234.5f;
  std::memcpy(&bits, &f, 4);
  const W hi{static_cast<std::uint16_t>(bits >> 16), static_cast<std::uint16_t>(bits & 0xFFFF)};
  EXPECT_FLOAT_EQ(static_cast<float>(*decode_raw(hi, RegisterType::f32, WordOrder::high_first)),
                  1234.5f);
  auto enc = encode_scaled(1234.5, RegisterType::f32, WordOrder::high_first, 1.0);
  ASSERT_TRUE(enc);
  EXPECT_EQ(*enc, hi);
  // NaN decodes to a value but fails the scaled decode (not finite).
  EXPECT_FALSE(decode_scaled(W{0x7FC0, 0x0000}, RegisterType::f32, WordOrder::high_first, 1.0));
}

TEST(RegisterCodec, SunSpecScaleFactor) {
  // W = 1234, W_SF = -1 -> 123.4 W (docs/protocols.md "SunSpec", scale factors).
  EXPECT_DOUBLE_EQ(*decode_scaled(W{1234}, RegisterType::s16, WordOrder::high_first, 1.0, -1),
                   123.4);
  EXPECT_FALSE(decode_scaled(W{1}, RegisterType::s16, WordOrder::high_first, 1.0, 11));
  auto enc = encode_scaled(-50.0, RegisterType::s16, WordOrder::high_first, 1.0, -2);
  ASSERT_TRUE(enc);
  EXPECT_EQ(*enc, (W{static_cast<std::uint16_t>(-5000)}));
}

TEST(RegisterCodec, SunSpecSentinels) {
  EXPECT_TRUE(is_sunspec_unimplemented(W{0x8000}, RegisterType::s16, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0x8000}, RegisterType::sunssf, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0xFFFF}, RegisterType::u16, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0xFFFF}, RegisterType::enum16, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0}, RegisterType::acc16, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0x8000, 0}, RegisterType::s32, WordOrder::high_first));
  EXPECT_TRUE(
      is_sunspec_unimplemented(W{0xFFFF, 0xFFFF}, RegisterType::u32, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0x7FC0, 0}, RegisterType::f32, WordOrder::high_first));
  EXPECT_TRUE(is_sunspec_unimplemented(W{0, 0}, RegisterType::string, WordOrder::high_first));
  EXPECT_FALSE(is_sunspec_unimplemented(W{0x7FFF}, RegisterType::s16, WordOrder::high_first));
  EXPECT_FALSE(is_sunspec_unimplemented(W{0x4142}, RegisterType::string, WordOrder::high_first));
}

TEST(RegisterCodec, Strings) {
  EXPECT_EQ(*decode_string(W{0x4162, 0x6300, 0x4142}), "Abc");
  EXPECT_EQ(*decode_string(W{0x4142, 0x2020}), "AB");
}

TEST(RegisterCodec, EncodeRangeChecks) {
  EXPECT_EQ(encode_scaled(40000, RegisterType::s16, WordOrder::high_first, 1.0).error().code,
            ErrorCode::out_of_range);
  EXPECT_EQ(encode_scaled(-1, RegisterType::u16, WordOrder::high_first, 1.0).error().code,
            ErrorCode::out_of_range);
  EXPECT_EQ(encode_scaled(NAN, RegisterType::u16, WordOrder::high_first, 1.0).error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(encode_scaled(1, RegisterType::string, WordOrder::high_first, 1.0).error().code,
            ErrorCode::invalid_argument);
  EXPECT_FALSE(decode_raw(W{1}, RegisterType::u32, WordOrder::high_first));
  // 230.04 V at 0.1 V steps rounds to 2300.
  EXPECT_EQ(*encode_scaled(230.04, RegisterType::u16, WordOrder::high_first, 0.1), (W{2300}));
}

TEST(SunSpecLayout, MarkerAndChain) {
  EXPECT_TRUE(sunspec::is_marker(W{0x5375, 0x6E53}));
  EXPECT_FALSE(sunspec::is_marker(W{0x5375}));
  auto next = sunspec::next_model_address(40002, {1, 66});
  ASSERT_TRUE(next);
  EXPECT_EQ(**next, 40070u);
  auto end = sunspec::next_model_address(40070, {0xFFFF, 0});
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
  EXPECT_FALSE(sunspec::next_model_address(65000, {103, 1000}));
  sunspec::ModelDirectory dir;
  dir.add(40002, {1, 66});
  dir.add(40070, {103, 50});
  dir.add(40200, {103, 50});  // a second instance is ignored
  EXPECT_EQ(dir.start_of(103), 40070);
  EXPECT_FALSE(dir.start_of(124));
}

}  // namespace
}  // namespace bessd::inverter::registers
