// The site's local clock from the system's time-zone database: readings across the nights the
// clocks change (docs/schedules.md).

#include <bessd/common/local_time.hpp>

#include <gtest/gtest.h>

namespace bessd {
namespace {

WallTime utc(int y, unsigned mo, unsigned d, int h, int mi) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi};
}

TEST(LocalTime, LondonAcrossTheSpringAndAutumnChanges) {
  const auto zone = TimeZone::named("Europe/London");
  ASSERT_TRUE(zone) << zone.error().message;
  // Sunday 29 March 2026: 01:00 UTC the clocks go from 01:00 GMT to 02:00 BST.
  EXPECT_EQ(zone->reading(utc(2026, 3, 29, 0, 59)), (LocalReading{6, 59}));
  EXPECT_EQ(zone->reading(utc(2026, 3, 29, 1, 0)), (LocalReading{6, 120}));
  EXPECT_EQ(zone->clock_text(utc(2026, 3, 29, 1, 30)), "02:30");
  // Sunday 25 October 2026: 01:00 UTC the clocks go from 02:00 BST back to 01:00 GMT, so 01:30
  // reads twice.
  EXPECT_EQ(zone->reading(utc(2026, 10, 25, 0, 30)), (LocalReading{6, 90}));
  EXPECT_EQ(zone->reading(utc(2026, 10, 25, 1, 30)), (LocalReading{6, 90}));
  // A Monday evening in winter is the same in London as in UTC.
  EXPECT_EQ(zone->reading(utc(2026, 12, 7, 23, 45)), (LocalReading{0, 23 * 60 + 45}));
}

TEST(LocalTime, AZoneEastOfUtcIsTheNextDayEarlier) {
  const auto zone = TimeZone::named("Australia/Sydney");
  ASSERT_TRUE(zone) << zone.error().message;
  // Monday 7 December 2026 20:00 UTC is Tuesday 07:00 in Sydney (AEDT, +11).
  EXPECT_EQ(zone->reading(utc(2026, 12, 7, 20, 0)), (LocalReading{1, 7 * 60}));
}

TEST(LocalTime, TheNextTimeTheClockReadsAMinuteAcrossTheChanges) {
  const auto zone = TimeZone::named("Europe/London");
  ASSERT_TRUE(zone) << zone.error().message;
  // 07:00 the morning after an evening: 07:00 GMT in winter, 06:00 UTC in summer.
  EXPECT_EQ(zone->next_at(utc(2026, 12, 5, 18, 0), 7 * 60), utc(2026, 12, 6, 7, 0));
  EXPECT_EQ(zone->next_at(utc(2026, 7, 4, 17, 0), 7 * 60), utc(2026, 7, 5, 6, 0));
  // The same morning when it is still before 07:00; exactly 07:00 means the next day.
  EXPECT_EQ(zone->next_at(utc(2026, 12, 6, 3, 0), 7 * 60), utc(2026, 12, 6, 7, 0));
  EXPECT_EQ(zone->next_at(utc(2026, 12, 6, 7, 0), 7 * 60), utc(2026, 12, 7, 7, 0));
  // The night the clocks go forward is 23 hours long, the night they go back 25.
  const auto spring = zone->next_at(utc(2026, 3, 28, 18, 0), 7 * 60);
  EXPECT_EQ(spring, utc(2026, 3, 29, 6, 0));
  const auto autumn = zone->next_at(utc(2026, 10, 24, 17, 0), 7 * 60);
  EXPECT_EQ(autumn, utc(2026, 10, 25, 7, 0));
  // 01:30 is skipped in spring: it comes when the clock jumps (01:00 UTC); in autumn it reads
  // twice, the first time counts.
  EXPECT_EQ(zone->next_at(utc(2026, 3, 28, 22, 0), 90), utc(2026, 3, 29, 1, 0));
  EXPECT_EQ(zone->next_at(utc(2026, 10, 24, 22, 0), 90), utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(zone->next_at(utc(2026, 10, 25, 0, 30), 90), utc(2026, 10, 26, 1, 30));
}

TEST(LocalTime, AnUnknownZoneIsNamed) {
  const auto zone = TimeZone::named("Europe/Lodnon");
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().message.find("Europe/Lodnon"), std::string::npos);
  EXPECT_FALSE(TimeZone::system().name().empty());
}

}  // namespace
}  // namespace bessd
