// Every earlier schema version (0 = empty file) migrates to the current one with its data.

#include <gtest/gtest.h>

#include "migrations.hpp"
#include "rollup.hpp"
#include "sqlite/database.hpp"
#include "test_support.hpp"
#include "value_codec.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;
using test::t0;

/// Builds a database at `version` the way that version's bessd left it, with data.
void build_old_database(const std::string& path, int version) {
  auto conn = sql::Connection::open(path, sql::Connection::Mode::read_write_create, 1000);
  ASSERT_TRUE(conn) << conn.error().message;
  ASSERT_TRUE(migrate(*conn, version));
  if (version >= 1) {
    ASSERT_TRUE(conn->exec(
        "INSERT INTO events(ts_ms, severity, edge, source, code, message, fields) VALUES (" +
        std::to_string(to_unix_ms(t0())) + ", 3, 1, 'bms', 'old.event', 'from v" +
        std::to_string(version) + "', '{}')"));
    // Two minutes of raw telemetry at 1 Hz, 3600 W.
    ASSERT_TRUE(conn->exec("BEGIN"));
    auto st = conn->prepare("INSERT INTO telemetry_raw(ts_ms, data) VALUES (?1, ?2)");
    ASSERT_TRUE(st);
    for (int i = 0; i < 121; ++i) {
      const auto blob = codec::encode_raw(
          codec::values_of(test::sample_at(t0() + std::chrono::seconds{i}, 3600.0)));
      st->reset();
      st->bind(1, to_unix_ms(t0() + std::chrono::seconds{i}))
          .bind(2, std::span<const std::uint8_t>(blob));
      ASSERT_TRUE(st->run());
    }
    ASSERT_TRUE(conn->exec("COMMIT"));
  }
  if (version >= 3) {
    ASSERT_TRUE(conn->exec("INSERT INTO latched_faults VALUES ('ALM-01', 4, 0, 'fire', '{}')"));
  }
  auto v = conn->query_int("PRAGMA user_version");
  ASSERT_TRUE(v);
  ASSERT_EQ(*v, version);
}

class Migration : public ::testing::TestWithParam<int> {};

