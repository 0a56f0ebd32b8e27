#include <gtest/gtest.h>

#include "value_codec.hpp"

namespace bessd::storage {
namespace {

TEST(ValueCodec, RawRoundTripKeepsQuantisedValuesAndAbsence) {
  codec::RawValues v{};
  v[0] = 52.347;   // pack_voltage_v, 0.01 V
  v[2] = -3210.4;  // pack_power_w, 1 W
  v[6] = 3.2915;   // cell_voltage_min_v, 1 mV
  v[23] = 0.0;
  const auto blob = codec::encode_raw(v);
  auto back = codec::decode_raw(blob);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_NEAR(*(*back)[0], 52.35, 1e-9);
  EXPECT_NEAR(*(*back)[2], -3210.0, 1e-9);
  EXPECT_NEAR(*(*back)[6], 3.292, 1e-9);
  EXPECT_EQ((*back)[23], 0.0);
  EXPECT_FALSE((*back)[1].has_value());
  EXPECT_FALSE((*back)[22].has_value());
  EXPECT_LT(blob.size(), 16U);  // compactness is the point of the format
}

TEST(ValueCodec, NonFiniteValuesAreStoredAsAbsent) {
  codec::RawValues v{};
  v[0] = std::numeric_limits<double>::quiet_NaN();
  v[1] = std::numeric_limits<double>::infinity();
  auto back = codec::decode_raw(codec::encode_raw(v));
  ASSERT_TRUE(back);
  EXPECT_FALSE((*back)[0]);
  EXPECT_FALSE((*back)[1]);
}

TEST(ValueCodec, StatsRoundTripWithConstantAndVaryingFields) {
  codec::StatValues s{};
  s[0] = FieldStats{51.0, 52.5, 53.25};
  s[4] = FieldStats{50.0, 50.0, 50.0};  // constant: one value on disk
  auto back = codec::decode_stats(codec::encode_stats(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ((*back)[0], (FieldStats{51.0, 52.5, 53.25}));
  EXPECT_EQ((*back)[4], (FieldStats{50.0, 50.0, 50.0}));
  EXPECT_FALSE((*back)[5].mean);
}

TEST(ValueCodec, TruncatedBlobIsAParseErrorNotACrash) {
  codec::RawValues v{};
  v[0] = 52.0;
  v[2] = 5000.0;
  auto blob = codec::encode_raw(v);
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto r = codec::decode_raw(std::span(blob).first(n));
    ASSERT_FALSE(r) << "prefix " << n;
    EXPECT_EQ(r.error().code, ErrorCode::parse_error);
  }
  codec::StatValues s{};
  s[0] = FieldStats{1.0, 2.0, 3.0};
  auto sb = codec::encode_stats(s);
  for (std::size_t n = 0; n < sb.size(); ++n)
    EXPECT_FALSE(codec::decode_stats(std::span(sb).first(n)));
}

TEST(ValueCodec, OlderRowsWithFewerFieldsDecode) {
  // field_count 2, both present: 52.00 V and 1.0 A (zigzag 5200*2, 10*2).
  const std::vector<std::uint8_t> old{2, 0x03, 0xa0, 0x51, 20};
  auto back = codec::decode_raw(old);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_NEAR(*(*back)[0], 52.0, 1e-9);
  EXPECT_NEAR(*(*back)[1], 1.0, 1e-9);
  EXPECT_FALSE((*back)[2]);
}

}  // namespace
}  // namespace bessd::storage
