// Red team of issue 16 (durable safety state): each test here reproduces a finding of that
// review and FAILS on dc998ea. The rule they hold bessd to: never silent
// power flow after a restart when something safety-relevant was latched or the operator had set
// idle; never a lost record of an accepted write; every failure named clearly.

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"
#include "small_tmpfs.hpp"

namespace bessd::systest {
namespace safety_state_redteam_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

nlohmann::json rt_status(Site& site) {
  return site.api("GET", "/v1/status").body;
}

void rt_kill(Site& site) {
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(5s)) << site.bessd_output();
  site.forget_bessd();
}

void rt_stop(Site& site) {
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(10s)) << site.bessd_output();
  site.forget_bessd();
}

// ALM-01 latched with its cause gone: waiting for an acknowledgement.
void rt_latch_fire_alarm(Site& site) {
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until([&] { return !fault_in(rt_status(site), "ALM-01").is_null(); }, 5s))
      << rt_status(site).dump();
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
}

// Starts bessd again and checks that ALM-01 or FAULT-STORE holds it: latched, and nothing
// discharges for several control periods (`what`: the failure this would be).
void rt_restart_and_expect_held(Site& site, const std::string& what) {
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  std::this_thread::sleep_for(2s);
  const auto s = rt_status(site);
  EXPECT_TRUE(!fault_in(s, "ALM-01").is_null() || !fault_in(s, "FAULT-STORE").is_null())
      << s.dump();
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging))
      << what << ": " << site.sim("writes");
}

// ALM-01 latched and the operator's idle set, then bessd stopped: what a move of the state or
// the database must not forget.
void rt_latch_idle_and_stop(Site& site) {
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  rt_latch_fire_alarm(site);
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  rt_stop(site);
}

// Runs one SQL statement on the telemetry database (bessd stopped).
void rt_sql(const std::string& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK) << db;
  char* err = nullptr;
  const int rc = sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &err);
  const std::string what = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(conn);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << what;
}

// Finding 1. docs/operations.md advises moving storage.safety_state_path to another filesystem.
// An operator who does so (service stopped, file not copied, or copied without its marker)
// must not find a latched fire alarm and their "idle" silently gone: with a telemetry database
// that has run with a safety state, a missing state at the configured path is "lost", not a
// fresh install.
TEST(RedteamSafetyState, MovingTheStatePathIsLostNotAFreshInstall) {
  Site site;
  rt_latch_idle_and_stop(site);
  fs::create_directory(site.dir() + "/other-fs");
  site.patch_config(
      {{"storage", {{"safety_state_path", site.dir() + "/other-fs/safety-state.json"}}}});
  rt_restart_and_expect_held(site, "power flows after the state path was moved");
}

// Finding 2. The first start after an upgrade migrates the latches out of the telemetry
// database. If the new safety state cannot be written (its folder read-only), the migrated
// latches exist only in memory, yet they are deleted from the database: once the folder is
// writable again, the next start is a "fresh install" and the fire alarm latch is gone.
TEST(RedteamSafetyState, MigrationThatCannotBeStoredKeepsTheTelemetryRecords) {
  Site site;
  const SmallTmpfs small(site.dir() + "/state", "1m");
  if (!small.why_not().empty()) GTEST_SKIP() << small.why_not();
  const std::string& mnt = small.path();
  site.patch_config({{"storage", {{"safety_state_path", mnt + "/safety-state.json"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();  // creates the current schema
  rt_stop(site);
  fs::remove(mnt + "/safety-state.json");
  fs::remove(mnt + "/safety-state.marker");
  // As the previous version left it: the latch in the telemetry database, no safety state.
  rt_sql(site.db_path(),
         "INSERT INTO latched_faults(code, severity, raised_ms, message, fields) VALUES "
         "('ALM-01', 4, strftime('%s','now')*1000, 'fire alarm input active', '{}')");
  ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return !fault_in(rt_status(site), "ALM-01").is_null(); }, 5s))
      << rt_status(site).dump();
  rt_stop(site);
  ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, nullptr), 0) << std::strerror(errno);
  rt_restart_and_expect_held(site, "the migrated fire alarm latch was lost");
}

