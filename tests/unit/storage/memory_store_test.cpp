#include <gtest/gtest.h>

#include <bessd/storage/memory_store.hpp>
#include <bessd/storage/sqlite_store.hpp>

#include "test_support.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;
using test::sample_at;
using test::t0;

// Energy per day (docs/api.md "GET /v1/energy"): each add goes onto the day's row, a read gives
// the days in range oldest first, and both stores agree; the SQLite one keeps them on disk.
TEST(EnergyDays, AddsUpPerDayInBothStores) {
  test::TempDir dir;
  const auto path = dir.file("e.db");
  const auto day = [](const char* text) { return *parse_date(text); };
  const auto add = [&](Store& s, const char* text, double kwh, double measured_s) {
    energy::DayEnergy d{day(text), {}};
    d.increase.battery_charged_kwh = kwh;
    d.increase.grid_import_kwh = kwh / 2;
    d.increase.measured_s = measured_s;
    s.add_energy_day(d);
  };
  MemoryStore mem;
  {
    SqliteStore sql(test::options_for(path));
    for (Store* s : std::initializer_list<Store*>{&mem, &sql}) {
      add(*s, "2026-12-04", 1.0, 10.0);
      add(*s, "2026-12-05", 0.25, 10.0);
      add(*s, "2026-12-04", 0.5, 10.0);
      add(*s, "2026-11-30", 2.0, 10.0);
    }
    ASSERT_TRUE(test::flushed(sql));
  }
  SqliteStore sql(test::options_for(path));
  for (Store* s : std::initializer_list<Store*>{&mem, &sql}) {
    auto r = s->energy_days(day("2026-12-01"), day("2026-12-05"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 2U);
    EXPECT_EQ((*r)[0].day, day("2026-12-04"));
    EXPECT_DOUBLE_EQ((*r)[0].increase.battery_charged_kwh, 1.5);
    EXPECT_DOUBLE_EQ((*r)[0].increase.grid_import_kwh, 0.75);
    EXPECT_DOUBLE_EQ((*r)[0].increase.measured_s, 20.0);
    EXPECT_EQ((*r)[1].day, day("2026-12-05"));
    EXPECT_DOUBLE_EQ((*r)[1].increase.battery_charged_kwh, 0.25);
    auto none = s->energy_days(day("2026-12-06"), day("2026-12-31"));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
  }
}

/// The same input into both stores gives the same history (within the stored resolution).
// A reader that remembers the last event id it took (the fleet uplink) gets what came after, in
// the order it was committed even when the wall clock went back, in pages; both stores agree.
TEST(EventsAfter, GivesWhatCameAfterAnIdInCommitOrder) {
  MemoryStore mem;
  SqliteStore sql(test::options_for(":memory:"));
  for (Store* s : std::initializer_list<Store*>{&mem, &sql}) {
    s->append_event(test::event("a"), t0() + 10s);
    s->append_event(test::event("b"), t0() + 5s);  // the clock stepped back
    s->append_event(test::event("c"), t0() + 20s);
  }
  ASSERT_TRUE(sql.flush().get());
  for (Store* s : std::initializer_list<Store*>{&mem, &sql}) {
    auto all = s->events_after(0, 10);
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].event.code, "a");
    EXPECT_EQ((*all)[1].event.code, "b");
    auto page = s->events_after((*all)[0].id, 1);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->size(), 1u);
    EXPECT_EQ((*page)[0].event.code, "b");
    auto rest = s->events_after((*all)[2].id, 10);
    ASSERT_TRUE(rest);
    EXPECT_TRUE(rest->empty());
  }
}

