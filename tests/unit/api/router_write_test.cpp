// Writes, access control, routing errors and the error mapping.

#include "router_test_support.hpp"

#include <bessd/api/error_response.hpp>

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;

using RouterWrite = RouterFixture;

TEST_F(RouterWrite, ModeManualPassesSetpointAndRequester) {
  const auto r = call(Method::put, "/v1/mode", R"({"mode": "manual", "setpoint_w": -1500})");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = json(r);
  EXPECT_EQ(j["accepted"], true);
  EXPECT_EQ(j["mode"], "manual");
  EXPECT_DOUBLE_EQ(j["effective_setpoint_w"].get<double>(), -1500.0);
  ASSERT_EQ(facade.mode_requests.size(), 1u);
  EXPECT_EQ(facade.mode_requests[0].first.mode, Mode::manual);
  EXPECT_EQ(facade.mode_requests[0].first.setpoint_w, -1500.0);
  EXPECT_EQ(facade.mode_requests[0].second, writer());
}

TEST_F(RouterWrite, ModeSetpointIsClampedByTheController) {
  const auto j = json(call(Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":9000})"));
  EXPECT_DOUBLE_EQ(j["effective_setpoint_w"].get<double>(), 2100.0);
  EXPECT_THAT(j["message"].get<std::string>(), HasSubstr("clamped"));
}

TEST_F(RouterWrite, ModeIdleAndSelfConsumption) {
  EXPECT_EQ(call(Method::put, "/v1/mode", R"({"mode":"idle"})").status, 200u);
  EXPECT_EQ(
      call(Method::put, "/v1/mode", R"({"mode":"self_consumption","setpoint_w":null})").status,
      200u);
  EXPECT_EQ(facade.mode_requests.size(), 2u);
  EXPECT_FALSE(facade.mode_requests[1].first.setpoint_w.has_value());
}

TEST_F(RouterWrite, ModeBodyErrorsSayExactlyWhatIsWrong) {
  auto m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"manual"})"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("/setpoint_w: is required when mode is \"manual\""));
  m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle","setpoint_w":100})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/setpoint_w: is only allowed when mode is \"manual\""));
  m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"turbo"})"), 400, "invalid_body");
  EXPECT_THAT(
      m,
      HasSubstr("/mode: must be one of idle, manual, self_consumption, schedule; got \"turbo\""));
  m = expect_error(call(Method::put, "/v1/mode", R"({"mode":3})"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("/mode: must be a string, got 3"));
  m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":"1000"})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/setpoint_w: must be a number"));
  EXPECT_THAT(m, HasSubstr("got \"1000\""));
  m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":2e6})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/setpoint_w: must be a number"));
  m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle","setpont_w":1})"), 400,
                   "invalid_body");
  EXPECT_THAT(m, HasSubstr("/setpont_w: unknown key (did you mean \"setpoint_w\"?)"));
  m = expect_error(call(Method::put, "/v1/mode", R"({})"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("/mode: is required but missing"));
  m = expect_error(call(Method::put, "/v1/mode", R"(["idle"])"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("must be a JSON object, got an array"));
  m = expect_error(call(Method::put, "/v1/mode", ""), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("request body is empty"));
  EXPECT_TRUE(facade.mode_requests.empty());
}

TEST_F(RouterWrite, ModeExpiryIsPassedOnOrRefusedWithTheRange) {
  ASSERT_EQ(call(Method::put, "/v1/mode", R"({"mode":"idle","expires_in_s":7200})").status, 200u);
  ASSERT_EQ(call(Method::put, "/v1/mode", R"({"mode":"idle","expires_in_s":null})").status, 200u);
  ASSERT_EQ(facade.mode_requests.size(), 2u);
  EXPECT_EQ(facade.mode_requests[0].first.expires_in_s, 7200);
  EXPECT_FALSE(facade.mode_requests[1].first.expires_in_s.has_value());
  for (const char* bad :
       {R"({"mode":"idle","expires_in_s":0})", R"({"mode":"idle","expires_in_s":2592001})",
        R"({"mode":"idle","expires_in_s":1.5})", R"({"mode":"idle","expires_in_s":"2h"})"}) {
    const auto m = expect_error(call(Method::put, "/v1/mode", bad), 400, "invalid_body");
    EXPECT_THAT(m, HasSubstr("/expires_in_s")) << bad;
  }
  EXPECT_EQ(facade.mode_requests.size(), 2u);
}

TEST_F(RouterWrite, ModeMalformedJsonNamesTheByte) {
  const auto m =
      expect_error(call(Method::put, "/v1/mode", R"({"mode": idle})"), 400, "malformed_json");
  EXPECT_THAT(m, HasSubstr("not valid JSON at byte 10"));
  EXPECT_THAT(m, HasSubstr("syntax error"));
}

// Found by fuzz_router (tests/fuzz/corpus/fuzz_router/number-beyond-double): the parser's
// out_of_range escaped the router as an uncaught exception.
TEST_F(RouterWrite, ModeNumberBeyondADoubleIsA400) {
  const auto m =
      expect_error(call(Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":-1E500})"), 400,
                   "malformed_json");
  EXPECT_THAT(m, HasSubstr("not usable JSON"));
  EXPECT_THAT(m, HasSubstr("number overflow"));
  EXPECT_TRUE(facade.mode_requests.empty());
}

TEST_F(RouterWrite, ModeWrongContentTypeIs415) {
  const auto m = expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle"})", true,
                                   "application/x-www-form-urlencoded"),
                              415, "unsupported_media_type");
  EXPECT_THAT(m, HasSubstr("application/x-www-form-urlencoded"));
  EXPECT_EQ(
      call(Method::put, "/v1/mode", R"({"mode":"idle"})", true, "application/json; charset=utf-8")
          .status,
      200u);
}

