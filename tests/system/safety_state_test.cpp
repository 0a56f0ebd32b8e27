// The durable safety state under kill -9 and storage faults: whatever happens to the telemetry
// database (deleted, corrupt, on a full filesystem), a latched fault is still latched after the
// restart, or the "safety state lost" latch (FAULT-STORE) is; never silent power flow. A fresh
// install is not "lost".

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "site.hpp"
#include "small_tmpfs.hpp"

namespace bessd::systest {
namespace safety_state_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

nlohmann::json status(Site& site) {
  return site.api("GET", "/v1/status").body;
}

// Latches BMS-OT (the BMS over-temperature protection) and clears its cause: latched, waiting
// for an acknowledgement.
// `on_disk`: also wait until the latch is in the safety-state file. A latch is written after the
// safe command, on a thread of its own (docs/operations.md "Safety state"), so a test that kills
// bessd next must not kill it in that moment (a CI run once did, with an fsync slowed by the
// load). Tests whose state folder cannot be written pass false.
void latch_protection_flag(Site& site, bool on_disk = true) {
  ASSERT_EQ(site.sim("over-temp on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until([&] { return !fault_in(status(site), "BMS-OT").is_null(); }, 5s))
      << status(site).dump();
  ASSERT_EQ(site.sim("over-temp off").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto f = fault_in(status(site), "BMS-OT");
        return !f.is_null() && f.value("cause_cleared", false);
      },
      5s));
  if (on_disk) {
    ASSERT_TRUE(wait_stored(site, "BMS-OT"));
  }
}

void kill_bessd(Site& site) {
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(5s)) << site.bessd_output();
  site.forget_bessd();
}

// After a restart: one of `codes` is latched, and no power flows (only zero writes) for a while.
// `since_us`: just before the restart (the simulator's write log spans both runs).
void expect_latched_and_no_power(Site& site, std::int64_t since_us,
                                 const std::vector<std::string>& codes) {
  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        const auto s = status(site);
        for (const auto& c : codes) {
          fault = fault_in(s, c);
          if (!fault.is_null()) return true;
        }
        return false;
      },
      10s))
      << status(site).dump();
  EXPECT_TRUE(fault.value("latched", false)) << fault.dump();
  std::printf("after restart: %s\n", fault.dump().c_str());
  EXPECT_TRUE(wait_for_write(site, since_us, holds_zero, 5s)) << site.sim("writes");
  EXPECT_FALSE(first_write_after(site.sim_writes(), since_us, discharging)) << site.sim("writes");
}

void remove_database(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(db + suffix);
}

void corrupt_database(const std::string& db) {
  // Garbage over the header and first pages: SQLite reports "file is not a database".
  std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
  const std::string junk(std::size_t{64} * 1024, '\x5a');
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  f.close();
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
}

TEST(SafetyState, FreshInstallIsNotLostAndPowerFlows) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  EXPECT_TRUE(fault_in(status(site), "FAULT-STORE").is_null());
  EXPECT_TRUE(fs::exists(site.dir() + "/safety-state.json"));
}

// Fills the telemetry database (bessd stopped) beyond `mb` megabytes with a table of its own, so
// that with storage.max_size_mb = mb no telemetry write finds room.
void fill_database_beyond(const std::string& db, int mb) {
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK) << db;
  const std::string sql =
      "CREATE TABLE IF NOT EXISTS ballast(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
      "SELECT i + 1 FROM n WHERE i < " +
      std::to_string(mb * 16 + 16) + ") INSERT INTO ballast SELECT randomblob(65536) FROM n;";
  char* err = nullptr;
  const int rc = sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &err);
  const std::string what = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(conn);
  ASSERT_EQ(rc, SQLITE_OK) << what;
  ASSERT_GT(fs::file_size(db), static_cast<std::uintmax_t>(mb) * 1024 * 1024);
}

enum class Damage { telemetry_deleted, telemetry_corrupt, telemetry_at_size_cap };

class KillWithDamagedTelemetry : public ::testing::TestWithParam<Damage> {};

