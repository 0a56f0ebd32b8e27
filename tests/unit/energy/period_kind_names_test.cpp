// The period words are GET /v1/energy's `period` parameter: pinned here, each parses back.

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/energy/energy_periods.hpp>

namespace bessd::energy {
namespace {

TEST(PeriodKindNames, EveryKindRoundTrips) {
  std::vector<std::string_view> names;
  for (const auto& row : kPeriodKindNames) {
    names.push_back(to_string(row.value));
    EXPECT_EQ(parse_period_kind(to_string(row.value)), row.value);
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"day", "week", "month", "year"}));
  EXPECT_EQ(parse_period_kind("Day"), std::nullopt);
  EXPECT_EQ(to_string(static_cast<PeriodKind>(9)), "day");
}

}  // namespace
}  // namespace bessd::energy
