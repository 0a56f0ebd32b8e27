// Price files (docs/schedules.md "Price files").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include <date/tz.h>

#include <bessd/energy/price_list.hpp>

namespace bessd::energy {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

WallTime utc(int y, unsigned mo, unsigned d, int h, int mi = 0, int s = 0) {
  const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{mo},
                                        std::chrono::day{d}};
  return WallTime{std::chrono::sys_days{day}} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

PriceList parsed(std::string_view text) {
  auto r = parse_price_list(text, "prices.test");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : PriceList{};
}

std::string error_of(std::string_view text) {
  auto r = parse_price_list(text, "prices.test");
  EXPECT_FALSE(r.has_value());
  return r ? std::string{} : r.error().message;
}

// One JSON slot, for error cases.
std::string json_with(const std::string& slots) {
  return R"({"currency": "p", "slots": [)" + slots + "]}";
}
const std::string kGoodSlot =
    R"({"start": "2026-12-05T23:00:00Z", "end": "2026-12-05T23:30:00Z", "import": 7.5})";

TEST(PriceList, ReadsJson) {
  const auto list = parsed(R"({"currency": "p",
 "slots": [
   {"start": "2026-12-05T23:00:00Z", "end": "2026-12-05T23:30:00Z", "import": 7.5, "export": 4.1},
   {"start": "2026-12-05T23:30:00+00:00", "end": "2026-12-06T00:00:00Z", "import": -0.5}
 ]})");
  EXPECT_EQ(list.currency, "p");
  ASSERT_EQ(list.slots.size(), 2U);
  EXPECT_EQ(list.slots[0], (PriceSlot{utc(2026, 12, 5, 23), utc(2026, 12, 5, 23, 30), 7.5, 4.1}));
  EXPECT_EQ(list.slots[1],
            (PriceSlot{utc(2026, 12, 5, 23, 30), utc(2026, 12, 6, 0), -0.5, std::nullopt}));
}

TEST(PriceList, JsonCurrencyIsOptional) {
  const auto list = parsed(R"({"slots": [)" + kGoodSlot + "]}");
  EXPECT_EQ(list.currency, "");
  EXPECT_EQ(list.slots.size(), 1U);
}

TEST(PriceList, ReadsCsvWithColumnsReorderedCommentsAndCrlf) {
  const auto list = parsed(
      "\xEF\xBB\xBF# Agile, exported by hand\r\n"
      "# currency: p\r\n"
      "\r\n"
      "import, Export ,end,start\r\n"
      "7.5,4.1,2026-12-05T23:30:00Z,2026-12-05T23:00:00Z\r\n"
      "# a comment between slots\r\n"
      "6.9,,2026-12-06T00:00Z,2026-12-05T23:30+0000\r\n");
  EXPECT_EQ(list.currency, "p");
  ASSERT_EQ(list.slots.size(), 2U);
  EXPECT_EQ(list.slots[0], (PriceSlot{utc(2026, 12, 5, 23), utc(2026, 12, 5, 23, 30), 7.5, 4.1}));
  EXPECT_EQ(list.slots[1],
            (PriceSlot{utc(2026, 12, 5, 23, 30), utc(2026, 12, 6, 0), 6.9, std::nullopt}));
}

TEST(PriceList, CsvWithoutCurrencyCommentHasNoCurrency) {
  const auto list = parsed("start,end,import\n2026-12-05T23:00Z,2026-12-05T23:30Z,7\n");
  EXPECT_EQ(list.currency, "");
  ASSERT_EQ(list.slots.size(), 1U);
  EXPECT_EQ(list.slots[0].export_per_kwh, std::nullopt);
}

TEST(PriceList, OffsetsAreConvertedToUtc) {
  const auto list = parsed(
      "start,end,import\n"
      "2026-03-29T02:00:00+01:00,2026-03-29T02:30+0100,1\n"
      "2026-03-28T19:00-05:00,2026-03-29T00:30:00-00:30,2\n"
      "2026-03-29T07:00+05:30,2026-03-29T02:00:00Z,3\n");
  ASSERT_EQ(list.slots.size(), 3U);
  EXPECT_EQ(list.slots[0], (PriceSlot{utc(2026, 3, 29, 0), utc(2026, 3, 29, 1), 2, std::nullopt}));
  // 02:00 on the clock an hour ahead of UTC is 01:00Z.
  EXPECT_EQ(list.slots[1],
            (PriceSlot{utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30), 1, std::nullopt}));
  EXPECT_EQ(list.slots[2],
            (PriceSlot{utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2), 3, std::nullopt}));
}