TEST_P(KillWithDamagedTelemetry, TheLatchSurvivesAndHoldsPower) {
  Site site;
  constexpr int kCapMb = 4;  // the smallest storage.max_size_mb
  if (GetParam() == Damage::telemetry_at_size_cap)
    site.patch_config({{"storage", {{"max_size_mb", kCapMb}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  latch_protection_flag(site);
  kill_bessd(site);
  std::int64_t restarted = 0;
  if (GetParam() == Damage::telemetry_deleted) remove_database(site.db_path());
  if (GetParam() == Damage::telemetry_corrupt) corrupt_database(site.db_path());
  if (GetParam() == Damage::telemetry_at_size_cap) fill_database_beyond(site.db_path(), kCapMb);
  restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"BMS-OT"});
  EXPECT_TRUE(fault_in(status(site), "FAULT-STORE").is_null());
  // An acknowledgement releases it, and power resumes.
  const std::int64_t acked = Site::now_us();
  ASSERT_EQ(site.api("POST", "/v1/faults/ack").status / 100, 2);
  EXPECT_TRUE(wait_for_write(site, acked, discharging, 10s)) << site.sim("writes");
}

INSTANTIATE_TEST_SUITE_P(SafetyState, KillWithDamagedTelemetry,
                         ::testing::Values(Damage::telemetry_deleted, Damage::telemetry_corrupt,
                                           Damage::telemetry_at_size_cap));

class KillWithLostSafetyState : public ::testing::TestWithParam<bool> {};

TEST_P(KillWithLostSafetyState, StartsLatchedSayingWhyUntilAcknowledged) {
  const bool corrupt = GetParam();
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  latch_protection_flag(site);
  kill_bessd(site);
  std::int64_t restarted = 0;
  const std::string state = site.dir() + "/safety-state.json";
  if (corrupt) {
    std::fstream f(state, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    f.put('#');
  } else {
    fs::remove(state);
  }
  restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"FAULT-STORE"});
  const auto fault = fault_in(status(site), "FAULT-STORE");
  const std::string message = fault.value("message", "");
  EXPECT_NE(message.find("safety state lost"), std::string::npos) << message;
  EXPECT_NE(message.find(corrupt ? "damaged" : "missing"), std::string::npos) << message;

  // Killed again before anyone acknowledged: still latched.
  kill_bessd(site);
  restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"FAULT-STORE"});
  const std::int64_t acked = Site::now_us();
  ASSERT_EQ(site.api("POST", "/v1/faults/ack").status / 100, 2);
  EXPECT_TRUE(wait_for_write(site, acked, discharging, 10s)) << site.sim("writes");
}

INSTANTIATE_TEST_SUITE_P(SafetyState, KillWithLostSafetyState, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Corrupt" : "Deleted"; });

// An older copy of the state file put back (a backup, an image restore, a card that lost its
// last writes): the telemetry database remembers a later generation, so the start is latched
// and says why; the faults the older copy holds stay latched too.
TEST(SafetyState, AnOlderCopyOfTheStateFileStartsLatched) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::string state = site.dir() + "/safety-state.json";
  const std::string older = site.dir() + "/older-copy.json";
  fs::copy_file(state, older);
  latch_protection_flag(site);
  site.bessd()->signal(SIGTERM);  // a clean stop: the database has recorded the last write
  ASSERT_TRUE(site.bessd()->wait(20s));
  site.forget_bessd();
  fs::copy_file(older, state, fs::copy_options::overwrite_existing);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"FAULT-STORE"});
  const std::string message = fault_in(status(site), "FAULT-STORE").value("message", "");
  EXPECT_NE(message.find("older than the last state"), std::string::npos) << message;

  // Killed before anyone acknowledged: still latched, and no longer "older" once rewritten.
  kill_bessd(site);
  const std::int64_t again = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, again, {"FAULT-STORE"});
  const std::int64_t acked = Site::now_us();
  ASSERT_EQ(site.api("POST", "/v1/faults/ack").status / 100, 2);
  EXPECT_TRUE(wait_for_write(site, acked, discharging, 10s)) << site.sim("writes");
}

