#include <gtest/gtest.h>
#include <algorithm>

#include <sqlite3.h>

#include "migrations.hpp"
#include "test_support.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;
using test::event;
using test::flushed;
using test::options_for;
using test::sample_at;
using test::t0;

/// Blocks the storage thread inside a commit callback until released, so that a test can fill
/// the queue deterministically.
class WriterGate {
 public:
  CommitCallback hold() {
    return [this](std::int64_t) {
      entered_.set_value();
      release_.get_future().wait();
    };
  }
  void wait_entered() { entered_.get_future().wait(); }
  void release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
};

TEST(SqliteStore, StoresAndReadsBackEveryRecordKind) {
  SqliteStore store(options_for(":memory:"));
  std::vector<std::int64_t> ids;
  std::mutex m;
  store.append_event(event("bms.lost", core::Severity::warning), t0(), [&](std::int64_t id) {
    std::lock_guard lock(m);
    ids.push_back(id);
  });
  store.append_event(event("bms.restored"), t0() + 1s);
  AuditRecord a;
  a.at = t0() + 2s;
  a.actor = R"({"transport":"unix","uid":0})";
  a.action = "mode";
  a.request = R"({"mode":"force_charge"})";
  a.sent = core::InverterCommand{core::CommandKind::set_power, 2000.0, 3000.0, 3000.0, "operator"};
  a.readback_power_w = 1990.0;
  a.outcome = "accepted";
  a.message = "mode force_charge in force: charging at 2000 W";
  store.append_audit(a);
  store.save_latched_fault({"ALM-01", core::Severity::critical, t0(), "fire alarm", {{"in", "1"}}});
  store.save_latched_fault({"OP-V-01", core::Severity::error, t0() + 1s, "over-voltage", {}});
  store.clear_latched_fault("OP-V-01");
  store.save_counter({"energy_charged_kwh", 12.5, CounterOrigin::reported, t0()});
  store.save_counter({"full_equivalent_cycles", 3.25, CounterOrigin::derived, t0()});
  store.save_counter({"energy_charged_kwh", 13.0, CounterOrigin::reported, t0() + 5s});
  store.save_config_snapshot({t0(), "abc", "{\"a\": 1}"});
  store.save_config_snapshot({t0() + 1s, "abc", "{\"a\": 1}"});  // same hash: not stored again
  ASSERT_TRUE(flushed(store));

  auto ev = store.events({t0(), core::Severity::debug, 10});
  ASSERT_TRUE(ev) << ev.error().message;
  ASSERT_EQ(ev->size(), 2U);
  EXPECT_EQ((*ev)[0].event.code, "bms.lost");
  EXPECT_EQ((*ev)[0].event.fields.at("k"), "v");
  EXPECT_EQ((*ev)[0].at, t0());
  EXPECT_EQ(ids, std::vector<std::int64_t>{(*ev)[0].id});
  auto warn = store.events({t0(), core::Severity::warning, 10});
  ASSERT_TRUE(warn);
  EXPECT_EQ(warn->size(), 1U);
  auto limited = store.events({t0() + 1s, core::Severity::debug, 10});
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 1U);
  EXPECT_EQ((*limited)[0].event.code, "bms.restored");

  auto au = store.audit(t0(), 10);
  ASSERT_TRUE(au);
  ASSERT_EQ(au->size(), 1U);
  EXPECT_EQ((*au)[0].record, a);

  auto faults = store.load_latched_faults();
  ASSERT_TRUE(faults);
  ASSERT_EQ(faults->size(), 1U);
  EXPECT_EQ((*faults)[0].code, "ALM-01");
  EXPECT_EQ((*faults)[0].fields.at("in"), "1");
  store.clear_all_latched_faults();
  ASSERT_TRUE(flushed(store));
  EXPECT_TRUE(store.load_latched_faults()->empty());

  auto counters = store.load_counters();
  ASSERT_TRUE(counters);
  ASSERT_EQ(counters->size(), 2U);
  EXPECT_EQ((*counters)[0].key, "energy_charged_kwh");
  EXPECT_DOUBLE_EQ((*counters)[0].value, 13.0);
  EXPECT_EQ((*counters)[0].origin, CounterOrigin::reported);
  EXPECT_EQ((*counters)[1].origin, CounterOrigin::derived);

  auto snap = store.latest_config_snapshot();
  ASSERT_TRUE(snap && *snap);
  EXPECT_EQ((*snap)->at, t0());
  EXPECT_EQ((*snap)->text, "{\"a\": 1}");
}