TEST(PriceList, MissingEndIsTheNextSlotsStart) {
  const auto json = parsed(json_with(
      R"({"start": "2026-12-05T23:30:00Z", "import": 2},
         {"start": "2026-12-05T23:00:00Z", "import": 1},
         {"start": "2026-12-06T03:00:00Z", "end": "2026-12-06T07:00:00Z", "import": 3})"));
  ASSERT_EQ(json.slots.size(), 3U);
  EXPECT_EQ(json.slots[0].end, utc(2026, 12, 5, 23, 30));
  EXPECT_EQ(json.slots[1].end, utc(2026, 12, 6, 3));  // 3.5 h, up to the next start
  EXPECT_EQ(json.slots[2].end, utc(2026, 12, 6, 7));

  const auto csv = parsed(
      "start,import,end\n"
      "2026-12-05T23:00Z,1,\n"
      "2026-12-05T23:30Z,2,2026-12-06T00:00Z\n");
  ASSERT_EQ(csv.slots.size(), 2U);
  EXPECT_EQ(csv.slots[0].end, utc(2026, 12, 5, 23, 30));
}

TEST(PriceList, LastSlotWithoutEndIsRefused) {
  EXPECT_THAT(
      error_of(json_with(kGoodSlot + R"(, {"start": "2026-12-05T23:30:00Z", "import": 2})")),
      AllOf(HasSubstr("prices.test"), HasSubstr("slot 1"), HasSubstr("2026-12-05T23:30:00Z"),
            HasSubstr("no end")));
  EXPECT_THAT(error_of("start,import\n2026-12-05T23:00Z,1\n2026-12-05T23:30Z,2\n"),
              AllOf(HasSubstr("line 3"), HasSubstr("no end")));
}

TEST(PriceList, UnsortedInputIsSorted) {
  const auto list = parsed(
      "start,end,import\n"
      "2026-12-06T01:00Z,2026-12-06T01:30Z,3\n"
      "2026-12-05T23:00Z,2026-12-05T23:30Z,1\n"
      "2026-12-06T00:00Z,2026-12-06T00:30Z,2\n");
  ASSERT_EQ(list.slots.size(), 3U);
  EXPECT_EQ(list.slots[0].import_per_kwh, 1.0);
  EXPECT_EQ(list.slots[1].import_per_kwh, 2.0);
  EXPECT_EQ(list.slots[2].import_per_kwh, 3.0);
}

TEST(PriceList, EndNotAfterStartIsRefused) {
  EXPECT_THAT(
      error_of(json_with(
          kGoodSlot +
          R"(, {"start": "2026-12-06T01:00:00Z", "end": "2026-12-06T00:30:00Z", "import": 1})")),
      AllOf(HasSubstr("prices.test: slot 1"), HasSubstr("\"2026-12-06T00:30:00Z\""),
            HasSubstr("not after start")));
  EXPECT_THAT(
      error_of("start,end,import\n2026-12-06T01:00Z,2026-12-06T01:00Z,1\n"),
      AllOf(HasSubstr("line 2"), HasSubstr("2026-12-06T01:00Z"), HasSubstr("not after start")));
}

TEST(PriceList, SlotsShorterThanAMinuteOrLongerThanADayAreRefused) {
  EXPECT_THAT(error_of("start,end,import\n2026-12-06T01:00:00Z,2026-12-06T01:00:30Z,1\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("2026-12-06T01:00:30Z"),
                    HasSubstr("30 seconds long"), HasSubstr("from 1 minute to 24 hours")));
  EXPECT_THAT(
      error_of(json_with(
          R"({"start": "2026-12-06T00:00:00Z", "end": "2026-12-07T01:00:00Z", "import": 1})")),
      AllOf(HasSubstr("slot 0"), HasSubstr("2026-12-07T01:00:00Z"), HasSubstr("1500 minutes"),
            HasSubstr("from 1 minute to 24 hours")));
  // A slot of exactly 24 hours and one of exactly one minute are fine.
  EXPECT_EQ(parsed("start,end,import\n2026-12-06T00:00Z,2026-12-07T00:00Z,1\n"
                   "2026-12-07T00:00Z,2026-12-07T00:01Z,1\n")
                .slots.size(),
            2U);
  // An end filled from a distant next slot is measured too.
  EXPECT_THAT(error_of("start,import\n2026-12-06T00:00Z,1\n2026-12-08T00:00Z,2\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("the start of line 3")));
}

TEST(PriceList, PricesMustBeFiniteAndSane) {
  EXPECT_THAT(error_of("start,end,import\n2026-12-06T00:00Z,2026-12-06T00:30Z,nan\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("\"nan\""), HasSubstr("finite")));
  EXPECT_THAT(error_of("start,end,import,export\n2026-12-06T00:00Z,2026-12-06T00:30Z,1,inf\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("export"), HasSubstr("\"inf\"")));
  EXPECT_THAT(error_of("start,end,import\n2026-12-06T00:00Z,2026-12-06T00:30Z,7p\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("\"7p\""), HasSubstr("not a number")));
  EXPECT_THAT(error_of("start,end,import\n2026-12-06T00:00Z,2026-12-06T00:30Z,\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("import \"\"")));
  EXPECT_THAT(
      error_of(json_with(
          R"({"start": "2026-12-06T00:00Z", "end": "2026-12-06T00:30Z", "import": -2000000})")),
      AllOf(HasSubstr("slot 0"), HasSubstr("-2000000"), HasSubstr("finite number between")));
  EXPECT_THAT(
      error_of(json_with(
          R"({"start": "2026-12-06T00:00Z", "end": "2026-12-06T00:30Z", "import": 1, "export": "4.1"})")),
      AllOf(HasSubstr("slot 0"), HasSubstr("\"export\" is \"4.1\""),
            HasSubstr("expected a number")));
  // Negative prices are real (paid to use energy).
  EXPECT_EQ(parsed("start,end,import,export\n2026-12-06T00:00Z,2026-12-06T00:30Z,-3.2,-1\n")
                .slots[0]
                .export_per_kwh,
            -1.0);
}

