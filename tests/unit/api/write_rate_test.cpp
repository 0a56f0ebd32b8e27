// The write rate limit (docs/api.md "Write rate limit"): a burst per client, refilled at a steady
// rate, 429 with Retry-After beyond it, refusals audited once per interval with their count.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bessd/api/write_rate_limiter.hpp>

#include "router_test_support.hpp"

namespace bessd::api::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TimePoint at(std::chrono::milliseconds ms) {
  return TimePoint{} + 1h + ms;
}

TEST(WriteRateLimiter, ABurstThenOneWritePerEarnedToken) {
  WriteRateLimiter limiter({.per_second = 2.0, .burst = 3});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("uid 1000", at(0ms)).allowed) << i;
  const auto refused = limiter.admit("uid 1000", at(0ms));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 500ms);
  EXPECT_FALSE(limiter.admit("uid 1000", at(499ms)).allowed);
  EXPECT_TRUE(limiter.admit("uid 1000", at(500ms)).allowed);
  EXPECT_FALSE(limiter.admit("uid 1000", at(600ms)).allowed);
  // A long pause refills the burst, never more.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("uid 1000", at(60'000ms)).allowed) << i;
  EXPECT_FALSE(limiter.admit("uid 1000", at(60'000ms)).allowed);
}

TEST(WriteRateLimiter, ClientsHaveTheirOwnBucketsAndInternalCallersNone) {
  WriteRateLimiter limiter({.per_second = 1.0, .burst = 1});
  EXPECT_TRUE(limiter.admit("uid 1000", at(0ms)).allowed);
  EXPECT_FALSE(limiter.admit("uid 1000", at(0ms)).allowed);
  EXPECT_TRUE(limiter.admit("uid 0", at(0ms)).allowed);
  EXPECT_TRUE(limiter.admit("token grafana", at(0ms)).allowed);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.admit("", at(0ms)).allowed);
}

TEST(WriteRateLimiter, ClientKeysNameTheUidOrTheToken) {
  Requester unix_peer;
  unix_peer.transport = Transport::unix_socket;
  unix_peer.uid = 1000;
  unix_peer.pid = 7;  // another process of the same user shares the bucket
  EXPECT_EQ(write_client_key(unix_peer), "uid 1000");
  Requester tcp_peer;
  tcp_peer.transport = Transport::tcp;
  tcp_peer.credential = "grafana";
  tcp_peer.peer = "127.0.0.1:53122";
  EXPECT_EQ(write_client_key(tcp_peer), "token grafana");
  tcp_peer.credential.clear();
  EXPECT_EQ(write_client_key(tcp_peer), "tcp 127.0.0.1");
  EXPECT_EQ(write_client_key(Requester{}), "");
}

TEST(WriteRateLimiter, NewSettingsCapWhatABucketHolds) {
  WriteRateLimiter limiter({.per_second = 1.0, .burst = 10});
  EXPECT_TRUE(limiter.admit("uid 1000", at(0ms)).allowed);
  limiter.update({.per_second = 1.0, .burst = 2});
  EXPECT_TRUE(limiter.admit("uid 1000", at(0ms)).allowed);
  EXPECT_TRUE(limiter.admit("uid 1000", at(0ms)).allowed);
  EXPECT_FALSE(limiter.admit("uid 1000", at(0ms)).allowed);
}

TEST(WriteRateLimiter, RefusalsAreReportedFirstThenOncePerIntervalWithTheirCount) {
  WriteRateLimiter limiter({.audit_interval = 60s});
  EXPECT_EQ(limiter.count_refusal("uid 1000", "429", at(0ms)), 1u);
  for (int i = 0; i < 500; ++i)
    EXPECT_EQ(limiter.count_refusal("uid 1000", "429", at(1000ms)), std::nullopt);
  EXPECT_EQ(limiter.count_refusal("uid 1000", "403", at(1000ms)), 1u) << "another reason";
  EXPECT_EQ(limiter.count_refusal("uid 1000", "429", at(60'000ms)), 501u);
}

TEST(WriteRateLimiter, PendingRefusalsAreDueWhenTheirIntervalEnds) {
  WriteRateLimiter limiter({.audit_interval = 60s});
  const RefusalContext ctx{Requester{}, "POST /v1/faults/ack"};
  EXPECT_EQ(limiter.count_refusal("uid 1000", "429", at(0ms), ctx), 1u);
  for (int i = 0; i < 49; ++i) limiter.count_refusal("uid 1000", "429", at(1000ms), ctx);
  EXPECT_TRUE(limiter.due_refusals(at(59'999ms)).empty()) << "the minute has not ended";
  const auto due = limiter.due_refusals(at(60'000ms));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].count, 49u);
  EXPECT_EQ(due[0].reason, "429");
  EXPECT_EQ(due[0].context.what, "POST /v1/faults/ack");
  EXPECT_TRUE(limiter.due_refusals(at(200'000ms)).empty()) << "nothing pending any more";
  EXPECT_EQ(limiter.count_refusal("uid 1000", "429", at(60'001ms), ctx), std::nullopt)
      << "one record per interval: the due record opened a new one";
  const auto rest = limiter.take_refusals();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].count, 1u);
  EXPECT_TRUE(limiter.take_refusals().empty());
}

TEST(WriteRateLimiter, MemoryStaysBoundedUnderManyClients) {
  WriteRateLimiter limiter({.per_second = 1.0, .burst = 1, .max_clients = 64});
  for (int i = 0; i < 10'000; ++i) {
    limiter.admit("tcp 10.0.0." + std::to_string(i), at(std::chrono::milliseconds(i)));
    limiter.count_refusal("tcp 10.0.0." + std::to_string(i), "429",
                          at(std::chrono::milliseconds(i)));
  }
  EXPECT_LE(limiter.clients(), 2u * 64u);
}

struct RouterWriteRate : RouterFixture {};

TEST_F(RouterWriteRate, WritesBeyondTheBurstGet429AndNeverReachTheController) {
  const auto burst = WriteRateSettings{}.burst;
  for (std::uint32_t i = 0; i < burst; ++i)
    ASSERT_EQ(call(Method::post, "/v1/faults/ack").status, 200u) << i;
  const auto r = call(Method::post, "/v1/faults/ack");
  const auto m = expect_error(r, 429, "too_many_writes");
  EXPECT_THAT(m, HasSubstr("uid 1000"));
  EXPECT_THAT(m, HasSubstr("try again in 500 ms"));
  EXPECT_THAT(r.headers,
              ::testing::Contains(std::pair<std::string, std::string>{"Retry-After", "1"}));
  // Every write route shares the client's budget; reads are never limited.
  expect_error(call(Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":100})"), 429,
               "too_many_writes");
  expect_error(call(Method::post, "/v1/self-test"), 429, "too_many_writes");
  EXPECT_EQ(call(Method::get, "/v1/status").status, 200u);
  EXPECT_EQ(facade.ack_requests.size(), burst);
  EXPECT_TRUE(facade.mode_requests.empty());
  // ... except `mode idle`, the emergency stop, which has a bucket of its own (as large).
  for (std::uint32_t i = 0; i < burst; ++i)
    ASSERT_EQ(call(Method::put, "/v1/mode", R"({"mode":"idle"})").status, 200u) << i;
  expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle"})"), 429, "too_many_writes");
  EXPECT_EQ(facade.mode_requests.size(), burst);
  facade.mode_requests.clear();
  EXPECT_TRUE(facade.self_test_requests.empty());

  clock.advance(500ms);
  EXPECT_EQ(call(Method::post, "/v1/faults/ack").status, 200u) << "one write earned";
}

TEST_F(RouterWriteRate, RefusalsReachTheAuditOncePerMinuteWithTheirCount) {
  for (int i = 0; i < 100; ++i) call(Method::post, "/v1/faults/ack");
  const auto refusals = [&] {
    std::vector<AuditRecord> out;
    for (const auto& a : facade.audit_log)
      if (a.outcome == "refused") out.push_back(a);
    return out;
  };
  ASSERT_EQ(refusals().size(), 1u);
  EXPECT_EQ(refusals()[0].action, "refused_write");
  EXPECT_EQ(refusals()[0].request, R"({"request":"POST /v1/faults/ack"})");
  EXPECT_THAT(refusals()[0].message, HasSubstr("1 write refused with 429"));
  clock.advance(60s);
  for (int i = 0; i < 11; ++i) call(Method::post, "/v1/faults/ack");  // 10 pass: refilled
  ASSERT_EQ(refusals().size(), 2u);
  EXPECT_THAT(refusals()[1].message, HasSubstr("90 writes refused with 429"));
}

// A flood that stops is still counted: at the end of its minute (the server's timer), and every
// refusal at a stop.
TEST_F(RouterWriteRate, EveryRefusalIsCountedOnceTheMinuteEndsOrAtAStop) {
  for (int i = 0; i < 100; ++i) call(Method::post, "/v1/faults/ack");
  const auto counted = [&] {
    std::uint64_t n = 0;
    for (const auto& a : facade.audit_log)
      if (a.outcome == "refused") n += std::stoull(a.message);
    return n;
  };
  ASSERT_EQ(counted(), 1u);
  router.audit_due_refusals();
  EXPECT_EQ(counted(), 1u) << "the minute has not ended";
  clock.advance(60s);
  router.audit_due_refusals();
  EXPECT_EQ(counted(), 90u);
  for (int i = 0; i < 20; ++i) call(Method::post, "/v1/faults/ack");  // 10 pass: refilled
  router.audit_pending_refusals();
  EXPECT_EQ(counted(), 100u);
  EXPECT_EQ(facade.audit_log.back().request, R"({"request":"POST /v1/faults/ack"})");
}

TEST_F(RouterWriteRate, WritesWithoutTheControlScopeAreAuditedNotJustAnswered) {
  for (int i = 0; i < 30; ++i)
    expect_error(call(Method::put, "/v1/mode", R"({"mode":"idle"})", false), 403, "forbidden");
  ASSERT_EQ(facade.audit_log.size(), 1u);
  EXPECT_EQ(facade.audit_log[0].outcome, "refused");
  EXPECT_THAT(facade.audit_log[0].message, HasSubstr("no control scope"));
  EXPECT_EQ(facade.audit_log[0].who.uid, 1000u);
}

TEST_F(RouterWriteRate, ReloadedSettingsApplyToTheNextWrite) {
  router.set_write_rate({.per_second = 1.0, .burst = 1});
  EXPECT_EQ(call(Method::post, "/v1/faults/ack").status, 200u);
  expect_error(call(Method::post, "/v1/faults/ack"), 429, "too_many_writes");
}

}  // namespace
}  // namespace bessd::api::test
