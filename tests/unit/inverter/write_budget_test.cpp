// The write budget of registers kept in EEPROM or flash (docs/profiles.md "Write budget").
#include <gtest/gtest.h>

#include <string>

#include <bessd/inverter/planning/write_budget.hpp>

namespace bessd::inverter {
namespace {

using namespace std::chrono_literals;

Profile budgeted(int per_day) {
  return parse_profile_text(R"({"name":"b","points":{
      "mode":{"address":1,"type":"u16","access":"rw","persistent":true,"write_budget_per_day":)" +
                                std::to_string(per_day) + R"(},
      "power":{"address":2,"type":"u16","access":"rw"}}})",
                            "b.json");
}

TEST(WriteBudget, CountsOverAnyTwentyFourHours) {
  const Profile p = budgeted(3);
  WriteBudget budget(p);
  const TimePoint t0{std::chrono::hours{100}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(budget.allows("mode", t0 + i * 1h));
    budget.record("mode", t0 + i * 1h);
  }
  EXPECT_FALSE(budget.allows("mode", t0 + 3h));
  EXPECT_EQ(budget.used("mode", t0 + 3h), 3u);
  // Room again once the first write is 24 h old, not at midnight.
  EXPECT_EQ(budget.room_again_at("mode", t0 + 3h), t0 + 24h);
  EXPECT_FALSE(budget.allows("mode", t0 + 24h - 1s));
  EXPECT_TRUE(budget.allows("mode", t0 + 24h));
  EXPECT_EQ(budget.used("mode", t0 + 24h), 2u);
  EXPECT_FALSE(budget.room_again_at("mode", t0 + 24h));
}

TEST(WriteBudget, PointsWithoutABudgetAreNeitherCountedNorRefused) {
  const Profile p = budgeted(1);
  WriteBudget budget(p);
  const TimePoint t0{};
  for (int i = 0; i < 100; ++i) budget.record("power", t0);
  EXPECT_TRUE(budget.allows("power", t0));
  EXPECT_EQ(budget.used("power", t0), 0u);
  EXPECT_TRUE(budget.allows("no such point", t0));
}

TEST(WriteBudget, WritesBeyondTheBudgetStillCountAndStayBounded) {
  const Profile p = budgeted(2);
  WriteBudget budget(p);
  const TimePoint t0{};
  // The safe state is written beyond a spent budget: counted, so the budget stays spent longer.
  for (int i = 0; i < 5000; ++i) budget.record("mode", t0 + i * 1ms);
  EXPECT_FALSE(budget.allows("mode", t0 + 1h));
  EXPECT_LE(budget.used("mode", t0 + 1h), 2u + 1000u) << "memory stays bounded";
  EXPECT_TRUE(budget.allows("mode", t0 + 25h));
}

}  // namespace
}  // namespace bessd::inverter