// The state folder stays unwritable across restarts (here the temporary file's name is taken):
// every start still knows which fault was latched, not only that the state was lost.
TEST(SafetyState, ALatchOnAnUnwritableFolderIsKnownAtEveryStart) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  latch_protection_flag(site);
  kill_bessd(site);
  fs::create_directory(site.dir() + "/safety-state.json.tmp");
  for (int start = 1; start <= 2; ++start) {
    const std::int64_t restarted = Site::now_us();
    ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
    expect_latched_and_no_power(site, restarted, {"BMS-OT"});
    EXPECT_FALSE(fault_in(status(site), "FAULT-STORE").is_null()) << status(site).dump();
    kill_bessd(site);
  }
}

// The telemetry database and the safety state on a small tmpfs that fills up (root only).
TEST(SafetyState, FullFilesystemNeverResumesSilently) {
  Site site;
  const SmallTmpfs small(site.dir() + "/small", "2m");
  if (!small.why_not().empty()) GTEST_SKIP() << small.why_not();
  const std::string& mnt = small.path();
  site.patch_config({{"storage", {{"path", mnt + "/bessd.db"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  // Fill the filesystem to the last block.
  {
    std::ofstream fill(mnt + "/fill", std::ios::binary);
    const std::string block(4096, '\0');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size())) && fill.flush()) {
    }
  }
  latch_protection_flag(site, /*on_disk=*/false);
  kill_bessd(site);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"BMS-OT", "FAULT-STORE"});
}

// The safety state's filesystem turns read-only (as ext4 does on errors): the latch cannot be
// written and the old file cannot be removed, so it still says "nothing latched". The restart
// must not trust a file it cannot rewrite.
TEST(SafetyState, ReadOnlyStateFolderNeverResumesSilently) {
  Site site;
  const SmallTmpfs small(site.dir() + "/state", "1m");
  if (!small.why_not().empty()) GTEST_SKIP() << small.why_not();
  const std::string& mnt = small.path();
  site.patch_config({{"storage", {{"safety_state_path", mnt + "/safety-state.json"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);
  latch_protection_flag(site, /*on_disk=*/false);
  kill_bessd(site);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"BMS-OT", "FAULT-STORE"});
  const std::string message = fault_in(status(site), "FAULT-STORE").value("message", "");
  EXPECT_NE(message.find("not written"), std::string::npos) << message;
}

// The telemetry database's filesystem is full: writes that could release power
// (acknowledgements, a mode other than idle) are refused with 503 rather than accepted without
// their audit record; idle, the safe direction, is still taken. Once the database works again,
// so do the writes.
TEST(SafetyState, WritesThatCannotBeAuditedAreRefusedExceptIdle) {
  Site site;
  const SmallTmpfs small(site.dir() + "/db", "2m");
  if (!small.why_not().empty()) GTEST_SKIP() << small.why_not();
  const std::string& mnt = small.path();
  // Only the telemetry database there: the safety state (the mode) can still be stored.
  site.patch_config(
      {{"storage",
        {{"path", mnt + "/bessd.db"}, {"safety_state_path", site.dir() + "/safety-state.json"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  // Fill the filesystem to the last block: the database cannot commit (SQLITE_FULL).
  {
    std::ofstream fill(mnt + "/fill", std::ios::binary);
    const std::string block(4096, '\0');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size())) && fill.flush()) {
    }
  }
  const auto storage_link = [&] {
    for (const auto& l : status(site).value("links", nlohmann::json::array()))
      if (l.value("name", "") == "storage") return l;
    return nlohmann::json();
  };
  ASSERT_TRUE(wait_until([&] { return storage_link().value("state", "") != "up"; }, 10s))
      << storage_link().dump();

  const auto ack = site.api("POST", "/v1/faults/ack");
  EXPECT_EQ(ack.status, 503) << ack.body.dump();
  EXPECT_NE(ack.body.dump().find("audit log cannot be written"), std::string::npos)
      << ack.body.dump();
  const auto manual = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-800})");
  EXPECT_EQ(manual.status, 503) << manual.body.dump();
  const std::int64_t idle_at = Site::now_us();
  const auto idle = site.api("PUT", "/v1/mode", R"({"mode":"idle"})");
  EXPECT_EQ(idle.status, 200) << idle.body.dump();
  EXPECT_TRUE(wait_for_write(site, idle_at, holds_zero, 5s)) << site.sim("writes");
  EXPECT_NE(site.bessd_output().find("audit log unavailable, recorded here instead"),
            std::string::npos);

  fs::remove(mnt + "/fill");
  ASSERT_TRUE(wait_until([&] { return storage_link().value("state", "") == "up"; }, 20s))
      << storage_link().dump() << "\n"
      << site.bessd_output();
  const auto later = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-800})");
  EXPECT_EQ(later.status, 200) << later.body.dump();
}