// Telemetry read on by sequence number (the fleet uplink): the order stored, even when the clock
// stepped back; a sample that replaces one at the same time comes again under a new number;
// where the reader got to is kept across a restart.
TEST(TelemetryAfter, ReadsOnInStoredOrderAndTheCursorSurvivesARestart) {
  test::TempDir dir;
  const auto path = dir.file("t.db");
  MemoryStore mem;
  {
    SqliteStore sql(test::options_for(path));
    for (Store* s : std::initializer_list<Store*>{&mem, &sql}) {
      s->append_telemetry(sample_at(t0() + 10s, 50.0));
      s->append_telemetry(sample_at(t0() + 5s, 51.0));  // the clock stepped back
      s->append_telemetry(sample_at(t0() + 20s, 52.0));
      s->append_telemetry(sample_at(t0() + 10s, 53.0));  // the same time again: replaces
      s->save_read_cursor("telemetry", 2);
    }
    ASSERT_TRUE(sql.flush().get());
    for (Store* s : std::initializer_list<Store*>{&mem, &sql}) {
      auto all = s->telemetry_after(0, 10);
      ASSERT_TRUE(all) << all.error().message;
      ASSERT_EQ(all->size(), 3u);
      EXPECT_EQ((*all)[0].seq, 2);
      EXPECT_EQ((*all)[0].sample.at, t0() + 5s);
      EXPECT_EQ((*all)[1].seq, 3);
      EXPECT_EQ((*all)[2].seq, 4);
      EXPECT_EQ((*all)[2].sample.pack_power_w, 53.0);
      auto page = s->telemetry_after(2, 1);
      ASSERT_TRUE(page);
      ASSERT_EQ(page->size(), 1u);
      EXPECT_EQ((*page)[0].seq, 3);
    }
  }
  SqliteStore reopened(test::options_for(path));
  auto cursor = reopened.read_cursor("telemetry");
  ASSERT_TRUE(cursor) << cursor.error().message;
  EXPECT_EQ(*cursor, std::optional<std::int64_t>{2});
  EXPECT_EQ(*reopened.read_cursor("events"), std::nullopt);
  // Numbering goes on after a restart, never reused.
  reopened.append_telemetry(sample_at(t0() + 30s, 54.0));
  ASSERT_TRUE(reopened.flush().get());
  auto next = reopened.telemetry_after(4, 10);
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].seq, 5);
}

// Each row carries the run that wrote it: a log put back from a backup numbers rows again from
// where the backup ended, and only the run tells them from the rows of the lost run.
TEST(TelemetryAfter, RowsAndEventsCarryTheRunThatWroteThem) {
  test::TempDir dir;
  const auto path = dir.file("runs.db");
  const auto backup = dir.file("backup.db");
  std::int64_t first_run = 0;
  {
    SqliteStore sql(test::options_for(path));
    sql.append_telemetry(sample_at(t0(), 1.0));
    sql.append_event(
        core::Event{{}, core::Severity::info, core::EventEdge::once, "t", "a", "a", {}}, t0());
    ASSERT_TRUE(sql.flush().get());
    auto rows = sql.telemetry_after(0, 10);
    ASSERT_TRUE(rows && rows->size() == 1u);
    first_run = (*rows)[0].run;
    EXPECT_GT(first_run, 0);
    EXPECT_LT(first_run, std::int64_t{1} << 53);
    auto events = sql.events_after(0, 10);
    ASSERT_TRUE(events && events->size() == 1u);
    EXPECT_EQ((*events)[0].run, first_run);
  }
  std::filesystem::copy_file(path, backup);
  std::int64_t lost_run = 0;
  {
    SqliteStore sql(test::options_for(path));
    sql.append_telemetry(sample_at(t0() + 1s, 2.0));
    ASSERT_TRUE(sql.flush().get());
    auto rows = sql.telemetry_after(0, 10);
    ASSERT_TRUE(rows && rows->size() == 2u);
    EXPECT_EQ((*rows)[0].run, first_run) << "a row keeps its run";
    lost_run = (*rows)[1].run;
    EXPECT_NE(lost_run, first_run);
  }
  std::filesystem::copy_file(backup, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  SqliteStore restored(test::options_for(path));
  restored.append_telemetry(sample_at(t0() + 2s, 3.0));
  ASSERT_TRUE(restored.flush().get());
  auto rows = restored.telemetry_after(1, 10);
  ASSERT_TRUE(rows && rows->size() == 1u);
  EXPECT_EQ((*rows)[0].seq, 2) << "the number the lost run used again";
  EXPECT_NE((*rows)[0].run, lost_run);
  EXPECT_NE((*rows)[0].run, first_run);
}

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