TEST(SqliteStore, RawHistoryReturnsQuantisedSamplesAndLabels) {
  SqliteStore store(options_for(":memory:"));
  for (int i = 0; i < 10; ++i)
    store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}, 100.0 * i));
  ASSERT_TRUE(flushed(store));
  auto h = store.history({t0() + 2s, t0() + 5s, Resolution::raw, {"pack_power_w", "soc_pct"}});
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->resolution, Resolution::raw);
  ASSERT_EQ(h->points.size(), 3U);
  EXPECT_EQ(h->points[0].at, t0() + 2s);
  EXPECT_DOUBLE_EQ(*h->points[1].values[0].mean, 300.0);
  EXPECT_DOUBLE_EQ(*h->points[1].values[1].mean, 50.0);
  EXPECT_EQ(h->points[2].controller_mode, "self_consumption");
  auto bad = store.history({t0(), t0() + 1s, Resolution::raw, {"no_such_field"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
}

TEST(SqliteStore, RollupsHoldMinMeanMaxAndEnergy) {
  SqliteStore store(options_for(":memory:"));
  // 16 minutes at 1 Hz: voltage ramps within each minute, power +3600 W for the first half of
  // every minute and -1800 W for the second half.
  for (int i = 0; i <= 16 * 60; ++i) {
    auto s = sample_at(t0() + std::chrono::seconds{i}, (i % 60) < 30 ? 3600.0 : -1800.0);
    s.pack_voltage_v = 50.0 + (i % 60) * 0.05;
    store.append_telemetry(s);
  }
  ASSERT_TRUE(flushed(store));
  auto h = store.history({t0(), t0() + 20min, Resolution::minute, {"pack_voltage_v"}});
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->points.size(), 16U);  // the 17th minute is still open
  for (const auto& p : h->points) {
    EXPECT_EQ(p.samples, 60U);
    EXPECT_NEAR(*p.values[0].min, 50.0, 1e-9);
    EXPECT_NEAR(*p.values[0].max, 52.95, 1e-9);
    EXPECT_NEAR(*p.values[0].mean, 51.475, 0.005 + 1e-9);  // stored to 0.01 V
    EXPECT_NEAR(p.charge_kwh, 0.030, 1e-6);
    EXPECT_NEAR(p.discharge_kwh, 0.015, 1e-6);
  }
  auto q = store.history({t0(), t0() + 1h, Resolution::quarter_hour, {"pack_voltage_v"}});
  ASSERT_TRUE(q);
  ASSERT_EQ(q->points.size(), 1U);
  EXPECT_EQ(q->points[0].samples, 900U);
  EXPECT_NEAR(q->points[0].charge_kwh, 0.450, 1e-6);
  EXPECT_NEAR(q->points[0].discharge_kwh, 0.225, 1e-6);
}

TEST(SqliteStore, AutomaticResolutionFollowsTheSpan) {
  SqliteStore store(options_for(":memory:"));
  for (int i = 0; i < 3600; ++i) store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}));
  ASSERT_TRUE(flushed(store));
  EXPECT_EQ(store.history({t0(), t0() + 1h, Resolution::automatic, {}})->resolution,
            Resolution::raw);
  EXPECT_EQ(store.history({t0(), t0() + 24h, Resolution::automatic, {}})->resolution,
            Resolution::minute);
  EXPECT_EQ(store.history({t0(), t0() + 30 * 24h, Resolution::automatic, {}})->resolution,
            Resolution::quarter_hour);
}

TEST(SqliteStore, TelemetryIsWrittenInBatchesOfAtMostMaxBatch) {
  auto opt = options_for(":memory:");
  opt.max_batch = 1000;
  SqliteStore store(opt);
  WriterGate gate;
  store.append_event(event("gate"), t0(), gate.hold());
  gate.wait_entered();  // the storage thread is now parked inside the first batch's callback
  const auto before = store.metrics().batches_committed;
  for (int i = 0; i < 2500; ++i) store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}));
  gate.release();
  ASSERT_TRUE(flushed(store));
  const auto m = store.metrics();
  EXPECT_EQ(m.telemetry_written, 2500U);
  // 2500 samples + the flush barrier = 2501 items -> batches of 1000, 1000, 501.
  EXPECT_EQ(m.batches_committed - before, 3U);
  EXPECT_EQ(m.telemetry_dropped, 0U);
}