// `bessctl mode idle` before maintenance: kept across kill -9 (telemetry database deleted too),
// with who set it and when; a manual setpoint likewise.
TEST(SafetyState, OperatorModeSurvivesKillWithWhoAndWhen) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  EXPECT_EQ(status(site).value("mode_source", ""), "configuration");
  auto put = site.api("PUT", "/v1/mode", R"({"mode":"idle"})");
  ASSERT_EQ(put.status / 100, 2) << put.body.dump();
  auto s = status(site);
  EXPECT_EQ(s.value("mode", ""), "idle");
  EXPECT_EQ(s.value("mode_source", ""), "operator");
  EXPECT_TRUE(s.at("mode_set_by").is_string()) << s.dump();
  EXPECT_TRUE(s.at("mode_set_at").is_string()) << s.dump();

  kill_bessd(site);
  remove_database(site.db_path());
  std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  s = status(site);
  EXPECT_EQ(s.value("mode", ""), "idle") << s.dump();
  EXPECT_EQ(s.value("mode_source", ""), "operator");
  EXPECT_TRUE(wait_for_write(site, restarted, holds_zero, 5s)) << site.sim("writes");
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging)) << site.sim("writes");

  put = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-800})");
  ASSERT_EQ(put.status / 100, 2) << put.body.dump();
  kill_bessd(site);
  restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  s = status(site);
  EXPECT_EQ(s.value("mode", ""), "manual") << s.dump();
  EXPECT_EQ(s.value("manual_setpoint_w", 0.0), -800.0) << s.dump();
}

bool has_event(Site& site, const std::string& code) {
  const auto events =
      site.api("GET", "/v1/events?limit=500").body.value("events", nlohmann::json());
  if (!events.is_array()) return false;
  for (const auto& e : events)
    if (e.value("code", "") == code) return true;
  return false;
}

// An operator's mode with an expiry: kept across a kill -9 until it ends, then the configured
// mode returns (and stays after the next restart), with the mode.expired event. An expiry that
// passes while bessd is down ends the mode at the next start.
TEST(SafetyState, ModeWithExpiryHoldsAcrossKillThenTheConfiguredModeReturns) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::string configured = status(site).value("mode", "");
  ASSERT_NE(configured, "idle");
  auto put = site.api("PUT", "/v1/mode", R"({"mode":"idle","expires_in_s":6})");
  ASSERT_EQ(put.status / 100, 2) << put.body.dump();
  ASSERT_TRUE(put.body.at("expires_at").is_string()) << put.body.dump();
  const std::string expires_at = put.body.at("expires_at");
  auto s = status(site);
  EXPECT_EQ(s.value("mode_expires_at", nlohmann::json()), expires_at) << s.dump();

  kill_bessd(site);
  std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  s = status(site);
  EXPECT_EQ(s.value("mode", ""), "idle") << s.dump();
  EXPECT_EQ(s.value("mode_source", ""), "operator") << s.dump();
  EXPECT_EQ(s.value("mode_expires_at", nlohmann::json()), expires_at) << s.dump();
  EXPECT_TRUE(wait_for_write(site, restarted, holds_zero, 5s)) << site.sim("writes");

  ASSERT_TRUE(wait_until([&] { return status(site).value("mode", "") == configured; }, 15s))
      << status(site).dump();
  s = status(site);
  EXPECT_EQ(s.value("mode_source", ""), "configuration") << s.dump();
  EXPECT_TRUE(s.at("mode_expires_at").is_null()) << s.dump();
  EXPECT_TRUE(wait_until([&] { return has_event(site, "mode.expired"); }, 5s));
  EXPECT_TRUE(wait_for_write(site, Site::now_us(), discharging, 10s)) << site.sim("writes");
  kill_bessd(site);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  EXPECT_EQ(status(site).value("mode", ""), configured) << status(site).dump();

  // Ends while bessd is down: the next start is in the configured mode at once.
  put = site.api("PUT", "/v1/mode", R"({"mode":"idle","expires_in_s":1})");
  ASSERT_EQ(put.status / 100, 2) << put.body.dump();
  kill_bessd(site);
  std::this_thread::sleep_for(1500ms);
  restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  s = status(site);
  EXPECT_EQ(s.value("mode", ""), configured) << s.dump();
  EXPECT_EQ(s.value("mode_source", ""), "configuration") << s.dump();
  EXPECT_TRUE(wait_for_write(site, restarted, discharging, 10s)) << site.sim("writes");
  EXPECT_NE(site.bessd_output().find("mode.expired"), std::string::npos) << site.bessd_output();
}

