#include <bessd/common/result.hpp>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bessd {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0)
    return fail(ErrorCode::out_of_range, "value " + std::to_string(v) + " is not positive");
  return v;
}

TEST(Result, HoldsValue) {
  auto r = parse_positive(5);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 5);
  EXPECT_EQ(r.value_or(0), 5);
}

TEST(Result, HoldsError) {
  auto r = parse_positive(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::out_of_range);
  EXPECT_EQ(r.error().message, "value -1 is not positive");
  EXPECT_EQ(r.value_or(7), 7);
  EXPECT_THROW((void)r.value(), std::logic_error);
}

TEST(Result, ErrorOnValueIsALogicError) {
  auto r = parse_positive(1);
  EXPECT_THROW((void)r.error(), std::logic_error);
}

TEST(Status, SuccessAndFailure) {
  Status ok;
  EXPECT_TRUE(ok);
  Status bad = fail(ErrorCode::timeout, "no answer");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::timeout);
  EXPECT_THROW(bad.value(), std::logic_error);
}

TEST(ErrorCode, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::internal); ++c) {
    EXPECT_NE(to_string(static_cast<ErrorCode>(c)), "unknown") << c;
  }
}

// Each code keeps its name, and the name reads back as the code.
TEST(ErrorCode, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kErrorCodeNames),
            (std::vector<std::string_view>{
                "invalid_argument", "out_of_range", "parse_error", "timeout", "io_error",
                "disconnected", "permission_denied", "not_found", "unsupported", "protocol_error",
                "busy", "storage_error", "readback_mismatch", "internal"}));
  EXPECT_EQ(enum_from_name(kErrorCodeNames, "unknown"), std::nullopt);
  EXPECT_EQ(enum_from_name(kErrorCodeNames, "Timeout"), std::nullopt);
  EXPECT_EQ(to_string(static_cast<ErrorCode>(200)), "unknown");
}

}  // namespace
}  // namespace bessd