TEST(SqliteStore, FullQueueDropsTelemetryOnlyAndSaysSo) {
  auto opt = options_for(":memory:");
  opt.config.queue_capacity = 16;
  test::EventLog log;
  opt.on_event = log.sink();
  SqliteStore store(opt);
  WriterGate gate;
  store.append_event(event("gate"), t0(), gate.hold());
  gate.wait_entered();
  for (int i = 0; i < 100; ++i) {
    store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}));
    store.append_event(event("e" + std::to_string(i)), t0() + std::chrono::seconds{i});
  }
  EXPECT_EQ(store.metrics().telemetry_dropped, 84U);
  gate.release();
  ASSERT_TRUE(flushed(store));
  ASSERT_TRUE(flushed(store));  // the overflow event itself is written in a later batch
  const auto m = store.metrics();
  EXPECT_EQ(m.telemetry_written, 16U);
  EXPECT_EQ(m.telemetry_dropped, 84U);
  EXPECT_EQ(m.telemetry_enqueued, 16U);
  auto ev = store.events({t0(), core::Severity::debug, 1000});
  ASSERT_TRUE(ev);
  std::size_t test_events = 0;
  bool overflow = false;
  for (const auto& e : *ev) {
    if (e.event.source == "test") ++test_events;
    if (e.event.code == "storage.queue_overflow" && e.event.edge == core::EventEdge::raised) {
      overflow = true;
      EXPECT_EQ(e.event.fields.at("dropped_total"), "84");
    }
  }
  EXPECT_EQ(test_events, 101U);  // every event kept
  EXPECT_TRUE(overflow);
  EXPECT_TRUE(log.has("storage.queue_overflow", core::EventEdge::raised));
}

TEST(SqliteStore, RetentionPrunesEachTierToItsWindow) {
  test::TempDir dir;
  auto opt = options_for(dir.file("ret.db"));
  opt.config.telemetry_period_s = 60;
  opt.config.retention = {1, 2, 3};  // days: raw, 1-minute, 15-minute
  opt.prune_batch_rows = 500;        // small steps: pruning must still keep up
  {
    SqliteStore store(opt);
    for (int i = 0; i < 5 * 1440; ++i)  // five days, one sample a minute
      store.append_telemetry(sample_at(t0() + std::chrono::minutes{i}, 1000.0));
    ASSERT_TRUE(flushed(store));
    const auto newest = t0() + std::chrono::minutes{5 * 1440 - 1};
    auto oldest = [&](Resolution r) {
      auto h = store.history({t0() - 24h, newest + 1h, r, {"pack_power_w"}, 1});
      EXPECT_TRUE(h);
      return h->points.empty() ? WallTime{} : h->points[0].at;
    };
    EXPECT_GE(oldest(Resolution::raw), newest - 24h);
    EXPECT_LT(oldest(Resolution::raw), newest - 23h);
    EXPECT_GE(oldest(Resolution::minute), newest - 48h);
    EXPECT_LT(oldest(Resolution::minute), newest - 47h);
    EXPECT_GE(oldest(Resolution::quarter_hour), newest - 72h - 15min);
    EXPECT_LT(oldest(Resolution::quarter_hour), newest - 71h);
    EXPECT_GT(store.metrics().rows_pruned, 0U);
    // A query over the whole range now falls back to the tier that still holds it.
    auto whole = store.history({t0(), t0() + 36h, Resolution::automatic, {}});
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->resolution, Resolution::quarter_hour);
  }
}