TEST(PriceList, OverlapsAreRefusedNamingBothSlots) {
  EXPECT_THAT(error_of(json_with(
                  R"({"start": "2026-12-06T00:00Z", "end": "2026-12-06T01:00Z", "import": 1},
             {"start": "2026-12-06T02:00Z", "end": "2026-12-06T03:00Z", "import": 1},
             {"start": "2026-12-06T00:30Z", "end": "2026-12-06T01:30Z", "import": 1})")),
              AllOf(HasSubstr("prices.test: slot 2"), HasSubstr("2026-12-06T00:30Z"),
                    HasSubstr("overlaps slot 0"), HasSubstr("2026-12-06T01:00Z")));
  EXPECT_THAT(error_of("start,end,import\n"
                       "2026-12-06T00:00Z,2026-12-06T00:30Z,1\n"
                       "2026-12-06T00:00:00+00:00,2026-12-06T00:30Z,2\n"),
              AllOf(HasSubstr("line 3"), HasSubstr("2026-12-06T00:00:00+00:00"),
                    HasSubstr("line 2"), HasSubstr("overlap")));
  // Gaps are fine.
  EXPECT_EQ(parsed("start,end,import\n2026-12-06T00:00Z,2026-12-06T00:30Z,1\n"
                   "2026-12-06T05:00Z,2026-12-06T05:30Z,1\n")
                .slots.size(),
            2U);
}

TEST(PriceList, TimesNeedAnOffsetAndWholeSeconds) {
  EXPECT_THAT(
      error_of(json_with(
          R"({"start": "2026-10-25T01:30:00", "end": "2026-10-25T02:00:00Z", "import": 1})")),
      AllOf(HasSubstr("slot 0"), HasSubstr("\"2026-10-25T01:30:00\""), HasSubstr("no offset")));
  EXPECT_THAT(error_of("start,end,import\n2026-10-25T01:30:00.5Z,2026-10-25T02:00Z,1\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("2026-10-25T01:30:00.5Z"),
                    HasSubstr("fractional seconds")));
  EXPECT_THAT(error_of("start,end,import\n2026-02-30T01:30Z,2026-02-30T02:00Z,1\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("2026-02-30T01:30Z"), HasSubstr("valid date")));
  EXPECT_THAT(error_of("start,end,import\n2026-10-25 01:30Z,2026-10-25T02:00Z,1\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("ISO 8601")));
  EXPECT_THAT(error_of("start,end,import\n2026-10-25T01:30+1,2026-10-25T02:00Z,1\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("+1\""), HasSubstr("offset must be")));
}

TEST(PriceList, UnknownKeysAndColumnsAreRefused) {
  EXPECT_THAT(
      error_of(json_with(
          kGoodSlot +
          R"(, {"start": "2026-12-05T23:30Z", "end": "2026-12-06T00:00Z", "import": 1, "exprot": 4})")),
      AllOf(HasSubstr("slot 1"), HasSubstr("unknown key \"exprot\"")));
  EXPECT_THAT(error_of(R"({"curency": "p", "slots": [)" + kGoodSlot + "]}"),
              HasSubstr("unknown key \"curency\""));
  EXPECT_THAT(error_of("start,end,import,exprot\n"),
              AllOf(HasSubstr("line 1"), HasSubstr("unknown column \"exprot\"")));
  EXPECT_THAT(error_of("start,end,export\n"), AllOf(HasSubstr("line 1"), HasSubstr("no import")));
  EXPECT_THAT(error_of("start,import,Import\n"), HasSubstr("\"Import\" appears twice"));
  EXPECT_THAT(
      error_of(json_with(
          R"({"start": "2026-12-05T23:00Z", "end": "2026-12-05T23:30Z", "import": 1, "import": 2})")),
      AllOf(HasSubstr("slot 0"), HasSubstr("\"import\" appears twice")));
  EXPECT_THAT(error_of(json_with(kGoodSlot + R"(, {"start": "2026-12-05T23:30Z", "export": 1})")),
              AllOf(HasSubstr("slot 1"), HasSubstr("no \"import\"")));
  EXPECT_THAT(error_of(json_with(kGoodSlot + R"(, [1, 2])")),
              AllOf(HasSubstr("slot 1"), HasSubstr("an array")));
}

TEST(PriceList, CurrencyIsAtMostSixteenCharacters) {
  EXPECT_EQ(parsed(R"({"currency": "€€€€€€€€€€€€€€€€", "slots": [)" + kGoodSlot + "]}").currency,
            "€€€€€€€€€€€€€€€€");
  EXPECT_THAT(error_of(R"({"currency": "pence sterling p/kWh", "slots": [)" + kGoodSlot + "]}"),
              AllOf(HasSubstr("pence sterling p/kWh"), HasSubstr("at most 16")));
  EXPECT_THAT(error_of(R"({"currency": 1, "slots": [)" + kGoodSlot + "]}"),
              HasSubstr("\"currency\" is 1"));
  EXPECT_THAT(error_of("# currency: p\n#currency: GBP\nstart,end,import\n"),
              AllOf(HasSubstr("line 2"), HasSubstr("second currency"), HasSubstr("\"GBP\"")));
}

TEST(PriceList, NoSlotsIsAnError) {
  EXPECT_THAT(error_of(R"({"currency": "p", "slots": []})"),
              AllOf(HasSubstr("prices.test"), HasSubstr("no slots")));
  EXPECT_THAT(error_of(R"({"currency": "p"})"), HasSubstr("\"slots\""));
  EXPECT_THAT(error_of("# only a comment\nstart,end,import\n"), HasSubstr("no slots"));
  EXPECT_THAT(error_of(""), HasSubstr("no slots"));
  EXPECT_THAT(error_of("  \n\r\n"), HasSubstr("no slots"));
}

TEST(PriceList, TooManySlotsOrTooMuchTextIsRefused) {
  std::string csv = "start,end,import\n";
  const auto first = utc(2026, 1, 1, 0);
  for (std::size_t i = 0; i <= kMaxPriceSlots; ++i) {
    const auto t = first + std::chrono::minutes{30 * static_cast<int>(i)};
    csv += date::format("%FT%RZ,", t) + date::format("%FT%RZ,1\n", t + std::chrono::minutes{30});
  }
  EXPECT_THAT(error_of(csv), AllOf(HasSubstr("more than 20000 slots"), HasSubstr("prices.test")));
  std::string big(4U * 1024U * 1024U + 1U, ' ');
  EXPECT_THAT(error_of(big), HasSubstr("at most 4 MiB"));
}

TEST(PriceList, MalformedTextSaysWhere) {
  EXPECT_THAT(error_of("{\"slots\": [\n  {\"start\": \"2026-12-05T23:00Z\",,}\n]}"),
              AllOf(HasSubstr("prices.test"), HasSubstr("not valid JSON at line 2")));
  EXPECT_THAT(error_of("start,end,import\n"
                       "2026-12-06T00:00Z,2026-12-06T00:30Z,1\n"
                       "2026-12-06T00:30Z,2026-12-06T01:00Z\n"),
              AllOf(HasSubstr("line 3"), HasSubstr("has 2 fields: expected 3")));
  EXPECT_THAT(error_of("[1, 2]"), HasSubstr("unknown column \"[1\""));
}

TEST(PriceList, SlotAtFindsTheSlotHoldingATime) {
  const auto list = parsed(
      "start,end,import\n"
      "2026-12-06T00:00Z,2026-12-06T00:30Z,1\n"
      "2026-12-06T00:30Z,2026-12-06T01:00Z,2\n"
      "2026-12-06T02:00Z,2026-12-06T06:00Z,3\n");
  const auto at = [&](WallTime t) {
    const auto* s = slot_at(list, t);
    return s ? s->import_per_kwh : 0.0;
  };
  const auto tick = WallTime::duration{1};
  EXPECT_EQ(slot_at(list, utc(2026, 12, 5, 23, 59, 59)), nullptr);  // before the first
  EXPECT_EQ(at(utc(2026, 12, 6, 0)), 1.0);                          // at a start
  EXPECT_EQ(at(utc(2026, 12, 6, 0, 30) - tick), 1.0);               // just before the end
  EXPECT_EQ(at(utc(2026, 12, 6, 0, 30)), 2.0);                      // the end is the next start
  EXPECT_EQ(slot_at(list, utc(2026, 12, 6, 1)), nullptr);           // in the gap
  EXPECT_EQ(at(utc(2026, 12, 6, 5)), 3.0);
  EXPECT_EQ(slot_at(list, utc(2026, 12, 6, 6)), nullptr);  // the last end
  EXPECT_EQ(slot_at(PriceList{}, utc(2026, 12, 6, 0)), nullptr);
}

// The half hours between two local midnights in London, written with the local offset, as a
// supplier publishes them; the night the clocks change has 46 or 50 of them.
struct LondonDay {
  std::string csv;
  std::vector<WallTime> starts;
  WallTime end;
};

LondonDay london_day(date::year_month_day day) {
  const auto* zone = date::locate_zone("Europe/London");
  const auto from = date::make_zoned(zone, date::local_days{day}).get_sys_time();
  const auto to = date::make_zoned(zone, date::local_days{day} + date::days{1}).get_sys_time();
  LondonDay out;
  out.csv = "# currency: p\nstart,end,import\n";
  out.end = WallTime{to};
  for (auto t = from; t < to; t += std::chrono::minutes{30}) {
    const auto next = t + std::chrono::minutes{30};
    out.starts.push_back(WallTime{t});
    out.csv += date::format("%FT%T%Ez,", date::make_zoned(zone, t)) +
               date::format("%FT%T%Ez,", date::make_zoned(zone, next)) +
               std::to_string(out.starts.size()) + "\n";
  }
  return out;
}

void expect_round_trip(const LondonDay& day) {
  const auto list = parsed(day.csv);
  ASSERT_EQ(list.slots.size(), day.starts.size());
  for (std::size_t i = 0; i < list.slots.size(); ++i) {
    EXPECT_EQ(list.slots[i].start, day.starts[i]) << i;
    EXPECT_EQ(list.slots[i].end - list.slots[i].start, std::chrono::minutes{30}) << i;
    EXPECT_EQ(list.slots[i].import_per_kwh, static_cast<double>(i + 1)) << i;
  }
  EXPECT_EQ(list.slots.back().end, day.end);
}

TEST(PriceList, ClocksGoForwardNightHas46HalfHours) {
  const auto day = london_day(date::year{2026} / 3 / 29);
  EXPECT_EQ(day.starts.size(), 46U);
  EXPECT_THAT(day.csv, HasSubstr("2026-03-29T00:30:00+00:00,2026-03-29T02:00:00+01:00"));
  expect_round_trip(day);
}

TEST(PriceList, ClocksGoBackNightHas50HalfHours) {
  const auto day = london_day(date::year{2026} / 10 / 25);
  EXPECT_EQ(day.starts.size(), 50U);
  // 01:30 local twice: the offset tells them apart.
  EXPECT_THAT(day.csv, HasSubstr("2026-10-25T01:30:00+01:00"));
  EXPECT_THAT(day.csv, HasSubstr("2026-10-25T01:30:00+00:00"));
  expect_round_trip(day);
}

// scripts/octopus-prices.py's output for an Agile day with Agile Outgoing (its test keeps the
// file equal to what the script writes).
TEST(PriceList, ReadsTheOctopusConvertersOutput) {
  const std::string path = BESSD_SOURCE_DIR "/tests/data/octopus/agile-2026-10-25.prices.json";
  std::ifstream file{path};
  ASSERT_TRUE(file) << path;
  std::stringstream text;
  text << file.rdbuf();
  const auto list = parsed(text.str());
  EXPECT_EQ(list.currency, "p");
  ASSERT_EQ(list.slots.size(), 50U);
  EXPECT_EQ(list.slots.front().start, utc(2026, 10, 24, 23));
  EXPECT_EQ(list.slots.back().end, utc(2026, 10, 26, 0));
  const auto with_export = std::count_if(list.slots.begin(), list.slots.end(),
                                         [](const PriceSlot& s) { return s.export_per_kwh; });
  EXPECT_EQ(with_export, 47);
}

}  // namespace
}  // namespace bessd::energy
