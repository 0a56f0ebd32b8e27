#include <gtest/gtest.h>

#include "rollup.hpp"
#include "test_support.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;
using test::sample_at;
using test::t0;

TEST(Rollup, MinMeanMaxOverOneMinute) {
  RollupAccumulator acc(60'000, 5.0);
  for (int i = 0; i < 60; ++i) {
    auto s = sample_at(t0() + std::chrono::seconds{i});
    s.pack_voltage_v = 50.0 + i % 7;  // 50..56
    ASSERT_FALSE(acc.add(s));
  }
  auto done = acc.add(sample_at(t0() + 60s));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->start_ms, to_unix_ms(t0()));
  EXPECT_EQ(done->samples, 60U);
  const auto stats = done->stats();
  double sum = 0;
  for (int i = 0; i < 60; ++i) sum += 50.0 + i % 7;
  EXPECT_DOUBLE_EQ(*stats[0].min, 50.0);
  EXPECT_DOUBLE_EQ(*stats[0].max, 56.0);
  EXPECT_NEAR(*stats[0].mean, sum / 60.0, 1e-12);
  EXPECT_FALSE(stats[5].mean);  // soh never reported: absent, not zero
  EXPECT_EQ(done->last_state, "running");
}

TEST(Rollup, EnergyIsIntegratedAndSplitAtBucketEdges) {
  RollupAccumulator acc(60'000, 5.0);
  // 3600 W charging for 30 s, then 1800 W discharging; samples every second.
  std::optional<RollupBucket> first;
  for (int i = 0; i <= 120; ++i) {
    const double p = i < 30 ? 3600.0 : -1800.0;
    if (auto b = acc.add(sample_at(t0() + std::chrono::seconds{i}, p)); b && !first) first = b;
  }
  ASSERT_TRUE(first);
  EXPECT_NEAR(first->charge_wh, 30.0, 1e-9);     // 3600 W x 30 s
  EXPECT_NEAR(first->discharge_wh, 15.0, 1e-9);  // 1800 W x 30 s
  ASSERT_TRUE(acc.open_bucket());
  // Second minute complete up to t=120 (it is the open bucket's first sample at 120 s).
}

TEST(Rollup, NoEnergyAcrossAGap) {
  RollupAccumulator acc(60'000, 5.0);
  acc.add(sample_at(t0(), 3600.0));
  acc.add(sample_at(t0() + 1s, 3600.0));
  acc.add(sample_at(t0() + 30s, 3600.0));  // 29 s silence: unknown power, not integrated
  acc.add(sample_at(t0() + 31s, 0.0));
  auto b = acc.add(sample_at(t0() + 60s, 0.0));
  ASSERT_TRUE(b);
  // [0 s, 1 s] and [30 s, 31 s] at 3600 W; the 29 s silence counts for nothing.
  EXPECT_NEAR(b->charge_wh, 2.0, 1e-9);
}

TEST(Rollup, SamplesOlderThanTheOpenBucketAreIgnored) {
  RollupAccumulator acc(60'000, 5.0);
  acc.add(sample_at(t0() + 90s));
  EXPECT_FALSE(acc.add(sample_at(t0() + 10s)));
  EXPECT_EQ(acc.out_of_order(), 1U);
  EXPECT_EQ(acc.open_bucket()->samples, 1U);
}

}  // namespace
}  // namespace bessd::storage