TEST(SqliteStore, RetentionPrunesEventsAndAuditByAge) {
  test::TempDir dir;
  auto opt = options_for(dir.file("age.db"));
  opt.config.retention.events_days = 5;
  opt.config.retention.audit_days = 8;
  SqliteStore store(opt);
  const auto audit_at = [&](WallTime at) {
    AuditRecord a;
    a.at = at;
    a.actor = "uid 1000 (alice) via unix socket";
    a.request = "ack_faults {}";
    a.outcome = "accepted";
    store.append_audit(a);
  };
  for (int day : {0, 3, 6, 9}) {
    store.append_event(event("day" + std::to_string(day)), t0() + std::chrono::days{day});
    audit_at(t0() + std::chrono::days{day});
  }
  store.append_telemetry(sample_at(t0() + std::chrono::days{10}, 1000.0));  // "now"
  ASSERT_TRUE(flushed(store));
  ASSERT_TRUE(flushed(store));  // retention runs after a batch
  auto ev = store.events({t0() - 1h, core::Severity::debug, 100});
  ASSERT_TRUE(ev);
  std::vector<std::string> codes;
  for (const auto& e : *ev)
    if (e.event.code.rfind("day", 0) == 0) codes.push_back(e.event.code);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"day6", "day9"})) << "events: 5 days";
  auto audit = store.audit(t0() - 1h, 100);
  ASSERT_TRUE(audit);
  EXPECT_EQ(audit->size(), 3U) << "audit: 8 days keep days 3, 6 and 9";
}

// docs/operations.md "Retention and the clock": a telemetry row stamped years ahead (the clock
// once ran ahead) must not make records written at the right time "too old" at once.
TEST(SqliteStore, RetentionIgnoresTelemetryStampedInTheFuture) {
  test::TempDir dir;
  auto opt = options_for(dir.file("future.db"));
  opt.config.retention.events_days = 5;
  opt.config.retention.audit_days = 8;
  const ManualClock clock(t0() + std::chrono::days{1});
  opt.clock = &clock;
  std::vector<std::string> raised;
  opt.on_event = [&](const core::Event& e) {
    if (e.edge == core::EventEdge::raised) raised.push_back(e.code);
  };
  SqliteStore store(opt);
  store.append_telemetry(sample_at(t0() + std::chrono::days{6 * 366}, 1000.0));
  AuditRecord a;
  a.at = t0();
  a.actor = "uid 1000 (alice) via unix socket";
  a.request = "ack_faults {}";
  a.outcome = "accepted";
  store.append_audit(a);
  store.append_event(event("today"), t0());
  ASSERT_TRUE(flushed(store));
  ASSERT_TRUE(flushed(store));  // retention runs after a batch
  auto audit = store.audit(t0() - 1h, 100);
  ASSERT_TRUE(audit);
  EXPECT_EQ(audit->size(), 1U) << "the audit record of today was pruned";
  auto ev = store.events({t0() - 1h, core::Severity::debug, 100});
  ASSERT_TRUE(ev);
  EXPECT_TRUE(std::any_of(ev->begin(), ev->end(),
                          [](const StoredEvent& e) { return e.event.code == "today"; }));
  EXPECT_EQ(std::count(raised.begin(), raised.end(), "storage.future_rows"), 1);
}

// docs/operations.md "Retention and the clock": a gateway without a real-time clock starts in
// 1970 until NTP sets it. What the operator did meanwhile stays in the audit (and the events)
// until the count cap, instead of being pruned as 56 years old at the first batch.
TEST(SqliteStore, RecordsWrittenWhileTheClockWasUnsetAreNotPrunedByAge) {
  test::TempDir dir;
  auto opt = options_for(dir.file("unset.db"));
  opt.config.retention.events_days = 5;
  opt.config.retention.audit_days = 8;
  SqliteStore store(opt);
  const WallTime booted{std::chrono::hours{1}};  // 1970-01-01 01:00
  AuditRecord a;
  a.at = booted;
  a.actor = "uid 1000 (alice) via unix socket";
  a.request = "mode {\"mode\":\"idle\"}";
  a.outcome = "accepted";
  store.append_audit(a);
  store.append_event(event("before-ntp"), booted);
  a.at = t0() - std::chrono::days{30};  // a real record that is old: pruned
  store.append_audit(a);
  store.append_telemetry(sample_at(t0(), 1000.0));  // NTP has set the clock: "now"
  ASSERT_TRUE(flushed(store));
  ASSERT_TRUE(flushed(store));  // retention runs after a batch
  auto audit = store.audit(WallTime{}, 100);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1U);
  EXPECT_EQ(audit->front().record.at, booted);
  auto ev = store.events({WallTime{}, core::Severity::debug, 100});
  ASSERT_TRUE(ev);
  EXPECT_TRUE(std::any_of(ev->begin(), ev->end(),
                          [](const StoredEvent& e) { return e.event.code == "before-ntp"; }));
}

