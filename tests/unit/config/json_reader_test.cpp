#include <bessd/config/json_reader.hpp>

#include <gtest/gtest.h>

namespace bessd::config {
namespace {

TEST(JsonReader, PointerEscaping) {
  EXPECT_EQ(pointer_escape("a/b~c"), "a~1b~0c");
  IssueList issues;
  const Json obj = Json::parse(R"({"a/b": 1})");
  ObjectReader r(&obj, "/x", issues);
  r.finish();
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues.items()[0].pointer, "/x/a~1b");
}

TEST(JsonReader, AbsentObjectKeepsDefaults) {
  IssueList issues;
  ObjectReader r(nullptr, "/s", issues);
  double v = 4.0;
  EXPECT_FALSE(r.number("v", v));
  EXPECT_DOUBLE_EQ(v, 4.0);
  EXPECT_FALSE(r.number("w", v, NumberRange::any(), Presence::required));
  r.finish();
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues.items()[0].pointer, "/s/w");
}

TEST(JsonReader, IntegersAcceptWholeFloatsOnly) {
  IssueList issues;
  const Json obj = Json::parse(R"({"a": 5.0, "b": 5.5, "c": -3, "d": 18446744073709551615})");
  ObjectReader r(&obj, "", issues);
  std::int64_t a = 0, b = 0, c = 0, d = 0;
  EXPECT_TRUE(r.integer("a", a, 0, 10));
  EXPECT_EQ(a, 5);
  EXPECT_FALSE(r.integer("b", b, 0, 10));
  EXPECT_FALSE(r.integer("c", c, 0, 10));
  EXPECT_FALSE(r.integer("d", d, 0, 10));
  EXPECT_EQ(issues.size(), 3U);
}

TEST(JsonReader, ExclusiveMinimum) {
  IssueList issues;
  const Json obj = Json::parse(R"({"a": 0, "b": 0.001})");
  ObjectReader r(&obj, "", issues);
  double a = 1, b = 1;
  EXPECT_FALSE(r.number("a", a, NumberRange::above(0)));
  EXPECT_TRUE(r.number("b", b, NumberRange::above(0)));
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues.items()[0].message, "must be a number > 0, got 0");
}

TEST(JsonReader, DescribeJson) {
  EXPECT_EQ(describe_json(Json("x")), "\"x\"");
  EXPECT_EQ(describe_json(Json(nullptr)), "null");
  EXPECT_EQ(describe_json(Json::object()), "an object");
  EXPECT_EQ(describe_json(Json::array()), "an array");
  EXPECT_EQ(describe_json(Json(true)), "true");
}

}  // namespace
}  // namespace bessd::config
