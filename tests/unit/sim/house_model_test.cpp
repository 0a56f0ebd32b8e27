#include <bessd/sim/house_model.hpp>

#include <gtest/gtest.h>

namespace bessd::sim {
namespace {

TEST(HouseModel, NoPvAtNightPeakAtNoon) {
  HouseModel house({});
  EXPECT_EQ(house.pv_w(2 * 3600), 0.0);
  EXPECT_EQ(house.pv_w(22 * 3600), 0.0);
  const double noon = house.pv_w(13 * 3600);  // midway between 06:30 and 19:30
  EXPECT_NEAR(noon, 4000.0, 1.0);
  EXPECT_GT(noon, house.pv_w(9 * 3600));
}

TEST(HouseModel, LoadHasEveningPeakAndIsNeverNegative) {
  HouseParams p;
  HouseModel house(p);
  EXPECT_GT(house.load_w(18.5 * 3600), house.load_w(3 * 3600) + 1500);
  for (int s = 0; s < 86400; s += 37) EXPECT_GE(house.load_w(s), 0.0);
  EXPECT_EQ(house.load_w(1000), house.load_w(1000));  // deterministic
}

}  // namespace
}  // namespace bessd::sim