TEST_F(RouterWrite, ModeRefusedByTheControllerIs409) {
  facade.refuse_mode = "the site compliance report blocks charging (PAS-LOC-01)";
  const auto m = expect_error(
      call(Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":500})"), 409, "refused");
  EXPECT_THAT(m, HasSubstr("PAS-LOC-01"));
  ASSERT_EQ(facade.audit_log.size(), 1u);
  EXPECT_EQ(facade.audit_log[0].outcome, "refused");
}

TEST_F(RouterWrite, ModeFacadeErrorsMapToStatus) {
  facade.fail_next = Error{ErrorCode::out_of_range, "setpoint beyond the inverter rating"};
  expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle"})"), 422, "rejected");
  facade.fail_next = Error{ErrorCode::internal, "bug"};
  expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle"})"), 500, "internal");
}

TEST_F(RouterWrite, WritesNeedWriteAccess) {
  for (auto [method, path] :
       {std::pair{Method::put, "/v1/mode"}, std::pair{Method::post, "/v1/faults/ack"},
        std::pair{Method::post, "/v1/self-test"}}) {
    const auto m = expect_error(call(method, path, R"({"mode":"idle"})", false), 403, "forbidden");
    EXPECT_THAT(m, HasSubstr("uid 1000 (alice)")) << path;
    EXPECT_THAT(m, HasSubstr("needs the control scope")) << path;
    EXPECT_THAT(m, HasSubstr("has read")) << path;
  }
  EXPECT_TRUE(facade.mode_requests.empty());
  EXPECT_TRUE(facade.ack_requests.empty());
  EXPECT_TRUE(facade.self_test_requests.empty());
}

TEST_F(RouterWrite, AckClearsLatchedFaultsWhoseCauseCleared) {
  auto& faults = facade.status_snapshot.controller.active_faults;
  faults.push_back({"ALM-01", core::Severity::critical, "fire alarm", std::nullopt, true, true});
  faults.push_back({"OP-I-01", core::Severity::error, "over current", std::nullopt, true, false});
  const auto r = call(Method::post, "/v1/faults/ack");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = json(r);
  EXPECT_EQ(j["acknowledged"], nlohmann::json({"ALM-01"}));
  EXPECT_EQ(j["still_active"], nlohmann::json({"OP-I-01"}));
  EXPECT_EQ(call(Method::post, "/v1/faults/ack", "{}").status, 200u);
  const auto m =
      expect_error(call(Method::post, "/v1/faults/ack", R"({"all":true})"), 400, "invalid_body");
  EXPECT_THAT(m, HasSubstr("/all: unknown key"));
  EXPECT_EQ(facade.ack_requests.size(), 2u);
}