// Finding 9. A rollback to a version that keeps latches in the telemetry database, a fire alarm
// latched while rolled back, then the upgrade again: the safety-state file from before the
// rollback is restored (no latch) and the database's latch is deleted unread.
TEST(RedteamSafetyState, LatchRaisedWhileRolledBackSurvivesTheNextUpgrade) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  rt_stop(site);
  // What the older version wrote when the fire alarm tripped while it ran.
  rt_sql(site.db_path(),
         "INSERT INTO latched_faults(code, severity, raised_ms, message, fields) VALUES "
         "('ALM-01', 4, strftime('%s','now')*1000, 'fire alarm input active', '{}')");
  rt_restart_and_expect_held(site, "the latch of the rolled-back run was dropped");
}

// Finding 3. An accepted write (200) must have its audit record: the reply goes out before the
// record is committed, so a kill -9 right after the reply loses the record of a change that
// the safety state kept (docs/api.md "GET /v1/audit").
TEST(RedteamSafetyState, AuditRecordOfAnAcceptedWriteSurvivesKill9) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  int lost = 0;
  for (int i = 0; i < 12; ++i) {
    const int setpoint = -500 - i;
    const auto put = site.api("PUT", "/v1/mode",
                              R"({"mode":"manual","setpoint_w":)" + std::to_string(setpoint) + "}");
    ASSERT_EQ(put.status, 200) << put.body.dump() << "\n" << site.bessd_output();
    rt_kill(site);
    ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
    EXPECT_EQ(rt_status(site).value("manual_setpoint_w", 0.0), setpoint);
    const auto audit =
        site.api("GET", "/v1/audit?limit=50").body.value("records", nlohmann::json::array());
    bool found = false;
    for (const auto& a : audit)
      if (a.value("request", "").find(std::to_string(setpoint)) != std::string::npos) found = true;
    if (!found) ++lost;
  }
  EXPECT_EQ(lost, 0) << lost << " of 12 accepted mode writes have no audit record after kill -9";
}

// Finding 4. The safety state cannot be written at runtime and the operator asks for idle: the
// request is refused (503) and the state file deleted, but no FAULT-STORE latches and the
// battery keeps discharging (docs/operations.md: "When a write fails at runtime ...
// FAULT-STORE latches").
TEST(RedteamSafetyState, IdleThatCannotBeStoredStillStopsPower) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  fs::create_directory(site.dir() + "/safety-state.json.tmp");  // the write cannot create it
  const auto put = site.api("PUT", "/v1/mode", R"({"mode":"idle"})");
  const std::int64_t asked = Site::now_us();
  std::this_thread::sleep_for(2s);
  const auto s = rt_status(site);
  EXPECT_TRUE(s.value("mode", "") == "idle" || !fault_in(s, "FAULT-STORE").is_null())
      << put.status << " " << put.body.dump() << "\n"
      << s.dump();
  EXPECT_FALSE(first_write_after(site.sim_writes(), asked + 500'000, discharging))
      << "still discharging after the operator asked for idle: " << site.sim("writes");
  fs::remove(site.dir() + "/safety-state.json.tmp");
}

// Finding 5. Something that is not a regular file at the temporary name (here a FIFO) blocks the
// control thread in open(2) when a latch is written: the fire alarm never reaches the inverter
// (0 W), and the API stops answering.
TEST(RedteamSafetyState, FifoAtTheTemporaryNameNeverDelaysTheFireAlarm) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::string tmp = site.dir() + "/safety-state.json.tmp";
  ASSERT_EQ(::mkfifo(tmp.c_str(), 0600), 0) << std::strerror(errno);
  const std::int64_t alarm = Site::now_us();
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  const auto zero = wait_for_write(site, alarm, holds_zero, 3s);
  // Release a blocked writer before asserting, so that the site can be torn down.
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_NONBLOCK);
  std::this_thread::sleep_for(200ms);
  if (fd >= 0) ::close(fd);
  EXPECT_TRUE(zero) << "no 0 W within 3 s of the fire alarm: " << site.sim("writes");
}

// Finding 6. Retention by age is measured from the newest telemetry time ever stored. After the
// wall clock once ran years ahead (a bad RTC or time source, corrected later), every audit record
// written afterwards is pruned at once: accepted writes leave no record.
TEST(RedteamSafetyState, AuditIsKeptAfterTheClockOnceRanAhead) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  rt_stop(site);
  // A telemetry row stamped six years ahead (audit_days defaults to 1825), as bessd itself
  // would have written it while the clock was wrong.
  rt_sql(site.db_path(),
         "INSERT INTO telemetry_raw(ts_ms, state_id, mode_id, data) SELECT "
         "ts_ms + 6*366*86400000, state_id, mode_id, data FROM telemetry_raw ORDER BY ts_ms "
         "DESC LIMIT 1");
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-900})").status, 200);
  nlohmann::json audit;
  const bool kept = wait_until(
      [&] {
        audit = site.api("GET", "/v1/audit?limit=10").body.value("records", nlohmann::json());
        return audit.is_array() && !audit.empty();
      },
      5s);
  std::this_thread::sleep_for(1500ms);  // a few more storage batches (and their pruning)
  audit = site.api("GET", "/v1/audit?limit=10").body.value("records", nlohmann::json());
  EXPECT_TRUE(kept && audit.is_array() && !audit.empty())
      << "the accepted write has no audit record: " << audit.dump();
}