// A mode that cannot be stored durably is refused (503, saying why), not applied; FAULT-STORE
// latches at once (the failed write removed the file), and the next start is "lost" too. Idle,
// the safe direction, is applied all the same.
TEST(SafetyState, ModeThatCannotBeStoredIsRefusedExceptIdle) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::string before = status(site).value("mode", "");
  ASSERT_NE(before, "self_consumption");
  fs::create_directory(site.dir() + "/safety-state.json.tmp");  // the write cannot create it
  const auto put = site.api("PUT", "/v1/mode", R"({"mode":"self_consumption"})");
  EXPECT_EQ(put.status, 503) << put.body.dump();
  EXPECT_NE(put.body.dump().find("not applied"), std::string::npos) << put.body.dump();
  EXPECT_EQ(status(site).value("mode", ""), before);
  ASSERT_TRUE(wait_until([&] { return !fault_in(status(site), "FAULT-STORE").is_null(); }, 5s))
      << status(site).dump();
  const auto idle = site.api("PUT", "/v1/mode", R"({"mode":"idle"})");
  EXPECT_EQ(idle.status, 200) << idle.body.dump();
  EXPECT_NE(idle.body.dump().find("could not be stored"), std::string::npos) << idle.body.dump();
  EXPECT_EQ(status(site).value("mode", ""), "idle");
  kill_bessd(site);
  fs::remove(site.dir() + "/safety-state.json.tmp");
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  expect_latched_and_no_power(site, restarted, {"FAULT-STORE"});
}

// An acknowledgement that cannot be stored is refused (503, saying why) and the fault stays
// latched: power never flows on an ack that a restart would undo. Once the state can be written
// again, the same ack releases it.
TEST(SafetyState, AckThatCannotBeStoredKeepsTheLatch) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  latch_protection_flag(site);
  fs::create_directory(site.dir() + "/safety-state.json.tmp");  // the write cannot create it
  const std::int64_t refused_at = Site::now_us();
  const auto ack = site.api("POST", "/v1/faults/ack");
  EXPECT_EQ(ack.status, 503) << ack.body.dump();
  EXPECT_NE(ack.body.dump().find("BMS-OT"), std::string::npos) << ack.body.dump();
  const auto fault = fault_in(status(site), "BMS-OT");
  ASSERT_FALSE(fault.is_null()) << status(site).dump();
  EXPECT_TRUE(fault.value("latched", false)) << fault.dump();
  std::this_thread::sleep_for(3s);  // several control periods: nothing releases it
  EXPECT_FALSE(first_write_after(site.sim_writes(), refused_at, discharging)) << site.sim("writes");

  fs::remove(site.dir() + "/safety-state.json.tmp");
  const std::int64_t acked_at = Site::now_us();
  const auto again = site.api("POST", "/v1/faults/ack");
  EXPECT_EQ(again.status, 200) << again.body.dump();
  EXPECT_TRUE(fault_in(status(site), "BMS-OT").is_null()) << status(site).dump();
  EXPECT_TRUE(wait_for_write(site, acked_at, discharging, 10s)) << site.sim("writes");
}

