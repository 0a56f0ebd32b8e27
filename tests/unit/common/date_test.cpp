#include <bessd/common/date.hpp>

#include <gtest/gtest.h>

namespace bessd {
namespace {

using namespace std::chrono;

TEST(Date, ParsesIsoDates) {
  auto d = parse_date("2025-03-31");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, year{2025} / March / 31);
  EXPECT_EQ(format_date(*d), "2025-03-31");
}

TEST(Date, RejectsMalformedAndImpossibleDates) {
  for (const char* bad : {"2025-3-31", "2025/03/31", "2025-02-30", "2025-13-01", "20250331", "",
                          "2025-03-3x", "abcd-ef-gh", "2025-03-31T00:00"}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
  EXPECT_TRUE(parse_date("2024-02-29"));  // leap year
  EXPECT_FALSE(parse_date("2023-02-29"));
}

TEST(Date, DaysBetween) {
  EXPECT_EQ(days_between(year{2024} / 1 / 1, year{2025} / 1 / 1), 366);
  EXPECT_EQ(days_between(year{2025} / 1 / 2, year{2025} / 1 / 1), -1);
}

TEST(Date, DateOfWallTime) {
  const system_clock::time_point t = sys_days{year{2026} / 11 / 24} + hours{23} + minutes{59};
  EXPECT_EQ(date_of(t), year{2026} / 11 / 24);
}

}  // namespace
}  // namespace bessd