TEST(SqliteStore, SizeCapEvictsOldestRawFirst) {
  test::TempDir dir;
  auto opt = options_for(dir.file("cap.db"));
  SqliteStore store(opt);
  store.set_size_cap_bytes(1024 * 1024);
  for (int i = 0; i < 60'000; ++i)
    store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}, i % 5000));
  ASSERT_TRUE(flushed(store));
  const auto m = store.metrics();
  EXPECT_GT(m.rows_evicted, 0U);
  EXPECT_LE(m.database_bytes, 1024U * 1024U);
  // The newest raw samples and the oldest rollups are still there: raw went first.
  auto raw = store.history({t0(), t0() + 24h, Resolution::raw, {"pack_power_w"}});
  ASSERT_TRUE(raw);
  ASSERT_FALSE(raw->points.empty());
  EXPECT_EQ(raw->points.back().at, t0() + std::chrono::seconds{59'999});
  EXPECT_GT(raw->points.front().at, t0());
  auto minute = store.history({t0(), t0() + 24h, Resolution::minute, {"pack_power_w"}});
  ASSERT_TRUE(minute);
  ASSERT_FALSE(minute->points.empty());
  EXPECT_EQ(minute->points.front().at, t0());
  EXPECT_LE(std::filesystem::file_size(dir.file("cap.db")), 1024U * 1024U * 11 / 10);
}

// A database already over its cap when opened (the owner lowered storage.max_size_mb, or a
// copy was put back): it opens, takes new rows and shrinks below the cap.
TEST(SqliteStore, ADatabaseOverItsCapOpensAndShrinks) {
  test::TempDir dir;
  const auto path = dir.file("over.db");
  {
    SqliteStore store(options_for(path));
    for (int i = 0; i < 60'000; ++i)
      store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}, i % 5000));
    ASSERT_TRUE(flushed(store));
    ASSERT_GT(store.metrics().database_bytes, 2U * 1024U * 1024U);
  }
  auto opt = options_for(path);
  opt.config.max_size_mb = 1;
  SqliteStore store(opt);
  store.append_telemetry(sample_at(t0() + std::chrono::seconds{70'000}, 1));
  ASSERT_TRUE(flushed(store)) << store.metrics().last_error;
  EXPECT_TRUE(store.metrics().available) << store.metrics().last_error;
  auto newest = store.telemetry_after(59'999, 10);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 2U);
  EXPECT_EQ(newest->back().sample.at, t0() + std::chrono::seconds{70'000});
  EXPECT_TRUE(test::eventually([&] {
    store.append_telemetry(sample_at(t0() + std::chrono::seconds{70'001}, 1));
    (void)flushed(store);
    return store.metrics().database_bytes <= 1024U * 1024U;
  }));
}

TEST(SqliteStore, ReopenKeepsDataAndContinuesOpenRollupBuckets) {
  test::TempDir dir;
  const auto path = dir.file("reopen.db");
  {
    SqliteStore store(options_for(path));
    for (int i = 0; i < 90; ++i)
      store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}, 3600.0));
    store.append_event(event("before"), t0());
    ASSERT_TRUE(flushed(store));
  }
  {
    SqliteStore store(options_for(path));
    for (int i = 90; i <= 120; ++i)
      store.append_telemetry(sample_at(t0() + std::chrono::seconds{i}, 3600.0));
    ASSERT_TRUE(flushed(store));
    auto h = store.history({t0(), t0() + 10min, Resolution::minute, {"pack_power_w"}});
    ASSERT_TRUE(h) << h.error().message;
    ASSERT_EQ(h->points.size(), 2U);
    EXPECT_EQ(h->points[1].samples, 60U);  // 30 samples before the restart, 30 after
    EXPECT_NEAR(h->points[1].charge_kwh, 0.060, 1e-6);
    auto ev = store.events({t0(), core::Severity::debug, 10});
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->size(), 1U);
  }
}

TEST(SqliteStore, UsesWalAndIncrementalAutoVacuum) {
  test::TempDir dir;
  const auto path = dir.file("pragmas.db");
  {
    SqliteStore store(options_for(path));
    store.append_event(event("x"), t0());
    ASSERT_TRUE(flushed(store));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto pragma = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    sqlite3_step(st);
    std::string out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA auto_vacuum"), "2");  // incremental
  EXPECT_EQ(pragma("PRAGMA user_version"), std::to_string(kSchemaVersion));
  sqlite3_close(db);
}

}  // namespace
}  // namespace bessd::storage