// Finding 7. docs/api.md: the audit's `who` has `transport`, `uid`, `gid`, `pid`, `user`, `peer`.
// Every record reads back as transport "internal" with no uid/gid/pid: the peer credentials
// survive only inside a free-text `user` string (gid not at all).
TEST(RedteamSafetyState, AuditRecordsCarryThePeerCredentials) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  nlohmann::json audit;
  ASSERT_TRUE(wait_until(
      [&] {
        audit = site.api("GET", "/v1/audit?limit=1").body.value("records", nlohmann::json());
        return audit.is_array() && !audit.empty();
      },
      5s));
  const auto who = audit.at(0).value("who", nlohmann::json::object());
  EXPECT_EQ(who.value("transport", ""), "unix") << who.dump();
  EXPECT_TRUE(who.contains("uid") && who.at("uid").is_number()) << who.dump();
  EXPECT_TRUE(who.contains("gid") && who.at("gid").is_number()) << who.dump();
  EXPECT_TRUE(who.contains("pid") && who.at("pid").is_number()) << who.dump();
}

// A record an older version wrote (the actor column held one line of text; `request` held
// "ACTION PARAMETERS" and `outcome` "OUTCOME: MESSAGE", schema version 6) still reads back after
// the upgrade: its line in `user`, its transport taken from that line, no ids made up, and its
// action, request, outcome and message each in their own field.
TEST(RedteamSafetyState, AuditRecordsOfAnOlderVersionStillReadBack) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  rt_stop(site);
  const std::string line = "uid 0 (root) pid 4242 via unix unix:/run/bessd/api.sock";
  // The database as version 6 left it: without the audit's action and message columns.
  rt_sql(site.db_path(),
         "ALTER TABLE audit DROP COLUMN action; ALTER TABLE audit DROP COLUMN message; "
         "PRAGMA user_version = 6; "
         "INSERT INTO audit(ts_ms, actor, request, sent_kind, sent_power_w, sent_charge_max_w, "
         "sent_discharge_max_w, sent_reason, readback_power_w, outcome) VALUES "
         "(CAST(strftime('%s','now') AS INTEGER) * 1000, '" +
             line +
             "', 'mode {\"mode\":\"idle\",\"older\":1}', 0, 0, 0, 0, '', NULL, "
             "'accepted: mode idle in force')");
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto audit =
      site.api("GET", "/v1/audit?limit=50").body.value("records", nlohmann::json::array());
  nlohmann::json old;
  for (const auto& a : audit)
    if (a.value("request", "").find("older") != std::string::npos) old = a;
  ASSERT_TRUE(old.is_object()) << audit.dump();
  const auto& who = old.at("who");
  EXPECT_EQ(who.value("user", ""), line) << who.dump();
  EXPECT_EQ(who.value("transport", ""), "unix") << who.dump();
  EXPECT_TRUE(who.at("uid").is_null()) << who.dump();
  EXPECT_EQ(old.value("action", ""), "mode") << old.dump();
  EXPECT_EQ(old.value("request", ""), R"({"mode":"idle","older":1})") << old.dump();
  EXPECT_EQ(old.value("outcome", ""), "accepted") << old.dump();
  EXPECT_EQ(old.value("message", ""), "mode idle in force") << old.dump();
}

// Finding 8. Refused writes are "counted in one audit record per client, reason and minute":
// the first refusal is recorded at once, the rest only when the same client is refused again a
// minute later. A flood that stops is never counted; a restart forgets the count. After a clean
// stop the audit must account for every refusal.
TEST(RedteamSafetyState, EveryRefusedWriteIsCountedInTheAudit) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  int refused = 0;
  for (int i = 0; i < 60; ++i)
    if (site.api("POST", "/v1/faults/ack").status == 429) ++refused;
  ASSERT_GT(refused, 30);
  rt_stop(site);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto audit =
      site.api("GET", "/v1/audit?limit=1000").body.value("records", nlohmann::json::array());
  long counted = 0;
  for (const auto& a : audit)
    if (a.value("action", "") == "refused_write") counted += std::stol(a.value("message", "0"));
  EXPECT_EQ(counted, refused) << audit.dump();
}

