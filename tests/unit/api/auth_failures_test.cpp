// The per-peer throttle and log rate limit of failed authentications, with hand-made times.

#include <gtest/gtest.h>

#include <bessd/api/http/auth_failures.hpp>

namespace bessd::api::http {
namespace {

using namespace std::chrono_literals;
using TimePoint = AuthFailureTracker::TimePoint;

AuthThrottleSettings small_settings() {
  AuthThrottleSettings s;
  s.max_failures = 3;
  s.window = 10s;
  s.block = 30s;
  s.log_interval = 60s;
  s.max_peers = 4;
  return s;
}

TEST(AuthFailureTracker, BlocksAPeerAfterTooManyFailuresInTheWindow) {
  AuthFailureTracker t(small_settings());
  const TimePoint t0{std::chrono::hours{1}};
  EXPECT_EQ(t.blocked_for("10.0.0.1", t0), 0ms);
  t.record_failure("10.0.0.1", t0);
  t.record_failure("10.0.0.1", t0 + 1s);
  EXPECT_EQ(t.blocked_for("10.0.0.1", t0 + 1s), 0ms);
  t.record_failure("10.0.0.1", t0 + 2s);
  EXPECT_EQ(t.blocked_for("10.0.0.1", t0 + 2s), 30'000ms);
  EXPECT_EQ(t.blocked_for("10.0.0.1", t0 + 12s), 20'000ms);
  EXPECT_EQ(t.blocked_for("10.0.0.2", t0 + 2s), 0ms);  // per peer
  EXPECT_EQ(t.blocked_for("10.0.0.1", t0 + 32s), 0ms);
}

TEST(AuthFailureTracker, FailuresSpreadBeyondTheWindowAreNotBlocked) {
  AuthFailureTracker t(small_settings());
  const TimePoint t0{std::chrono::hours{1}};
  for (int i = 0; i < 10; ++i) t.record_failure("p", t0 + i * 6s);  // 2 per 10 s window at most
  EXPECT_EQ(t.blocked_for("p", t0 + 60s), 0ms);
}

TEST(AuthFailureTracker, LogsTheFirstFailureTheBlockAndThenOncePerIntervalWithACount) {
  auto s = small_settings();
  s.max_failures = 100;
  AuthFailureTracker t(s);
  const TimePoint t0{std::chrono::hours{1}};
  auto line = t.record_failure("p", t0);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->failures, 1u);
  EXPECT_FALSE(line->blocked);
  int lines = 0;
  for (int i = 1; i <= 50; ++i)
    if (t.record_failure("p", t0 + i * 100ms)) ++lines;
  EXPECT_EQ(lines, 0);  // within the interval: counted, not logged
  line = t.record_failure("p", t0 + 61s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->failures, 51u);
  // Another peer has its own line.
  EXPECT_TRUE(t.record_failure("q", t0 + 61s).has_value());
}

TEST(AuthFailureTracker, TheStartOfABlockIsLoggedAtOnce) {
  AuthFailureTracker t(small_settings());
  const TimePoint t0{std::chrono::hours{1}};
  ASSERT_TRUE(t.record_failure("p", t0).has_value());
  EXPECT_FALSE(t.record_failure("p", t0 + 1s).has_value());
  const auto line = t.record_failure("p", t0 + 2s);
  ASSERT_TRUE(line.has_value());
  EXPECT_TRUE(line->blocked);
  EXPECT_EQ(line->failures, 2u);
}

TEST(AuthFailureTracker, MemoryIsBounded) {
  AuthFailureTracker t(small_settings());
  const TimePoint t0{std::chrono::hours{1}};
  for (int i = 0; i < 100; ++i) t.record_failure("peer" + std::to_string(i), t0);
  EXPECT_LE(t.size(), 4u);
}

// On loopback every address of 127.0.0.0/8 is a peer of its own, and any local process may bind
// any of them: "one line per peer per interval" alone bounds nothing. All peers together get
// max_log_lines per interval, and the failures not logged are counted in the next line.
TEST(AuthFailureTracker, LogLinesStayBoundedWhenEveryFailureComesFromANewAddress) {
  AuthFailureTracker t;  // the defaults the server uses
  const TimePoint t0{std::chrono::hours{1}};
  int lines = 0;
  constexpr int kAttempts = 20'000;  // about 2 s of a loopback flood
  for (int i = 0; i < kAttempts; ++i) {
    const std::string peer = "127." + std::to_string(i / 65536 % 256) + "." +
                             std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    if (t.record_failure(peer, t0 + std::chrono::microseconds{i * 100})) ++lines;
  }
  EXPECT_LE(lines, 100);
  // The next interval's first line accounts for every failure that was not logged.
  const auto next = t.record_failure("127.9.9.9", t0 + std::chrono::minutes(2));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->not_logged_elsewhere, static_cast<std::uint64_t>(kAttempts - lines));
}

}  // namespace
}  // namespace bessd::api::http
