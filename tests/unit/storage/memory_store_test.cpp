#include <gtest/gtest.h>

#include <bessd/storage/memory_store.hpp>

#include "test_support.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;
using test::sample_at;
using test::t0;

/// The same input into both stores gives the same history (within the stored resolution).
TEST(MemoryStore, MatchesSqliteStoreOnTheSameInput) {
  MemoryStore mem;
  SqliteStore sql(test::options_for(":memory:"));
  for (int i = 0; i < 1800; ++i) {
    auto s = sample_at(t0() + std::chrono::seconds{i}, (i % 100) * 37.0 - 1500.0);
    s.pack_temperature_c = 20.0 + (i % 13) * 0.5;
    mem.append_telemetry(s);
    sql.append_telemetry(s);
  }
  ASSERT_TRUE(test::flushed(sql));
  for (auto res : {Resolution::raw, Resolution::minute, Resolution::quarter_hour}) {
    HistoryQuery q{t0(), t0() + 1h, res, {"pack_power_w", "pack_temperature_c"}};
    auto a = mem.history(q);
    auto b = sql.history(q);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->points.size(), b->points.size()) << to_string(res);
    for (std::size_t i = 0; i < a->points.size(); ++i) {
      const auto& pa = a->points[i];
      const auto& pb = b->points[i];
      EXPECT_EQ(pa.at, pb.at);
      EXPECT_EQ(pa.samples, pb.samples);
      EXPECT_NEAR(pa.charge_kwh, pb.charge_kwh, 1e-6);
      EXPECT_NEAR(pa.discharge_kwh, pb.discharge_kwh, 1e-6);
      for (std::size_t f = 0; f < 2; ++f) {
        EXPECT_NEAR(*pa.values[f].mean, *pb.values[f].mean, 0.5);
        EXPECT_NEAR(*pa.values[f].min, *pb.values[f].min, 0.5);
        EXPECT_NEAR(*pa.values[f].max, *pb.values[f].max, 0.5);
      }
    }
  }
}

TEST(MemoryStore, KeepsRecordsAndSnapshotsDeduplicate) {
  MemoryStore mem;
  std::int64_t id = 0;
  mem.append_event(test::event("a"), t0(), [&](std::int64_t i) { id = i; });
  EXPECT_EQ(id, 1);
  mem.save_config_snapshot({t0(), "h1", "{}"});
  mem.save_config_snapshot({t0() + 1s, "h1", "{}"});
  mem.save_config_snapshot({t0() + 2s, "h2", "{\"a\":1}"});
  auto snap = mem.latest_config_snapshot();
  ASSERT_TRUE(snap && *snap);
  EXPECT_EQ((*snap)->hash, "h2");
  mem.save_latched_fault({"F1", core::Severity::critical, t0(), "fault", {}});
  mem.clear_latched_fault("F1");
  EXPECT_TRUE(mem.load_latched_faults()->empty());
}

}  // namespace
}  // namespace bessd::storage
