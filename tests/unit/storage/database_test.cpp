// The RAII layer over sqlite3: transactions roll back unless committed, failures carry the
// SQLite code for classification.

#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <sqlite3.h>

#include "sqlite/database.hpp"

namespace bessd::storage::sql {
namespace {

Connection memory_db() {
  auto c = Connection::open(":memory:", Connection::Mode::read_write_create, 100);
  EXPECT_TRUE(c);
  EXPECT_TRUE(c->exec("CREATE TABLE t(x INTEGER, y REAL, z TEXT, b BLOB)"));
  return std::move(*c);
}

TEST(Database, TransactionRollsBackUnlessCommitted) {
  auto db = memory_db();
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db.exec("INSERT INTO t(x) VALUES (1)"));
  }  // no commit
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM t"), 0);
  EXPECT_FALSE(db.in_transaction());
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db.exec("INSERT INTO t(x) VALUES (2)"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM t"), 1);
}

TEST(Database, StatementBindsAndReadsEveryType) {
  auto db = memory_db();
  auto ins = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(ins);
  const std::vector<std::uint8_t> blob{1, 2, 0, 255};
  ins->bind(1, std::int64_t{-7}).bind(2, std::optional<double>{}).bind(3, "héllo");
  ins->bind(4, std::span<const std::uint8_t>(blob));
  ASSERT_TRUE(ins->run());
  auto sel = db.prepare("SELECT x, y, z, b FROM t");
  ASSERT_TRUE(sel);
  auto row = sel->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(sel->int64(0), -7);
  EXPECT_FALSE(sel->optional_real(1));
  EXPECT_EQ(sel->text(2), "héllo");
  auto b = sel->blob(3);
  EXPECT_EQ(std::vector<std::uint8_t>(b.begin(), b.end()), blob);
  EXPECT_FALSE(*sel->step());
}

TEST(Database, FailuresNameTheStatementAndKeepTheCode) {
  auto db = memory_db();
  auto bad = db.exec("INSERT INTO missing VALUES (1)");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("missing"), std::string::npos);
  EXPECT_EQ(db.last_failure_code() & 0xff, SQLITE_ERROR);
  EXPECT_EQ(classify(SQLITE_FULL), FailureKind::full);
  EXPECT_EQ(classify(SQLITE_IOERR_WRITE), FailureKind::io);
  EXPECT_EQ(classify(SQLITE_READONLY_DBMOVED), FailureKind::read_only);
  EXPECT_EQ(classify(SQLITE_NOTADB), FailureKind::corrupt);
  EXPECT_EQ(classify(SQLITE_BUSY_SNAPSHOT), FailureKind::busy);
}

TEST(Database, OpeningAMissingFileWithoutCreateFails) {
  auto c = Connection::open("/nonexistent-dir/x.db", Connection::Mode::read_write, 100);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::storage_error);
  EXPECT_NE(c.error().message.find("/nonexistent-dir/x.db"), std::string::npos);
}

// A name once written (a log line, a message) must keep meaning its value: the words are pinned.
TEST(FailureKindNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kFailureKindNames),
            (std::vector<std::string_view>{"none", "busy", "full", "read_only", "corrupt", "io",
                                           "other"}));
  EXPECT_EQ(enum_from_name(kFailureKindNames, "readonly"), std::nullopt);
  EXPECT_EQ(enum_from_name(kFailureKindNames, "IO"), std::nullopt);
}

}  // namespace
}  // namespace bessd::storage::sql