TEST_P(Migration, FromEveryEarlierVersion) {
  const int version = GetParam();
  test::TempDir dir;
  const auto path = dir.file("m.db");
  build_old_database(path, version);
  {
    SqliteStore store(test::options_for(path));
    store.append_event(test::event("new"), t0() + 1h);
    ASSERT_TRUE(test::flushed(store));
    auto ev = store.events({WallTime{}, core::Severity::debug, 100});
    ASSERT_TRUE(ev) << ev.error().message;
    std::vector<std::string> codes;
    for (const auto& e : *ev) codes.push_back(e.event.code);
    if (version >= 1) {
      ASSERT_EQ(codes.size(), 2U);
      EXPECT_EQ(codes[0], "old.event");
      // Rollups did not exist before version 2: they are rebuilt from the raw rows on open.
      auto h = store.history({t0(), t0() + 1h, Resolution::minute, {"pack_power_w"}});
      ASSERT_TRUE(h) << h.error().message;
      ASSERT_EQ(h->points.size(), 2U);
      EXPECT_EQ(h->points[0].samples, 60U);
      EXPECT_NEAR(h->points[0].charge_kwh, 0.060, 1e-6);
    } else {
      EXPECT_EQ(codes, std::vector<std::string>{"new"});
    }
    auto faults = store.load_latched_faults();
    ASSERT_TRUE(faults) << faults.error().message;
    EXPECT_EQ(faults->size(), version >= 3 ? 1U : 0U);
    // Energy per day began with version 4: an older store has none, and takes them now.
    energy::DayEnergy d{*parse_date("2026-12-05"), {}};
    d.increase.pv_kwh = 1.5;
    store.add_energy_day(d);
    ASSERT_TRUE(test::flushed(store));
    auto days = store.energy_days(d.day, d.day);
    ASSERT_TRUE(days) << days.error().message;
    ASSERT_EQ(days->size(), 1U);
    EXPECT_DOUBLE_EQ((*days)[0].increase.pv_kwh, 1.5);
  }
  auto conn = sql::Connection::open(path, sql::Connection::Mode::read_write, 1000);
  ASSERT_TRUE(conn);
  EXPECT_EQ(*conn->query_int("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(*conn->query_int("PRAGMA auto_vacuum"), 2);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, Migration, ::testing::Range(0, kSchemaVersion + 1));

// Before version 7 the audit kept "ACTION PARAMETERS" in `request` and "OUTCOME: MESSAGE" in
// `outcome`; the migration splits them into their own columns, once, losing nothing.
TEST(MigrationOfAudit, SplitsTheOldTextIntoActionRequestOutcomeAndMessage) {
  test::TempDir dir;
  const auto path = dir.file("audit.db");
  {
    auto conn = sql::Connection::open(path, sql::Connection::Mode::read_write_create, 1000);
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_TRUE(migrate(*conn, 6));
    const auto row = [&](int id, const std::string& request, const std::string& outcome) {
      ASSERT_TRUE(conn->exec(
          "INSERT INTO audit(id, ts_ms, actor, request, sent_kind, sent_power_w, "
          "sent_charge_max_w, sent_discharge_max_w, sent_reason, readback_power_w, outcome) "
          "VALUES (" +
          std::to_string(id) + ", " + std::to_string(to_unix_ms(t0())) + ", 'uid 0', '" + request +
          "', 0, 0, 0, 0, '', NULL, '" + outcome + "')"));
    };
    row(1, R"(mode {"mode":"idle","note":"a: b"})", "accepted: mode idle in force: idle");
    row(2, "ack_faults {}", "partial: 1 of 2 cleared");
    row(3, "self_test", "accepted");
  }
  SqliteStore store(test::options_for(path));
  ASSERT_TRUE(test::flushed(store));  // opened, so migrated
  auto audit = store.audit(WallTime{}, 10);
  ASSERT_TRUE(audit) << audit.error().message;
  ASSERT_EQ(audit->size(), 3U);
  const auto& idle = (*audit)[2].record;
  EXPECT_EQ(idle.action, "mode");
  EXPECT_EQ(idle.request, R"({"mode":"idle","note":"a: b"})");
  EXPECT_EQ(idle.outcome, "accepted");
  EXPECT_EQ(idle.message, "mode idle in force: idle");
  const auto& ack = (*audit)[1].record;
  EXPECT_EQ(ack.action, "ack_faults");
  EXPECT_EQ(ack.request, "{}");
  EXPECT_EQ(ack.outcome, "partial");
  EXPECT_EQ(ack.message, "1 of 2 cleared");
  const auto& bare = (*audit)[0].record;
  EXPECT_EQ(bare.action, "self_test");
  EXPECT_EQ(bare.request, "");
  EXPECT_EQ(bare.outcome, "accepted");
  EXPECT_EQ(bare.message, "");
}

TEST(MigrationRefusal, NewerSchemaIsNotTouched) {
  test::TempDir dir;
  const auto path = dir.file("future.db");
  {
    auto conn = sql::Connection::open(path, sql::Connection::Mode::read_write_create, 1000);
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->exec("CREATE TABLE future(x); PRAGMA user_version = 99"));
  }
  auto opt = test::options_for(path);
  test::EventLog log;
  opt.on_event = log.sink();
  SqliteStore store(opt);
  ASSERT_TRUE(
      test::eventually([&] { return log.has("storage.unavailable", core::EventEdge::raised); }));
  EXPECT_FALSE(store.metrics().available);
  auto conn = sql::Connection::open(path, sql::Connection::Mode::read_write, 1000);
  ASSERT_TRUE(conn);
  EXPECT_EQ(*conn->query_int("PRAGMA user_version"), 99);
}

}  // namespace
}  // namespace bessd::storage