TEST_F(RouterWrite, SelfTestReportsStepsOrBusy) {
  auto r = call(Method::post, "/v1/self-test");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = json(r);
  EXPECT_EQ(j["passed"], true);
  EXPECT_EQ(j["steps"][0]["condition"], "over_voltage");
  facade.fail_next = Error{ErrorCode::busy, "the battery is not idle"};
  const auto m = expect_error(call(Method::post, "/v1/self-test"), 409, "busy");
  EXPECT_EQ(m, "the battery is not idle");
  expect_error(call(Method::post, "/v1/self-test", "[1]"), 400, "invalid_body");
  expect_error(call(Method::post, "/v1/self-test", "{"), 400, "malformed_json");
}

TEST_F(RouterWrite, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto m = expect_error(call(Method::get, "/v1/nothing"), 404, "not_found");
  EXPECT_THAT(m, HasSubstr("/v1/nothing"));
  expect_error(call(Method::get, "/v1/status/"), 404, "not_found");
  const auto r = call(Method::post, "/v1/status");
  expect_error(r, 405, "method_not_allowed");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, HEAD"}));
  const auto r2 = call(Method::get, "/v1/mode");
  expect_error(r2, 405, "method_not_allowed");
  EXPECT_EQ(r2.headers[0].second, "PUT");
  expect_error(call(Method::head, "/v1/mode"), 405, "method_not_allowed");
  expect_error(call(Method::head, "/v1/nothing"), 404, "not_found");
}

// HEAD wherever GET works (RFC 9110, 9.3.2): the same status and headers; the server drops the
// body but keeps its length.
TEST_F(RouterWrite, HeadAnswersLikeGet) {
  for (const auto& route : router.routes()) {
    if (route.method != Method::get) continue;
    const auto get = call(Method::get, route.path);
    const auto head = call(Method::head, route.path);
    EXPECT_EQ(head.status, get.status) << route.path;
    EXPECT_EQ(head.content_type, get.content_type) << route.path;
    EXPECT_EQ(head.headers, get.headers) << route.path;
  }
  expect_error(call(Method::head, "/v1/status", "{}"), 400, "invalid_body");
}

TEST_F(RouterWrite, QueryAndBodyWhereNoneIsTaken) {
  const auto m = expect_error(call(Method::get, "/v1/status?verbose=1"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("verbose: unknown query parameter (allowed: none)"));
  expect_error(call(Method::get, "/v1/status", "{}"), 400, "invalid_body");
  expect_error(call(Method::put, "/v1/mode?force=1", R"({"mode":"idle"})"), 400, "invalid_query");
}

TEST_F(RouterWrite, EveryErrorCodeMapsToAStatus) {
  const std::vector<std::pair<ErrorCode, unsigned>> expected{{ErrorCode::invalid_argument, 422},
                                                             {ErrorCode::out_of_range, 422},
                                                             {ErrorCode::parse_error, 500},
                                                             {ErrorCode::timeout, 504},
                                                             {ErrorCode::io_error, 503},
                                                             {ErrorCode::disconnected, 503},
                                                             {ErrorCode::permission_denied, 403},
                                                             {ErrorCode::not_found, 404},
                                                             {ErrorCode::unsupported, 501},
                                                             {ErrorCode::protocol_error, 500},
                                                             {ErrorCode::busy, 409},
                                                             {ErrorCode::storage_error, 503},
                                                             {ErrorCode::readback_mismatch, 500},
                                                             {ErrorCode::internal, 500}};
  for (const auto& [code, status] : expected) {
    const auto r = error_response(Error{code, "m"});
    EXPECT_EQ(r.status, status) << to_string(code);
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "m");
  }
}

TEST_F(RouterWrite, RoutesAreListed) {
  EXPECT_EQ(router.routes().size(), 19u);
  int writes = 0;
  for (const auto& r : router.routes()) writes += r.write ? 1 : 0;
  EXPECT_EQ(writes, 4);
}

}  // namespace
}  // namespace bessd::api::test
