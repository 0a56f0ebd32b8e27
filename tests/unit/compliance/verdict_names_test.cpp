// Verdict and confidence words are in reports, the API and stored findings: pinned here, and
// every verdict name parses back to its value.

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/compliance/confidence.hpp>
#include <bessd/compliance/verdict.hpp>

namespace bessd::compliance {
namespace {

using Names = std::vector<std::string_view>;

TEST(VerdictNames, EveryVerdictRoundTrips) {
  Names names;
  for (const auto& row : kVerdictNames) {
    names.push_back(to_string(row.value));
    EXPECT_EQ(verdict_from_string(to_string(row.value)), row.value);
  }
  EXPECT_EQ(names, (Names{"not_applicable", "pass", "warn", "derate", "block"}));
  EXPECT_EQ(verdict_from_string("PASS"), std::nullopt);
  EXPECT_EQ(verdict_from_string("invalid"), std::nullopt);
}

TEST(VerdictNames, ConfidenceNames) {
  Names names;
  for (const auto& row : kConfidenceNames) names.push_back(to_string(row.value));
  EXPECT_EQ(names, (Names{"confirmed", "secondary", "uncertain", "judgement"}));
}

}  // namespace
}  // namespace bessd::compliance
