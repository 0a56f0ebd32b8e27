// GET and PUT /v1/settings: the owner's reserve and charge target, checked against the
// configured window (docs/api.md "PUT /v1/settings").

#include "router_test_support.hpp"

#include <bessd/api/settings_change.hpp>

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;

using RouterSettings = RouterFixture;

TEST_F(RouterSettings, ReadsTheWindowWithItsSources) {
  const auto j = json(call(Method::get, "/v1/settings"));
  EXPECT_DOUBLE_EQ(j["reserve_soc_pct"]["effective_pct"].get<double>(), 10.0);
  EXPECT_EQ(j["reserve_soc_pct"]["source"], "configuration");
  EXPECT_TRUE(j["reserve_soc_pct"]["owner_pct"].is_null());
  EXPECT_DOUBLE_EQ(j["target_soc_pct"]["effective_pct"].get<double>(), 100.0);
  EXPECT_TRUE(j["set_by"].is_null());
  EXPECT_FALSE(j.contains("message"));
}

TEST_F(RouterSettings, ARaisedReserveIsPassedOnAndShown) {
  const auto r = call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 40})");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = json(r);
  EXPECT_DOUBLE_EQ(j["reserve_soc_pct"]["effective_pct"].get<double>(), 40.0);
  EXPECT_EQ(j["reserve_soc_pct"]["source"], "owner");
  EXPECT_EQ(j["target_soc_pct"]["source"], "configuration");
  EXPECT_THAT(j["set_by"].get<std::string>(), HasSubstr("alice"));
  ASSERT_EQ(facade.settings_requests.size(), 1u);
  EXPECT_EQ(facade.settings_requests[0].first.reserve_soc_pct, std::optional<double>{40.0});
  EXPECT_FALSE(facade.settings_requests[0].first.target_soc_pct.has_value());
  // null: back to the configuration's value.
  const auto back = json(call(Method::put, "/v1/settings", R"({"reserve_soc_pct": null})"));
  EXPECT_DOUBLE_EQ(back["reserve_soc_pct"]["effective_pct"].get<double>(), 10.0);
  EXPECT_EQ(back["reserve_soc_pct"]["source"], "configuration");
  ASSERT_EQ(facade.settings_requests.size(), 2u);
  ASSERT_TRUE(facade.settings_requests[1].first.reserve_soc_pct.has_value());
  EXPECT_FALSE(facade.settings_requests[1].first.reserve_soc_pct->has_value());
}

TEST_F(RouterSettings, BodyErrorsNameTheKey) {
  auto m = expect_error(call(Method::put, "/v1/settings", R"({})"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("nothing to change"));
  m = expect_error(call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 140})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/reserve_soc_pct: must be"));
  m = expect_error(call(Method::put, "/v1/settings", R"({"reserve_soc_pct": "30"})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/reserve_soc_pct: must be a number"));
  m = expect_error(call(Method::put, "/v1/settings", R"({"reserve_pct": 30})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/reserve_pct: unknown key"));
  m = expect_error(call(Method::put, "/v1/settings", R"([30])"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("must be a JSON object"));
  EXPECT_TRUE(facade.settings_requests.empty());
}

TEST_F(RouterSettings, OutsideTheConfiguredWindowIs422NamingTheBound) {
  facade.soc_window = {20.0, 90.0, 3.0};
  facade.settings_snapshot = settings_with(facade.soc_window, std::nullopt, std::nullopt);
  auto m = expect_error(call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 15})"), 422,
                        "rejected");
  EXPECT_THAT(m, HasSubstr("reserve_soc_pct: 15 % is below the installer's floor of 20 %"));
  EXPECT_THAT(m, HasSubstr("control.min_soc_pct"));
  m = expect_error(call(Method::put, "/v1/settings", R"({"target_soc_pct": 95})"), 422, "rejected");
  EXPECT_THAT(m, HasSubstr("target_soc_pct: 95 % is above the configured maximum of 90 %"));
  m = expect_error(
      call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 60, "target_soc_pct": 50})"), 422,
      "rejected");
  EXPECT_THAT(m, HasSubstr("points below the charge target"));
  // A window narrower than the hysteresis would hold the battery still (red team 21a F3).
  m = expect_error(
      call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 40, "target_soc_pct": 41})"), 422,
      "rejected");
  EXPECT_THAT(m, HasSubstr("at least 3 points below the charge target"));
  m = expect_error(call(Method::put, "/v1/settings", R"({"target_soc_pct": 21})"), 422, "rejected");
  EXPECT_THAT(m, HasSubstr("21 % is below 23 %"));
  m = expect_error(call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 89})"), 422,
                   "rejected");
  EXPECT_THAT(m, HasSubstr("89 % is above 87 %"));
  // Nothing changed by the refusals.
  EXPECT_EQ(facade.settings(), settings_with(facade.soc_window, std::nullopt, std::nullopt));
}