// Red team 16b, finding A. `mode idle` is applied while the safety state cannot be written (a
// directory at the temporary name stands in for a full disk), and FAULT-STORE latches. The disk
// recovers and the operator acknowledges FAULT-STORE: that write stores the operator mode the
// file held *before* the idle (manual, discharging), since a failed write leaves the store's
// memory as it was. The next restart resumes it, no latch, and the battery discharges although
// the operator's last word was idle. A safe-direction change must be kept in memory when its
// write fails, so that the next write that succeeds stores it.
TEST(RedteamSafetyState, IdleThatCouldNotBeStoredIsNotLaterReplacedByTheOldMode) {
  SiteOptions options;
  options.config_patch = {{"control", {{"mode", "self_consumption"}}}};
  Site site(options);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::string tmp = site.dir() + "/safety-state.json.tmp";
  fs::create_directory(tmp);  // every safety-state write fails from here
  const auto idle = site.api("PUT", "/v1/mode", R"({"mode":"idle"})");
  ASSERT_EQ(idle.status, 200) << idle.body.dump();
  ASSERT_TRUE(wait_until([&] { return !fault_in(rt_status(site), "FAULT-STORE").is_null(); }, 5s))
      << rt_status(site).dump();
  fs::remove(tmp);  // the disk recovers
  const auto ack = site.api("POST", "/v1/faults/ack", "{}");
  ASSERT_EQ(ack.status, 200) << ack.body.dump();
  EXPECT_EQ(rt_status(site).value("mode", ""), "idle");
  rt_stop(site);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  std::this_thread::sleep_for(2s);  // several control periods
  const auto s = rt_status(site);
  EXPECT_TRUE(s.value("mode", "") == "idle" || !fault_in(s, "FAULT-STORE").is_null()) << s.dump();
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging))
      << "power flows after a restart although the operator's last mode was idle: "
      << site.sim("writes");
}

// Red team 16b, finding B. The telemetry database outgrew its disk, and the operator points
// storage.path at a new, empty database elsewhere. storage.safety_state_path is unset, so its
// default ("next to storage.path") moves along: the safety state in the old folder, with a
// latched fire alarm and the operator's idle, is never looked at, and the start is a "first
// start" with power flowing. Unknown must mean latched.
TEST(RedteamSafetyState, MovingTheDatabaseDoesNotForgetTheSafetyState) {
  Site site;
  rt_latch_idle_and_stop(site);
  fs::create_directory(site.dir() + "/bigger-disk");
  site.patch_config({{"storage", {{"path", site.dir() + "/bigger-disk/bessd.db"}}}});
  rt_restart_and_expect_held(site, "power flows after storage.path was moved");
}

// Red team 16b, finding D. The fire alarm trips while bessd is stopping (SIGTERM: the safe state
// is commanded, then bessd waits up to 800 ms for the read-back). The alarm is logged at
// critical, but the stopped control loop never steps again, so ALM-01 is not latched and not
// stored. The alarm clears (a pulse, a panel reset) and bessd is started again (an upgrade's
// restart): no latch, power flows without anyone having acknowledged the fire alarm.
TEST(RedteamSafetyState, FireAlarmDuringTheStopIsLatched) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  site.bessd()->signal(SIGTERM);
  std::this_thread::sleep_for(20ms);  // the stop has begun; the read-back wait is under way
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(site.bessd()->wait(10s)) << site.bessd_output();
  const std::string stop_log = site.bessd_output();
  site.forget_bessd();
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
  // The active line ("fire-alarm input PATH reads ..."), not the start-up one ("... clear").
  if (stop_log.find(" reads \"") == std::string::npos)
    GTEST_SKIP() << "the alarm came after the exit: " << stop_log;
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  std::this_thread::sleep_for(2s);
  const auto s = rt_status(site);
  EXPECT_FALSE(fault_in(s, "ALM-01").is_null()) << s.dump();
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging))
      << "power flows after a fire alarm seen during the stop: " << site.sim("writes");
}

}  // namespace safety_state_redteam_test
}  // namespace bessd::systest
