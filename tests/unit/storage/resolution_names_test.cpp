// The storage tier words are bessctl's and the history query's: pinned here, each parses back.

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/storage/history.hpp>

namespace bessd::storage {
namespace {

TEST(ResolutionNames, EveryTierRoundTrips) {
  std::vector<std::string_view> names;
  for (const auto& row : kResolutionNames) {
    names.push_back(to_string(row.value));
    EXPECT_EQ(parse_resolution(to_string(row.value)), row.value);
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"auto", "raw", "1m", "15m"}));
  EXPECT_EQ(parse_resolution("minute"), std::nullopt);
}

}  // namespace
}  // namespace bessd::storage
