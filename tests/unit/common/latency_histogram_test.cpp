// Reaction times in fixed, cumulative buckets: a value on a bound counts at that bound.

#include <bessd/common/latency_histogram.hpp>

#include <gtest/gtest.h>

namespace bessd {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, CountsCumulativelyWithTheSumAndTheLargest) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0U);
  h.record(300us);  // <= 0.5 ms
  h.record(1ms);    // exactly on the 1 ms bound
  h.record(1500us);
  h.record(30ms);
  h.record(10s);  // beyond the last bound: +Inf only
  EXPECT_EQ(h.count(), 5U);
  EXPECT_EQ(h.at_or_below(0), 1U);  // 0.5 ms
  EXPECT_EQ(h.at_or_below(1), 2U);  // 1 ms
  EXPECT_EQ(h.at_or_below(2), 3U);  // 2 ms
  EXPECT_EQ(h.at_or_below(5), 3U);  // 20 ms
  EXPECT_EQ(h.at_or_below(6), 4U);  // 50 ms
  EXPECT_EQ(h.at_or_below(LatencyHistogram::kBoundsS.size() - 1), 4U);
  EXPECT_NEAR(h.sum_s(), 0.0003 + 0.001 + 0.0015 + 0.03 + 10.0, 1e-9);
  EXPECT_DOUBLE_EQ(h.max_s(), 10.0);
}

TEST(LatencyHistogram, ANegativeDurationCountsAsZero) {
  LatencyHistogram h;
  h.record(-5ms);  // a clock that stepped back must not corrupt the sum
  EXPECT_EQ(h.at_or_below(0), 1U);
  EXPECT_EQ(h.sum_s(), 0.0);
}

}  // namespace
}  // namespace bessd