TEST_F(RouterSettings, AReadOnlyCallerMayReadButNotWrite) {
  EXPECT_EQ(call(Method::get, "/v1/settings", "", false).status, 200u);
  expect_error(call(Method::put, "/v1/settings", R"({"reserve_soc_pct": 40})", false), 403,
               "forbidden");
  EXPECT_TRUE(facade.settings_requests.empty());
}

TEST(SettingsChange, KeepsWhatIsNotMentionedAndChecksTheResult) {
  const ConfiguredSocWindow configured{10.0, 100.0, 3.0};
  const auto now = settings_with(configured, 30.0, 80.0);
  SettingsRequest lower_target;
  lower_target.target_soc_pct = 50.0;
  auto next = apply_settings_request(configured, now, lower_target);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->reserve.owner_pct, std::optional<double>{30.0});
  EXPECT_DOUBLE_EQ(next->target.effective_pct, 50.0);
  SettingsRequest below_reserve;
  below_reserve.target_soc_pct = 25.0;
  const auto refused = apply_settings_request(configured, now, below_reserve);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(refused.error().message, HasSubstr("target_soc_pct: the reserve (30 %)"));
  // The configured value itself is stored as the configuration's (a slider at its end).
  SettingsRequest at_floor;
  at_floor.reserve_soc_pct = 10.0;
  next = apply_settings_request(configured, now, at_floor);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_FALSE(next->reserve.owner_pct);
  EXPECT_FALSE(next->reserve.owner_applies);
}

// Red team 21a F1: a configured window changed since narrows the owner's values on both sides;
// an owner's value it no longer holds is set aside, said in `note`, and the configured one holds.
TEST(SettingsChange, ANarrowerConfiguredWindowWinsOnBothSides) {
  // The floor raised above the owner's reserve: the configured floor.
  auto s = settings_with({50.0, 100.0, 3.0}, 30.0, std::nullopt);
  EXPECT_DOUBLE_EQ(s.reserve.effective_pct, 50.0);
  EXPECT_FALSE(s.reserve.owner_applies);
  // The floor raised above the owner's target: the configured maximum, and a note.
  s = settings_with({40.0, 100.0, 3.0}, std::nullopt, 30.0);
  EXPECT_DOUBLE_EQ(s.target.effective_pct, 100.0);
  EXPECT_FALSE(s.target.owner_applies);
  EXPECT_THAT(s.note, HasSubstr("the owner's charge target of 30 % does not fit"));
  // The maximum lowered below the owner's reserve: the configured floor.
  s = settings_with({10.0, 50.0, 3.0}, 60.0, std::nullopt);
  EXPECT_DOUBLE_EQ(s.reserve.effective_pct, 10.0);
  EXPECT_THAT(s.note, HasSubstr("the owner's reserve of 60 %"));
  // Both owner's values still fit: both apply.
  s = settings_with({10.0, 100.0, 3.0}, 40.0, 80.0);
  EXPECT_TRUE(s.reserve.owner_applies && s.target.owner_applies);
  EXPECT_TRUE(s.note.empty());
}

}  // namespace
}  // namespace bessd::api::test
