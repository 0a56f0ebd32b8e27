#include <cmath>

#include <gtest/gtest.h>

#include <bessd/limits/breakpoints.hpp>

namespace bessd::limits {
namespace {

TEST(Interpolate, EmptyTableMeansNoDerating) {
  EXPECT_DOUBLE_EQ(interpolate({}, 3.3), 1.0);
}

TEST(Interpolate, LinearBetweenPointsAndFlatOutside) {
  const config::Breakpoints t{{0.0, 0.0}, {10.0, 1.0}, {20.0, 0.5}};
  struct Row {
    double x;
    double expected;
  };
  for (const Row& r : {Row{-5.0, 0.0}, Row{0.0, 0.0}, Row{2.5, 0.25}, Row{10.0, 1.0},
                       Row{15.0, 0.75}, Row{20.0, 0.5}, Row{99.0, 0.5}}) {
    EXPECT_DOUBLE_EQ(interpolate(t, r.x), r.expected) << "x=" << r.x;
  }
}

TEST(Interpolate, DuplicateXNeverDividesByZero) {
  const config::Breakpoints t{{0.0, 0.0}, {1.0, 0.2}, {1.0, 0.8}, {2.0, 1.0}};
  EXPECT_TRUE(std::isfinite(interpolate(t, 1.0)));
}

TEST(FactorTable, Validation) {
  EXPECT_TRUE(is_valid_factor_table({{0.0, 0.0}, {1.0, 1.0}}));
  EXPECT_FALSE(is_valid_factor_table({{1.0, 0.0}, {0.0, 1.0}}));  // not ascending
  EXPECT_FALSE(is_valid_factor_table({{0.0, 1.5}}));              // factor > 1
  EXPECT_FALSE(is_valid_factor_table({{0.0, -0.1}}));
}

}  // namespace
}  // namespace bessd::limits
