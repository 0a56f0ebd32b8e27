// The controller's latch port on the durable safety-state file: latches and the operator's
// mode survive a new instance (a restart); a lost state starts latched; an upgrade migrates the
// telemetry database's latches; a failed write is remembered as a latch.

#include <bessd/app/safety_state_store.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <bessd/control/fault_catalog.hpp>
#include <bessd/storage/safety_state_file.hpp>

std::uint64_t bessd_test_inode(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

namespace bessd::app {
namespace {

namespace fs = std::filesystem;

class SafetyStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "bessd-safety-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ / "safety-state.json";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  SafetyStateStore open(const TelemetryRecords& legacy = {}) {
    return SafetyStateStore(storage::SafetyStateFile(path_), legacy, 1'700'000'000'000);
  }
  static std::vector<std::string> ids(SafetyStateStore& s) {
    std::vector<std::string> out;
    auto l = s.load();
    EXPECT_TRUE(l);
    for (const auto& f : *l) out.push_back(f.id);
    return out;
  }
  fs::path dir_;
  fs::path path_;
};

const std::string kStore{control::fault_id::latch_store};

TEST_F(SafetyStateStoreTest, FreshInstallStartsUnlatched) {
  auto s = open();
  EXPECT_FALSE(s.lost());
  EXPECT_TRUE(ids(s).empty());
  EXPECT_TRUE(fs::exists(path_));
}

TEST_F(SafetyStateStoreTest, LatchesAndModeSurviveARestart) {
  {
    auto s = open();
    ASSERT_TRUE(s.latch({"ALM-01", "fire alarm", 1}));
    ASSERT_TRUE(s.latch({"OP-FLAG-01", "protection", 2}));
    ASSERT_TRUE(s.clear("OP-FLAG-01"));
    storage::SafetyMode m{"idle", 0.0, std::nullopt, std::nullopt, "uid 0 (root)", 5};
    ASSERT_TRUE(s.save_mode(m));
  }
  auto s = open();
  EXPECT_FALSE(s.lost()) << s.opened_summary();
  EXPECT_EQ(ids(s), std::vector<std::string>{"ALM-01"});
  ASSERT_TRUE(s.mode());
  EXPECT_EQ(s.mode()->mode, "idle");
  EXPECT_EQ(s.mode()->set_by, "uid 0 (root)");
}

TEST_F(SafetyStateStoreTest, MissingStateAfterAPreviousRunStartsLatchedAndStaysSoUntilAck) {
  { auto s = open(); }
  fs::remove(path_);
  {
    auto s = open();
    EXPECT_TRUE(s.lost());
    EXPECT_EQ(ids(s), std::vector<std::string>{kStore});
    EXPECT_NE((*s.load())[0].reason.find("safety state lost"), std::string::npos);
  }
  {
    // Killed before anyone acknowledged: still latched after the next restart.
    auto s = open();
    EXPECT_EQ(ids(s), std::vector<std::string>{kStore});
    ASSERT_TRUE(s.clear(kStore));
  }
  auto s = open();
  EXPECT_TRUE(ids(s).empty());
}

TEST_F(SafetyStateStoreTest, DamagedStateStartsLatchedSayingWhy) {
  {
    auto s = open();
    ASSERT_TRUE(s.latch({"ALM-01", "fire alarm", 1}));
  }
  std::ofstream(path_, std::ios::trunc) << "garbage";
  auto s = open();
  EXPECT_TRUE(s.lost());
  auto l = s.load();
  ASSERT_EQ(l->size(), 1U);
  EXPECT_EQ((*l)[0].id, kStore);
  EXPECT_NE((*l)[0].reason.find("damaged"), std::string::npos) << (*l)[0].reason;
}

TEST_F(SafetyStateStoreTest, UpgradeMigratesTheTelemetryDatabasesLatches) {
  TelemetryRecords legacy;
  legacy.telemetry_db_existed = true;
  legacy.load = [] {
    return Result<std::vector<control::LatchedFault>>(
        std::vector<control::LatchedFault>{{"ALM-01", "fire alarm", 3}});
  };
  {
    auto s = open(legacy);
    EXPECT_EQ(ids(s), std::vector<std::string>{"ALM-01"});
  }
  // Migrated once: the next start reads the file, not the telemetry database.
  legacy.load = [] {
    return Result<std::vector<control::LatchedFault>>(fail(ErrorCode::io_error, "x"));
  };
  auto s = open(legacy);
  EXPECT_FALSE(s.lost());
  EXPECT_EQ(ids(s), std::vector<std::string>{"ALM-01"});
}

TEST_F(SafetyStateStoreTest, UpgradeWithUnreadableTelemetryLatchesIsLost) {
  TelemetryRecords legacy;
  legacy.telemetry_db_existed = true;
  legacy.load = [] {
    return Result<std::vector<control::LatchedFault>>(
        fail(ErrorCode::storage_error, "the telemetry database was corrupt"));
  };
  auto s = open(legacy);
  EXPECT_TRUE(s.lost());
  EXPECT_EQ(ids(s), std::vector<std::string>{kStore});
}

TEST_F(SafetyStateStoreTest, AFailedLatchWriteIsRememberedAndStoredByTheNextWrite) {
  auto s = open();
  fs::create_directory(path_.string() + ".tmp");  // the next write cannot create its file
  EXPECT_FALSE(s.latch({"ALM-01", "fire alarm", 1}));
  EXPECT_EQ(s.write_failures(), 1U);
  fs::remove(path_.string() + ".tmp");
  // A restart now would find the state missing: lost, never an older unlatched state.
  EXPECT_TRUE(open().lost());
}

// A folder that became read-only: the latch write failed and so did the removal of the old file,
// which still says "nothing latched". A start that cannot rewrite the file must not trust it.
TEST_F(SafetyStateStoreTest, AStateThatCannotBeRewrittenAtStartIsNotTrusted) {
  {
    auto s = open();
    ASSERT_TRUE(s.latch({"BMS-OT", "over-temperature protection", 1}));
    storage::SafetyMode idle{"idle", 0.0, std::nullopt, std::nullopt, "a", 1};
    ASSERT_TRUE(s.save_mode(idle));
  }
  fs::create_directory(path_.string() + ".tmp");  // no write can succeed now
  auto s = open();
  EXPECT_TRUE(s.lost()) << s.opened_summary();
  EXPECT_EQ(ids(s), (std::vector<std::string>{"BMS-OT", kStore}));  // restored ones are kept
  ASSERT_TRUE(s.mode());
  EXPECT_EQ(s.mode()->mode, "idle");
  EXPECT_NE(s.opened_summary().find("NOT WRITABLE"), std::string::npos) << s.opened_summary();
}

// The folder stays unwritable across restarts (a watchdog restart, a reboot) before anyone
// acknowledges: every start still knows that a fire alarm was latched, not just "lost".
TEST_F(SafetyStateStoreTest, TheLatchesOfAnUnwritableStateOutliveTheNextStarts) {
  {
    auto s = open();
    ASSERT_TRUE(s.latch({"ALM-01", "fire alarm input tripped", 1}));
  }
  fs::create_directory(path_.string() + ".tmp");
  for (int start = 1; start <= 3; ++start) {
    auto s = open();
    EXPECT_TRUE(s.lost()) << "start " << start;
    auto latched = ids(s);
    std::sort(latched.begin(), latched.end());
    EXPECT_EQ(latched, (std::vector<std::string>{"ALM-01", kStore}))
        << "start " << start << ": " << s.opened_summary();
  }
}

// A backup of the file put back (or a card that lost its last writes): the telemetry database
// remembers a later generation of the same store. The older file's latches stay, its mode is not
// trusted, and the next writes continue after the recorded generation.
TEST_F(SafetyStateStoreTest, AnOlderCopyOfTheFileStartsLostKeepingItsLatches) {
  std::vector<storage::SafetyStateStamp> written;
  std::string older_copy;
  {
    auto s = open();
    s.set_stored_handler([&](const storage::SafetyStateStamp& st) { written.push_back(st); });
    ASSERT_TRUE(s.latch({"OP-FLAG-01", "protection", 1}));
    storage::SafetyMode manual{"manual", -1500.0, std::nullopt, std::nullopt, "a", 1};
    ASSERT_TRUE(s.save_mode(manual));
    std::ifstream in(path_, std::ios::binary);
    older_copy.assign(std::istreambuf_iterator<char>(in), {});
    ASSERT_TRUE(s.latch({"ALM-01", "fire alarm input tripped", 2}));
  }
  ASSERT_EQ(written.size(), 3U);
  EXPECT_LT(written[0].generation, written[1].generation);
  EXPECT_LT(written[1].generation, written[2].generation);
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << older_copy;

  TelemetryRecords records;
  records.generations[written.back().store_id] = written.back().generation;
  std::vector<storage::SafetyStateStamp> after;
  {
    auto s = open(records);
    s.set_stored_handler([&](const storage::SafetyStateStamp& st) { after.push_back(st); });
    EXPECT_TRUE(s.lost());
    EXPECT_EQ(ids(s), (std::vector<std::string>{kStore, "OP-FLAG-01"})) << s.opened_summary();
    EXPECT_FALSE(s.mode()) << "an older file's mode is not trusted";
    const auto reason = (*s.load())[0].reason;
    EXPECT_NE(reason.find("older than the last state"), std::string::npos) << reason;
    ASSERT_TRUE(s.flush());
    ASSERT_TRUE(s.latch({"BMS-OT", "over-temperature", 3}));
  }
  ASSERT_FALSE(after.empty());
  EXPECT_GT(after.front().generation, written.back().generation);
  // Nothing older any more: with the newest record, the next start restores.
  records.generations[after.back().store_id] = after.back().generation;
  auto s = open(records);
  EXPECT_FALSE(s.lost()) << s.opened_summary();
  EXPECT_EQ(ids(s), (std::vector<std::string>{kStore, "OP-FLAG-01", "BMS-OT"}))
      << "still latched: nobody acknowledged";
}

// A file written before stamps existed, put back after the upgrade (a pre-upgrade image): the
// telemetry database already records stamped generations, so it is older than them.
TEST_F(SafetyStateStoreTest, AnUnstampedFileAfterStampedWritesIsAnOlderCopy) {
  storage::SafetyState old;
  old.latches.push_back({"OP-FLAG-01", "protection", 1});
  old.mode = storage::SafetyMode{"manual", -1500.0, std::nullopt, std::nullopt, "a", 1};
  { auto s = open(); }  // the marker, as any earlier run leaves it
  std::ofstream(path_, std::ios::binary | std::ios::trunc)
      << storage::encode_safety_state(old, {"", 4});
  TelemetryRecords records;
  // An upgrade (nothing stamped recorded yet): trusted, and stamped from now on.
  {
    auto s = open(records);
    EXPECT_FALSE(s.lost()) << s.opened_summary();
    ASSERT_TRUE(s.mode());
  }
  std::ofstream(path_, std::ios::binary | std::ios::trunc)
      << storage::encode_safety_state(old, {"", 4});
  records.generations["an earlier store"] = 7;
  auto s = open(records);
  EXPECT_TRUE(s.lost()) << s.opened_summary();
  EXPECT_EQ(ids(s), (std::vector<std::string>{kStore, "OP-FLAG-01"}));
  EXPECT_FALSE(s.mode());
  EXPECT_NE((*s.load())[0].reason.find("version before this one"), std::string::npos)
      << (*s.load())[0].reason;
}

// The telemetry database did not answer at start: whether the file is the newest is unknown,
// so it is not trusted (unknown means latched); its latches stay.
TEST_F(SafetyStateStoreTest, AnUncheckableAgeIsLatched) {
  {
    auto s = open();
    ASSERT_TRUE(s.latch({"ALM-01", "fire alarm", 1}));
  }
  TelemetryRecords records;
  records.unreadable = "the telemetry database did not answer within 10 s at start";
  auto s = open(records);
  EXPECT_TRUE(s.lost());
  EXPECT_EQ(ids(s), (std::vector<std::string>{kStore, "ALM-01"}));
  EXPECT_NE((*s.load())[0].reason.find("did not answer"), std::string::npos)
      << (*s.load())[0].reason;
}

// The same file, the record lagging behind (a kill -9 before the database wrote it): restored.
TEST_F(SafetyStateStoreTest, ARecordOlderThanTheFileIsNotAnAlarm) {
  storage::SafetyStateStamp last;
  {
    auto s = open();
    s.set_stored_handler([&](const storage::SafetyStateStamp& st) { last = st; });
    ASSERT_TRUE(s.latch({"ALM-01", "fire alarm", 1}));
  }
  TelemetryRecords records;
  records.generations[last.store_id] = last.generation - 1;
  auto s = open(records);
  EXPECT_FALSE(s.lost()) << s.opened_summary();
  EXPECT_EQ(ids(s), std::vector<std::string>{"ALM-01"});
}

TEST_F(SafetyStateStoreTest, ARefusedModeWriteChangesNothing) {
  auto s = open();
  storage::SafetyMode idle{"idle", 0.0, std::nullopt, std::nullopt, "a", 1};
  ASSERT_TRUE(s.save_mode(idle));
  fs::create_directory(path_.string() + ".tmp");
  storage::SafetyMode manual{"manual", 900.0, std::nullopt, std::nullopt, "b", 2};
  EXPECT_FALSE(s.save_mode(manual));
  EXPECT_EQ(s.mode()->mode, "idle");
}

TelemetryRecords legacy_with(std::vector<control::LatchedFault> rows, bool kept_before = false) {
  TelemetryRecords legacy;
  legacy.telemetry_db_existed = true;
  legacy.kept_before = kept_before;
  legacy.load = [rows] { return Result<std::vector<control::LatchedFault>>(rows); };
  return legacy;
}

// A rollback to a version that kept latches in the telemetry database: what it latched there is
// merged at the next start, never dropped because a safety-state file exists.
TEST_F(SafetyStateStoreTest, ARestoredStateMergesTheLatchesTheDatabaseStillHolds) {
  {
    auto s = open();
    ASSERT_TRUE(s.latch({"BMS-OT", "over-temperature", 1}));
  }
  auto s = open(legacy_with({{"ALM-01", "fire alarm", 3}, {"BMS-OT", "older", 2}}));
  EXPECT_FALSE(s.lost()) << s.opened_summary();
  EXPECT_EQ(ids(s), (std::vector<std::string>{"BMS-OT", "ALM-01"}));
  EXPECT_TRUE(s.legacy_stored());
  EXPECT_NE(s.opened_summary().find("1 latched fault(s) merged"), std::string::npos)
      << s.opened_summary();
  // Stored: a restart without the database rows still has it.
  auto again = open();
  EXPECT_EQ(ids(again), (std::vector<std::string>{"BMS-OT", "ALM-01"}));
}

// storage.safety_state_path changed (or both files removed) on an installation whose telemetry
// database remembers a safety state: lost, not a first start.
TEST_F(SafetyStateStoreTest, AMissingStateIsLostWhenTheDatabaseRemembersOne) {
  auto s = open(legacy_with({}, /*kept_before=*/true));
  EXPECT_TRUE(s.lost());
  EXPECT_EQ(ids(s), std::vector<std::string>{kStore});
  EXPECT_NE(s.opened_summary().find("safety_state_path"), std::string::npos) << s.opened_summary();
}

TEST_F(SafetyStateStoreTest, AMigrationThatCannotBeStoredMustKeepTheDatabasesLatches) {
  fs::create_directory(path_.string() + ".tmp");  // no write can succeed
  auto s = open(legacy_with({{"ALM-01", "fire alarm", 3}}));
  EXPECT_FALSE(s.legacy_stored());
  EXPECT_EQ(ids(s), (std::vector<std::string>{"ALM-01", kStore}));
}

TEST_F(SafetyStateStoreTest, EveryFailedWriteReachesTheHandler) {
  auto s = open();
  std::vector<std::string> told;
  s.set_write_failure_handler([&](const std::string& what) { told.push_back(what); });
  fs::create_directory(path_.string() + ".tmp");
  storage::SafetyMode idle{"idle", 0.0, std::nullopt, std::nullopt, "a", 1};
  EXPECT_FALSE(s.save_mode(idle));
  EXPECT_FALSE(s.latch({"ALM-01", "fire alarm", 1}));
  ASSERT_EQ(told.size(), 2U);
  EXPECT_NE(told[0].find("operator mode idle"), std::string::npos) << told[0];
  EXPECT_NE(told[1].find("latched faults:"), std::string::npos) << told[1];
  EXPECT_NE(told[1].find(" ALM-01"), std::string::npos) << told[1];
}

// Red team 16b: an idle that took effect but could not be stored must be what the next
// successful write stores, never the mode before it.
TEST_F(SafetyStateStoreTest, AnIdleThatCouldNotBeStoredIsStoredByTheNextWrite) {
  {
    auto s = open();
    storage::SafetyMode manual{"manual", -1500.0, std::nullopt, std::nullopt, "a", 1};
    ASSERT_TRUE(s.save_mode(manual));
    fs::create_directory(path_.string() + ".tmp");
    storage::SafetyMode idle{"idle", 0.0, std::nullopt, std::nullopt, "b", 2};
    EXPECT_FALSE(s.save_mode(idle));
    EXPECT_EQ(s.mode()->mode, "idle");
    fs::remove(path_.string() + ".tmp");
    ASSERT_TRUE(s.clear(kStore));  // the acknowledgement's write succeeds
  }
  auto s = open();
  ASSERT_TRUE(s.mode());
  EXPECT_EQ(s.mode()->mode, "idle");
}

// Staged latches and trips are written by one flush; a flush with nothing new writes nothing
// (every write replaces the file: a new inode).
TEST_F(SafetyStateStoreTest, StagedChangesAreWrittenTogetherByOneFlush) {
  auto s = open();
  const auto inode = [&] { return fs::exists(path_) ? ::bessd_test_inode(path_) : 0; };
  s.stage_latch({"ALM-01", "fire alarm", 1});
  s.stage_latch({"BMS-OT", "over-temperature", 2});
  s.stage_trips({control::TripRecord{"OP-T-01", true, false, {3}}});
  EXPECT_EQ(open().load()->size(), 0U) << "staged changes reached the disk before a flush";
  ASSERT_TRUE(s.flush());
  const auto written = inode();
  ASSERT_TRUE(s.flush());
  EXPECT_EQ(inode(), written) << "a flush with nothing new rewrote the file";
  auto again = open();
  EXPECT_EQ(ids(again), (std::vector<std::string>{"ALM-01", "BMS-OT"}));
  EXPECT_EQ(again.load_trips().size(), 1U);
}

// A staged latch that could not be written stays staged, and the next flush retries it.
TEST_F(SafetyStateStoreTest, AFailedFlushIsRetriedByTheNextOne) {
  auto s = open();
  fs::create_directory(path_.string() + ".tmp");  // the write cannot create its file
  s.stage_latch({"ALM-01", "fire alarm", 1});
  EXPECT_FALSE(s.flush());
  fs::remove(path_.string() + ".tmp");
  ASSERT_TRUE(s.flush());
  auto again = open();
  EXPECT_FALSE(again.lost());
  const auto latched = ids(again);
  EXPECT_NE(std::find(latched.begin(), latched.end(), "ALM-01"), latched.end());
  EXPECT_NE(std::find(latched.begin(), latched.end(), kStore), latched.end());
}

// The rename is the commit: a write withheld at the last moment leaves the old file (and no
// temporary one) and changes nothing in memory.
TEST_F(SafetyStateStoreTest, AWithheldWriteLeavesTheOldState) {
  auto s = open();
  ASSERT_TRUE(s.latch({"ALM-01", "fire alarm", 1}));
  const auto records = s.latch_records({"ALM-01"});
  ASSERT_EQ(records.size(), 1U);
  auto cleared = s.clear_latches(records, [] { return false; });
  ASSERT_TRUE(cleared.has_value());
  EXPECT_FALSE(*cleared);
  auto mode = s.save_mode_if({"manual", -1500.0, std::nullopt, std::nullopt, "uid 0", 5},
                             [] { return false; });
  ASSERT_TRUE(mode.has_value());
  EXPECT_FALSE(*mode);
  EXPECT_FALSE(s.mode().has_value());
  EXPECT_EQ(ids(s), std::vector<std::string>{"ALM-01"});
  EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
  auto again = open();
  EXPECT_EQ(ids(again), std::vector<std::string>{"ALM-01"});
  EXPECT_FALSE(again.mode().has_value());
}

// A fault that trips again while its acknowledgement is being written (staged by the control
// thread meanwhile) is in the file the acknowledgement commits: it is written again with it.
TEST_F(SafetyStateStoreTest, ALatchStagedWhileAClearIsWrittenIsInTheFileItCommits) {
  auto s = open();
  ASSERT_TRUE(s.latch({"ALM-01", "fire alarm", 1}));
  ASSERT_TRUE(s.latch({"BMS-OT", "over-temperature", 2}));
  const auto records = s.latch_records({"ALM-01", "BMS-OT"});
  int asked = 0;
  auto cleared = s.clear_latches(records, [&] {
    if (asked++ == 0) s.stage_latch({"ALM-01", "fire alarm (again)", 3});
    return true;
  });
  ASSERT_TRUE(cleared.has_value());
  EXPECT_TRUE(*cleared);
  EXPECT_EQ(asked, 2) << "written once more, with the new trip";
  EXPECT_EQ(ids(s), std::vector<std::string>{"ALM-01"});
  auto again = open();
  const auto loaded = again.load();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 1U);
  EXPECT_EQ(loaded->front().reason, "fire alarm (again)");
}

}  // namespace
}  // namespace bessd::app
