#include <array>
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include <bessd/api/json.hpp>
#include <bessd/api/query_params.hpp>

namespace bessd::api {
namespace {

const WallTime kNow{std::chrono::seconds{1'795'000'000}};

TEST(ParseTime, Rfc3339WithZoneAndFraction) {
  EXPECT_EQ(parse_time("2026-11-18T11:06:40Z", kNow), kNow);
  EXPECT_EQ(parse_time("2026-11-18T12:06:40+01:00", kNow), kNow);
  EXPECT_EQ(parse_time("2026-11-18T10:36:40-00:30", kNow), kNow);
  EXPECT_EQ(parse_time("2026-11-18T11:06:40.250Z", kNow), kNow + std::chrono::milliseconds{250});
}

TEST(ParseTime, UnixSecondsRelativeAndNow) {
  EXPECT_EQ(parse_time("1795000000", kNow), kNow);
  EXPECT_EQ(parse_time("now", kNow), kNow);
  EXPECT_EQ(parse_time("-90s", kNow), kNow - std::chrono::seconds{90});
  EXPECT_EQ(parse_time("-15m", kNow), kNow - std::chrono::minutes{15});
  EXPECT_EQ(parse_time("-2h", kNow), kNow - std::chrono::hours{2});
  EXPECT_EQ(parse_time("-7d", kNow), kNow - std::chrono::hours{7 * 24});
}

TEST(ParseTime, RejectsMalformed) {
  for (const char* bad :
       {"", "-", "-h", "-5y", "-1.5h", "2026-11-19", "2026-11-19T04:26:40", "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z", "2026-11-19T24:00:00Z", "2026-11-19T04:26:40.Z",
        "2026-11-19T04:26:40Zjunk", "99999999999999", "12a", "-99999999999d", "7258118401",
        "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"})
    EXPECT_FALSE(parse_time(bad, kNow).has_value()) << bad;
}

TEST(FormatTime, MillisecondsUtc) {
  EXPECT_EQ(format_time(kNow + std::chrono::milliseconds{7}), "2026-11-18T11:06:40.007Z");
  EXPECT_EQ(format_time(WallTime{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(WallTime{} - std::chrono::milliseconds{1}), "1969-12-31T23:59:59.999Z");
}

TEST(FormatTime, SameTextAsPrintfOverTheYears) {
  using namespace std::chrono;
  const auto printf_text = [](WallTime t) {
    const auto ms = floor<milliseconds>(t);
    const auto day = floor<days>(ms);
    const year_month_day ymd{day};
    const hh_mm_ss<milliseconds> hms{ms - day};
    std::array<char, 40> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return std::string(buf.data());
  };
  std::mt19937_64 rng(7);
  // Every time a WallTime can hold (1677 to 2262), to the nanosecond.
  std::uniform_int_distribution<WallTime::rep> pick(WallTime::min().time_since_epoch().count(),
                                                    WallTime::max().time_since_epoch().count());
  for (int n = 0; n < 20000; ++n) {
    const WallTime t{WallTime::duration{pick(rng)}};
    ASSERT_EQ(format_time(t), printf_text(t)) << n;
  }
  EXPECT_EQ(format_time(WallTime::min()), printf_text(WallTime::min()));
  EXPECT_EQ(format_time(WallTime::max()), printf_text(WallTime::max()));
}

TEST(PercentDecode, EscapesAndErrors) {
  EXPECT_EQ(percent_decode("a%20b%2Bc+d"), "a b+c+d");
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%4").has_value());
  EXPECT_FALSE(percent_decode("%G0").has_value());
}

TEST(ParseQuery, SplitsAndValidates) {
  const auto q = parse_query("/x?a=1&&b=two%20words&", {"a", "b"});
  EXPECT_TRUE(q.errors.empty());
  EXPECT_EQ(q.values.at("a"), "1");
  EXPECT_EQ(q.values.at("b"), "two words");
  const auto bad = parse_query("/x?=1&c=2", {"a"});
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[1].where, "c");
  EXPECT_EQ(target_path("/v1/events?limit=1"), "/v1/events");
}

TEST(RedactSecrets, ReplacesSecretValuesAtAnyDepth) {
  const Json in = {{"a", {{"Password", "x"}, {"list", {{{"api_key", "k"}}}}}},
                   {"token_file", "/etc/t"},
                   {"secret", nullptr},
                   {"name", "n"}};
  const Json out = redact_secrets(in);
  EXPECT_EQ(out["a"]["Password"], "<redacted>");
  EXPECT_EQ(out["a"]["list"][0]["api_key"], "<redacted>");
  EXPECT_EQ(out["token_file"], "<redacted>");
  EXPECT_TRUE(out["secret"].is_null());
  EXPECT_EQ(out["name"], "n");
}

}  // namespace
}  // namespace bessd::api