// A flood of acknowledgements: the events and audit tables stay bounded (retention by count),
// the database does not grow without limit, and a legitimate write afterwards is audited and
// shown first by /v1/audit.
TEST(SafetyState, AckFloodStaysBoundedAndLaterWritesAreAudited) {
  Site site;
  // The write rate limit would refuse most of the flood before it is stored: open it up so
  // that the retention itself is what keeps the tables bounded.
  site.patch_config(
      {{"storage", {{"retention", {{"events_max_rows", 200}, {"audit_max_rows", 200}}}}},
       {"api", {{"write_rate", {{"per_second", 1000}, {"burst", 10000}}}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  for (int i = 0; i < 1500; ++i) {
    const auto ack = site.api("POST", "/v1/faults/ack");
    // The body says why when there was no HTTP answer at all (status 0).
    ASSERT_EQ(ack.status / 100, 2) << "ack " << i << ": " << ack.body.dump() << "\n"
                                   << site.bessd_output();
  }
  const auto put = site.api("PUT", "/v1/mode", R"({"mode":"idle"})");
  ASSERT_EQ(put.status / 100, 2) << put.body.dump();
  nlohmann::json audit;
  ASSERT_TRUE(wait_until(
      [&] {
        audit = site.api("GET", "/v1/audit?limit=1000").body.value("records", nlohmann::json());
        return audit.is_array() && !audit.empty() && audit.size() <= 200 + 10 &&
               audit.at(0).value("action", "") == "mode";
      },
      20s))
      << audit.size() << " rows; first " << (audit.empty() ? "" : audit.at(0).dump());
  EXPECT_NE(audit.at(0).value("request", "").find("idle"), std::string::npos) << audit.at(0);
  // Newest first.
  EXPECT_GT(audit.at(0).value("id", 0), audit.at(1).value("id", 0));
  std::printf("after 1500 acks: %zu audit rows kept, database %lld bytes\n", audit.size(),
              static_cast<long long>(fs::file_size(site.db_path())));
}

// With the default write rate, one client's flood of acknowledgements is refused after its
// burst: the controller keeps running on fresh BMS data, the audit holds one record counting the
// refusals, and the client's next write after a pause is accepted.
TEST(SafetyState, AckFloodFromOneClientIsRefusedAndNeverStallsControl) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::int64_t flood_start = Site::now_us();
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 1500; ++i) {
    const auto r = site.api("POST", "/v1/faults/ack");
    ASSERT_TRUE(r.status == 200 || r.status == 429) << r.status << " " << r.body.dump();
    (r.status == 200 ? accepted : refused) += 1;
  }
  const std::int64_t flood_end = Site::now_us();
  const double flood_s = static_cast<double>(flood_end - flood_start) / 1e6;
  EXPECT_LE(accepted, 10 + static_cast<int>(2 * flood_s) + 1) << "burst 10, 2 per second";
  EXPECT_GT(refused, 1000);
  EXPECT_TRUE(fault_in(status(site), "COM-01").is_null()) << status(site).dump();
  const auto since_s = (Site::now_us() - flood_start) / 1'000'000 + 1;
  const auto events =
      site.api("GET", "/v1/events?limit=500&since=-" + std::to_string(since_s) + "s").body.dump();
  EXPECT_EQ(events.find("bms.stale"), std::string::npos) << "BMS data went stale during the flood";
  nlohmann::json audit =
      site.api("GET", "/v1/audit?limit=1000").body.value("records", nlohmann::json());
  int refusal_records = 0;
  for (const auto& a : audit)
    if (a.value("outcome", "") == "refused") ++refusal_records;
  EXPECT_EQ(refusal_records, 1) << audit.dump();
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(site.api("POST", "/v1/faults/ack").status, 200) << "a write earned after the pause";
  std::printf("ack flood: %d accepted, %d refused in %.2f s\n", accepted, refused, flood_s);
}

}  // namespace safety_state_test
}  // namespace bessd::systest
