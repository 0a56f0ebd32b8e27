#include <bessd/common/clock.hpp>

#include <gtest/gtest.h>

namespace bessd {
namespace {

TEST(ManualClock, MovesOnlyWhenAdvanced) {
  ManualClock clock;
  const auto t0 = clock.now();
  const auto w0 = clock.wall_now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(clock.now() - t0, std::chrono::milliseconds(1500));
  EXPECT_EQ(clock.wall_now() - w0, std::chrono::milliseconds(1500));
}

TEST(ManualClock, StartsAtTheGivenWallTime) {
  const WallTime start{std::chrono::seconds{1'800'000'000}};
  ManualClock clock(start);
  EXPECT_EQ(clock.wall_now(), start);
}

TEST(SystemClock, IsMonotonic) {
  SystemClock clock;
  const auto a = clock.now();
  const auto b = clock.now();
  EXPECT_LE(a, b);
}

TEST(ToSeconds, ConvertsDurations) {
  EXPECT_DOUBLE_EQ(to_seconds(std::chrono::milliseconds(250)), 0.25);
}

}  // namespace
}  // namespace bessd
