#include <bessd/can/codec/candump.hpp>

#include <gtest/gtest.h>

namespace bessd::can::candump {
namespace {

TEST(Candump, ParsesTheDocumentedLine) {
  auto r = parse_line("(1700000000.123456) can0 351#1402C012C012C201");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->timestamp_us, 1700000000123456LL);
  EXPECT_EQ(r->interface, "can0");
  EXPECT_EQ(r->frame.id, 0x351U);
  EXPECT_FALSE(r->frame.extended);
  EXPECT_EQ(r->frame.dlc, 8);
  EXPECT_EQ(r->frame.data[7], 0x01);
  EXPECT_EQ(format_line(*r), "(1700000000.123456) can0 351#1402C012C012C201");
}

TEST(Candump, ExtendedRemoteErrorAndEmptyFrames) {
  auto ext = parse_line("(1.000001) vcan0 12345678#DEADBEEF");
  ASSERT_TRUE(ext);
  EXPECT_TRUE(ext->frame.extended);
  EXPECT_EQ(ext->frame.id, 0x12345678U);
  EXPECT_EQ(ext->frame.dlc, 4);

  auto rtr = parse_line("(1.000001) can0 123#R");
  ASSERT_TRUE(rtr);
  EXPECT_TRUE(rtr->frame.remote);
  EXPECT_EQ(rtr->frame.dlc, 0);
  auto rtr5 = parse_line("(1.000001) can0 123#R5");
  ASSERT_TRUE(rtr5);
  EXPECT_EQ(rtr5->frame.dlc, 5);

  auto err = parse_line("(1.000001) can0 20000040#0000000000000000");
  ASSERT_TRUE(err);
  EXPECT_TRUE(err->frame.error);
  EXPECT_EQ(err->frame.id, 0x40U);
  EXPECT_EQ(format_line(*err), "(1.000001) can0 20000040#0000000000000000");

  auto empty = parse_line("(1.000001) can0 305#");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->frame.dlc, 0);

  auto dir = parse_line("(1.000001) can0 305#00 T");
  ASSERT_TRUE(dir);
}

TEST(Candump, MalformedLinesAreRejectedWithReasons) {
  const char* bad[] = {
      "",
      "can0 351#14",
      "(1700000000.12) can0 351#14",
      "(1700000000.123456 can0 351#14",
      "(1700000000.123456) can0",
      "(1700000000.123456) can0 351",
      "(1700000000.123456) can0 3511#14",
      "(1700000000.123456) can0 351#1",
      "(1700000000.123456) can0 351#1402C012C012C20101",
      "(1700000000.123456) can0 351#ZZ",
      "(1700000000.123456) can0 351##01402",
      "(1700000000.123456) can0 5FFFFFFF#",
      "(1700000000.123456) can0 351#14 extra",
      "(1700000000.123456) can0 123#R9",
  };
  for (const char* line : bad) {
    auto r = parse_line(line);
    EXPECT_FALSE(r) << line;
    if (!r) {
      EXPECT_EQ(r.error().message.rfind("candump: ", 0), 0U) << r.error().message;
    }
  }
}

// fuzz_candump: 13-digit seconds passed the old bound (10^12, checked before the last digit)
// and seconds * 10^6 overflowed int64_t (undefined behaviour).
TEST(Candump, TimestampsMustFitInt64Microseconds) {
  auto last = parse_line("(9223372036853.999999) can0 351#14");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->timestamp_us, 9'223'372'036'853'999'999LL);
  EXPECT_FALSE(parse_line("(9223372036854.000000) can0 351#14"));
  EXPECT_FALSE(parse_line("(9700000000000.000000) can0 351#14"));
  EXPECT_FALSE(parse_line("(99999999999999999999999.000000) can0 351#14"));
}

TEST(Candump, ParseLogNumbersLinesAndSkipsComments) {
  const std::string text =
      "# recorded on a test bench\n"
      "(1.000000) can0 351#1402C012C012C201\n"
      "\n"
      "(1.100000) can0 bogus\r\n"
      "(1.200000) can0 356#7A13F2FE6B01\r\n";
  auto lines = parse_log(text);
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0].line_number, 2U);
  EXPECT_TRUE(lines[0].record);
  EXPECT_EQ(lines[1].line_number, 4U);
  EXPECT_FALSE(lines[1].record);
  EXPECT_EQ(lines[2].line_number, 5U);
  ASSERT_TRUE(lines[2].record);
  EXPECT_EQ(lines[2].record->frame.dlc, 6);
}

}  // namespace
}  // namespace bessd::can::candump
