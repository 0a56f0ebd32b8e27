#include <bessd/can/can_frame.hpp>

#include <gtest/gtest.h>

namespace bessd::can {
namespace {

TEST(CanFrame, MakeFrameTruncatesToEightBytes) {
  const std::uint8_t bytes[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto f = make_frame(0x123, bytes);
  EXPECT_EQ(f.dlc, 8);
  EXPECT_EQ(f.data[7], 8);
  EXPECT_TRUE(is_valid(f));
}

TEST(CanFrame, ValidityChecksIdWidthAndDlc) {
  auto f = make_frame(0x800, {});
  EXPECT_FALSE(is_valid(f));
  f.extended = true;
  EXPECT_TRUE(is_valid(f));
  f.id = 0x20000000;
  EXPECT_FALSE(is_valid(f));
  auto g = make_frame(0x1, {});
  g.dlc = 9;
  EXPECT_FALSE(is_valid(g));
}

TEST(CanFrame, ToStringUsesCandumpForm) {
  EXPECT_EQ(to_string(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12})), "351#1402C012");
  const std::uint8_t none[1] = {0};
  auto ext = make_extended_frame(0x1ABCDEF, std::span<const std::uint8_t>(none, 0));
  EXPECT_EQ(to_string(ext), "01ABCDEF#");
  CanFrame rtr;
  rtr.id = 0x12;
  rtr.remote = true;
  rtr.dlc = 4;
  EXPECT_EQ(to_string(rtr), "012#R4");
}

TEST(CanFrame, OversizedDlcNeverReadsPastTheData) {
  // Found by fuzz_pylontech: a frame claiming DLC 9 made to_string() read data[8].
  auto f = make_frame(0x351, {1, 2, 3, 4, 5, 6, 7, 8});
  f.dlc = 9;
  EXPECT_EQ(f.payload().size(), 8U);
  EXPECT_EQ(to_string(f), "351#0102030405060708");
}

TEST(CanFrame, FilterMatchesIdUnderMaskAndFrameFormat) {
  CanFilter filt{0x350, 0x7F0, false};
  EXPECT_TRUE(matches(filt, make_frame(0x35A, {})));
  EXPECT_FALSE(matches(filt, make_frame(0x360, {})));
  auto ext = make_frame(0x351, {});
  ext.extended = true;
  EXPECT_FALSE(matches(filt, ext));
}

}  // namespace
}  // namespace bessd::can
