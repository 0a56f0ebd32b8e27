#include <bessd/can/codec/slcan.hpp>

#include <gtest/gtest.h>

namespace bessd::can::slcan {
namespace {

ReceivedFrame frame_of(const Result<Message>& m) {
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  EXPECT_TRUE(std::holds_alternative<ReceivedFrame>(*m));
  return std::get<ReceivedFrame>(*m);
}

// Test vectors of the Lawicel protocol (docs/protocols.md "SLCAN").
TEST(SlcanCodec, KernelSampleExtendedFrameWithTimestamp) {
  auto rx = frame_of(parse_line("T1111222281122334455667788EA5F"));
  EXPECT_TRUE(rx.frame.extended);
  EXPECT_EQ(rx.frame.id, 0x11112222U);
  EXPECT_EQ(rx.frame.dlc, 8);
  EXPECT_EQ(rx.frame.data,
            (std::array<std::uint8_t, 8>{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}));
  ASSERT_TRUE(rx.timestamp_ms.has_value());
  EXPECT_EQ(*rx.timestamp_ms, 59999);
}

TEST(SlcanCodec, PylontechLimitsCapture) {
  auto rx = frame_of(parse_line("t35181402C012C012C201"));
  EXPECT_FALSE(rx.frame.extended);
  EXPECT_EQ(rx.frame.id, 0x351U);
  EXPECT_EQ(rx.frame.dlc, 8);
  EXPECT_EQ(rx.frame.data,
            (std::array<std::uint8_t, 8>{0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  EXPECT_FALSE(rx.timestamp_ms.has_value());
}

TEST(SlcanCodec, EncodesKeepAlive) {
  CanFrame ka;
  ka.id = 0x305;
  ka.dlc = 8;
  auto line = encode_frame(ka);
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "t30580000000000000000\r");
}

TEST(SlcanCodec, EncodeParseRoundTripAllKinds) {
  const std::uint8_t bytes[3] = {0xDE, 0xAD, 0x01};
  std::vector<CanFrame> frames{make_frame(0x7FF, bytes), make_extended_frame(0x1FFFFFFF, bytes)};
  CanFrame r;
  r.id = 0x123;
  r.remote = true;
  r.dlc = 5;
  frames.push_back(r);
  CanFrame R = r;
  R.extended = true;
  R.id = 0x1234567;
  frames.push_back(R);
  for (const auto& f : frames) {
    auto line = encode_frame(f);
    ASSERT_TRUE(line);
    ASSERT_EQ(line->back(), '\r');
    auto rx = frame_of(parse_line(std::string_view(*line).substr(0, line->size() - 1)));
    EXPECT_EQ(rx.frame, f) << *line;
  }
  EXPECT_EQ(*encode_frame(r), "r1235\r");
}

TEST(SlcanCodec, EncodeRejectsInvalidFrames) {
  EXPECT_FALSE(encode_frame(make_frame(0x800, {})));
  CanFrame e;
  e.error = true;
  EXPECT_FALSE(encode_frame(e));
}

TEST(SlcanCodec, CommandsAndBitrates) {
  EXPECT_EQ(encode_close(), "C\r");
  EXPECT_EQ(encode_open(), "O\r");
  EXPECT_EQ(encode_timestamps(true), "Z1\r");
  const std::pair<std::uint32_t, const char*> table[] = {
      {10000, "S0\r"},  {20000, "S1\r"},  {50000, "S2\r"},  {100000, "S3\r"}, {125000, "S4\r"},
      {250000, "S5\r"}, {500000, "S6\r"}, {750000, "S7\r"}, {800000, "S7\r"}, {1000000, "S8\r"}};
  for (auto [rate, code] : table) {
    auto s = encode_bitrate(rate);
    ASSERT_TRUE(s) << rate;
    EXPECT_EQ(*s, code);
  }
  auto bad = encode_bitrate(83333);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("83333"), std::string::npos);
}

TEST(SlcanCodec, AcceptsLowercaseHex) {
  auto rx = frame_of(parse_line("t1a22abcd"));
  EXPECT_EQ(rx.frame.id, 0x1A2U);
  EXPECT_EQ(rx.frame.data[0], 0xAB);
  EXPECT_EQ(rx.frame.data[1], 0xCD);
}

TEST(SlcanCodec, RepliesAndStatus) {
  EXPECT_TRUE(std::holds_alternative<Accepted>(*parse_line("")));
  EXPECT_TRUE(std::holds_alternative<Accepted>(*parse_line("z")));
  EXPECT_TRUE(std::holds_alternative<Accepted>(*parse_line("Z")));
  EXPECT_TRUE(std::holds_alternative<Rejected>(*parse_line("", true)));
  auto st = parse_line("FA4");
  ASSERT_TRUE(st);
  EXPECT_EQ(std::get<StatusFlags>(*st).flags, 0xA4);
  EXPECT_EQ(describe_status_flags(0xA4), "error warning, error passive, bus error");
  auto v = parse_line("V1013");
  ASSERT_TRUE(v);
  EXPECT_EQ(std::get<Info>(*v).text, "V1013");
  auto s = parse_line("sb000000");
  ASSERT_TRUE(s);
  EXPECT_EQ(std::get<BusState>(*s).state, 'b');
}

TEST(SlcanCodec, MalformedLinesGiveReasons) {
  const char* bad[] = {"t35",           "t3519",       "tXYZ0",       "t35191402C012C012C201",
                       "t3512140",      "t35120102XX", "T2000000010", "t351814020000000000000",
                       "t3512AABBFFFF", "Q",           "F1",          "tGGG0"};
  for (const char* line : bad) {
    auto m = parse_line(line);
    ASSERT_FALSE(m) << line;
    EXPECT_NE(m.error().message.find("slcan:"), std::string::npos);
    EXPECT_EQ(m.error().code, ErrorCode::parse_error);
  }
}

TEST(SlcanCodec, TimestampAbove59999Rejected) {
  EXPECT_FALSE(parse_line("t1230EA60"));
  EXPECT_TRUE(parse_line("t1230EA5F"));
}

TEST(SlcanParser, SplitWritesGarbageAndStrayCarriageReturns) {
  Parser p;
  Parser::Output out;
  const std::string stream = "\r\rt35181402C012C012C201\r#garbage!\rt3056585800000000000000\r";
  // Feed one byte at a time: every split point must work.
  for (char c : stream) p.feed(std::string_view(&c, 1), out);
  ASSERT_EQ(out.errors.size(), 2U);  // "#garbage!" and the over-long-data line
  std::vector<CanFrame> frames;
  int accepted = 0;
  for (const auto& m : out.messages) {
    if (auto* rx = std::get_if<ReceivedFrame>(&m)) frames.push_back(rx->frame);
    if (std::holds_alternative<Accepted>(m)) ++accepted;
  }
  EXPECT_EQ(accepted, 2);
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].id, 0x351U);
  EXPECT_EQ(p.pending(), 0U);
}

TEST(SlcanParser, OverlongLineDiscardedThenRecovers) {
  Parser p;
  Parser::Output out;
  p.feed(std::string(200, 'A'), out);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_LE(p.pending(), kMaxLineLength);
  p.feed("\rt1231AA\r", out);
  ASSERT_EQ(out.errors.size(), 1U);
  EXPECT_NE(out.errors[0].message.find("longer than"), std::string::npos);
  ASSERT_EQ(out.messages.size(), 1U);
  EXPECT_EQ(std::get<ReceivedFrame>(out.messages[0]).frame.data[0], 0xAA);
}

TEST(SlcanParser, BellEndsALineAndCrlfTolerated) {
  Parser p;
  Parser::Output out;
  p.feed("\at1231AA\r\nt1231BB\r", out);
  ASSERT_EQ(out.messages.size(), 3U);
  EXPECT_TRUE(std::holds_alternative<Rejected>(out.messages[0]));
  EXPECT_TRUE(out.errors.empty());
}

TEST(SlcanParser, ResetDropsPartialLine) {
  Parser p;
  Parser::Output out;
  p.feed("t35181402", out);
  EXPECT_EQ(p.pending(), 9U);
  p.reset();
  p.feed("t1231AA\r", out);
  ASSERT_EQ(out.messages.size(), 1U);
  EXPECT_TRUE(out.errors.empty());
}

}  // namespace
}  // namespace bessd::can::slcan
