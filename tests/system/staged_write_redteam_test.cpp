// Red team 16c: operator writes staged off the control thread
// (docs/operations.md "Safety state", docs/architecture.md "Threads"). Each test here FAILS on
// 2b6eb0a. The rules they hold bessd to: `mode idle` without an expiry never waits for a disk or
// a database; an acknowledgement clears only what had been seen when it was asked for; a mode in
// force after a restart has its audit record.
//
// A slow disk is an LD_PRELOAD shim (slow_fsync.c) that delays every fsync in the safety
// state's folder, as a busy SD card does; a busy database is another process holding its write
// lock, as the sqlite3 shell or a maintenance script does.

#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "site.hpp"
#include "slow_state_disk.hpp"

namespace bessd::systest {
namespace staged_write_redteam_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

nlohmann::json sw_status(Site& site) {
  return site.api("GET", "/v1/status").body;
}

bool sw_not_discharging(double lo, double hi) {
  return !discharging(lo, hi);
}

// Another process holds the telemetry database's write lock (BEGIN EXCLUSIVE) until release().
class HeldDatabaseLock {
 public:
  explicit HeldDatabaseLock(const std::string& db) {
    if (sqlite3_open(db.c_str(), &conn_) != SQLITE_OK) return;
    // bessd may be committing telemetry at that moment: wait for it, as another process would.
    sqlite3_busy_timeout(conn_, 5000);
    held_ = sqlite3_exec(conn_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~HeldDatabaseLock() { release(); }
  HeldDatabaseLock(const HeldDatabaseLock&) = delete;
  HeldDatabaseLock& operator=(const HeldDatabaseLock&) = delete;
  bool held() const { return held_; }
  void release() {
    if (held_) sqlite3_exec(conn_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
    if (conn_) sqlite3_close(conn_);
    conn_ = nullptr;
  }

 private:
  sqlite3* conn_{nullptr};
  bool held_{false};
};

std::future<ApiResponse> sw_put_manual(Site& site, int setpoint_w) {
  return std::async(std::launch::async, [&site, setpoint_w] {
    return site.api("PUT", "/v1/mode",
                    R"({"mode":"manual","setpoint_w":)" + std::to_string(setpoint_w) + "}");
  });
}

// Finding 1. `bessctl mode idle` is the operator's stop: docs/operations.md says it "takes
// effect at once" and "stopping power never waits for a disk". But every write now runs on one
// writer thread, one after another, and each waits there for its audit record (up to 2 s) and
// its safety-state fsyncs: an idle queued behind other clients' writes waits for all of them.
// With the database's write lock held by another process and two writes ahead, the idle reached
// the inverter after 3.7 s (5.7 s with three ahead) and bessctl (5 s) got no answer.
TEST(RedteamStagedWrite, IdleDoesNotWaitBehindWritesWaitingForTheDatabase) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  HeldDatabaseLock lock(site.db_path());
  ASSERT_TRUE(lock.held());
  auto first = sw_put_manual(site, -1400);
  std::this_thread::sleep_for(50ms);
  auto second = sw_put_manual(site, -1300);
  std::this_thread::sleep_for(200ms);
  const std::int64_t asked = Site::now_us();
  auto idle = std::async(std::launch::async,
                         [&site] { return site.api("PUT", "/v1/mode", R"({"mode":"idle"})"); });
  const auto stopped = wait_for_write(site, asked, sw_not_discharging, 10s);
  ASSERT_TRUE(stopped) << site.sim("writes");
  EXPECT_LT((*stopped - asked) / 1000, 1000)
      << "ms from PUT idle to the first write that does not discharge, with two writes ahead "
         "of it waiting for their audit records";
  const auto answer = idle.get();
  EXPECT_EQ(answer.status, 200) << "the idle's answer (a client gives up after 5 s): "
                                << answer.body.dump();
  (void)first.get();
  (void)second.get();
  lock.release();
}

// Finding 1, on a slow disk: the same queue, this time behind one mode write waiting for the
// safety state's fsyncs (2 s each, a busy SD card). Measured: the idle's 0 W after 3.8 s.
TEST(RedteamStagedWrite, IdleDoesNotWaitBehindAModeWriteWaitingForTheDisk) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  disk.set(2000ms);
  auto ahead = sw_put_manual(site, -1400);
  std::this_thread::sleep_for(300ms);
  const std::int64_t asked = Site::now_us();
  auto idle = std::async(std::launch::async,
                         [&site] { return site.api("PUT", "/v1/mode", R"({"mode":"idle"})"); });
  const auto stopped = wait_for_write(site, asked, sw_not_discharging, 15s);
  disk.set(0ms);
  ASSERT_TRUE(stopped) << site.sim("writes");
  EXPECT_LT((*stopped - asked) / 1000, 1000)
      << "ms from PUT idle to the first write that does not discharge, behind one mode write "
         "waiting for the disk";
  (void)idle.get();
  (void)ahead.get();
}

// Finding 2. An acknowledgement is checked on the control thread, stored, then applied: the
// controller clears every fault the store cleared whose cause is gone at that moment. A fire
// alarm that trips again and clears again while the acknowledgement waits for the disk is
// cleared by an acknowledgement asked for before it tripped: nobody acknowledged the second
// alarm, and power flows. (Before 2b6eb0a the acknowledgement was one step: the second alarm
// latched anew after it.) docs/operations.md: a fault whose cause returns between store and
// apply stays latched; here it returned and went again in that window.
TEST(RedteamStagedWrite, AckDoesNotClearAFireAlarmThatTrippedAgainWhileItWasStored) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  latch_fire_alarm(site, 300ms);  // then the latch is on disk

  disk.set(900ms);  // two fsyncs: stored well inside the 2.5 s deadline
  auto ack = std::async(std::launch::async, [&site] { return site.api("POST", "/v1/faults/ack"); });
  std::this_thread::sleep_for(300ms);
  // The fire alarm trips again after the acknowledgement was asked for, and bessd sees it.
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto f = fault_in(sw_status(site), "ALM-01");
        return !f.is_null() && !f.value("cause_cleared", true);
      },
      3s))
      << sw_status(site).dump();
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
  const auto answer = ack.get();
  disk.set(0ms);
  const std::int64_t after = Site::now_us();
  std::this_thread::sleep_for(2s);
  const auto s = sw_status(site);
  EXPECT_FALSE(fault_in(s, "ALM-01").is_null())
      << "the second fire alarm was cleared by an acknowledgement asked for before it: "
      << answer.status << " " << answer.body.dump() << "\n"
      << s.dump();
  EXPECT_FALSE(first_write_after(site.sim_writes(), after, discharging))
      << "discharging after a fire alarm nobody acknowledged: " << site.sim("writes");
}

// Finding 3. docs/api.md "GET /v1/audit": a write that can release power is not accepted without
// its audit record. A kill -9 (watchdog, OOM, power cut) while a mode write waits for the folder's
// fsync, after the state file was renamed: the client got no answer, yet after the restart the
// battery discharges at that mode and the audit log has no record of who set it. The window is as
// long as the disk is slow (here 2 s; the record is written only once the write is applied).
TEST(RedteamStagedWrite, ModeInForceAfterKill9DuringItsWriteHasAnAuditRecord) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  disk.set(2000ms);
  auto put = sw_put_manual(site, -1234);
  // File fsync (2 s), rename, folder fsync (2 s): killed during the folder's fsync.
  std::this_thread::sleep_for(3s);
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(5s)) << site.bessd_output();
  site.forget_bessd();
  const auto answer = put.get();
  disk.set(0ms);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto s = sw_status(site);
  if (s.value("mode", "") != "manual") GTEST_SKIP() << "the kill came before the rename";
  const auto audit =
      site.api("GET", "/v1/audit?limit=50").body.value("records", nlohmann::json::array());
  bool found = false;
  for (const auto& a : audit)
    if (a.value("request", "").find("-1234") != std::string::npos) found = true;
  EXPECT_TRUE(found) << "manual -1234 W is in force after the restart (answer before the kill: "
                     << answer.status << " " << answer.body.dump()
                     << ") but the audit has no record of it: " << audit.dump();
}

// Finding 3, for an acknowledgement: kill -9 while it waits for the folder's fsync. The fire
// alarm's latch is gone after the restart and power flows, with no audit record of anyone
// acknowledging it.
TEST(RedteamStagedWrite, AckInForceAfterKill9DuringItsWriteHasAnAuditRecord) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  latch_fire_alarm(site, 300ms);  // then the latch is on disk
  disk.set(2000ms);
  auto ack = std::async(std::launch::async, [&site] { return site.api("POST", "/v1/faults/ack"); });
  std::this_thread::sleep_for(3s);  // after the rename, during the folder's fsync
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(5s)) << site.bessd_output();
  site.forget_bessd();
  const auto answer = ack.get();
  disk.set(0ms);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  std::this_thread::sleep_for(1s);
  if (!fault_in(sw_status(site), "ALM-01").is_null())
    GTEST_SKIP() << "the kill came before the rename";
  const auto audit =
      site.api("GET", "/v1/audit?limit=50").body.value("records", nlohmann::json::array());
  bool found = false;
  for (const auto& a : audit)
    if (a.value("action", "") == "ack_faults") found = true;
  EXPECT_TRUE(found) << "ALM-01 is gone after the restart (answer before the kill: "
                     << answer.status << " " << answer.body.dump()
                     << ") but the audit has no acknowledgement: " << audit.dump();
}

// Finding 4. ALM-01 is latched with its cause gone, BMS-OT with its cause present; the operator
// acknowledges and the over-temperature ends while the acknowledgement waits for the disk.
// ALM-01 is cleared (on disk and in the controller), yet the answer is 503 "could not be
// stored durably ... BMS-OT (it latched again ...)" and the audit records an "error": the
// record of who cleared a fire alarm latch says the acknowledgement failed, and
// BMS-OT neither latched again nor failed to be stored (docs/api.md "GET /v1/audit").
TEST(RedteamStagedWrite, AckThatClearedAFireAlarmSaysSoInItsAnswerAndAudit) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until([&] { return !fault_in(sw_status(site), "ALM-01").is_null(); }, 5s));
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
  ASSERT_EQ(site.sim("over-temp on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto s = sw_status(site);
        return fault_in(s, "ALM-01").value("cause_cleared", false) &&
               !fault_in(s, "BMS-OT").is_null();
      },
      5s))
      << sw_status(site).dump();
  std::this_thread::sleep_for(500ms);  // both latches on disk

  disk.set(900ms);  // two fsyncs: stored well inside the 2.5 s deadline
  auto ack = std::async(std::launch::async, [&site] { return site.api("POST", "/v1/faults/ack"); });
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(site.sim("over-temp off").rfind("ok", 0), 0U);
  const auto answer = ack.get();
  disk.set(0ms);
  ASSERT_TRUE(fault_in(sw_status(site), "ALM-01").is_null())
      << "precondition: the acknowledgement cleared ALM-01";
  EXPECT_NE(answer.body.dump().find("ALM-01"), std::string::npos)
      << "ALM-01 was acknowledged, but the answer does not say so: " << answer.status << " "
      << answer.body.dump();
  const auto audit =
      site.api("GET", "/v1/audit?limit=5").body.value("records", nlohmann::json::array());
  ASSERT_FALSE(audit.empty());
  const auto& last =
      audit.front().value("action", "") == "ack_faults" ? audit.front() : audit.back();
  EXPECT_NE(last.value("outcome", ""), "error")
      << "the audit records the acknowledgement that cleared ALM-01 as an error: " << audit.dump();
}

// Finding 5. The audit wait is bounded (2 s) to stay "well inside a client's patience (bessctl
// gives up after 5 s)" (daemon.cpp), but the safety-state write before it is not: on a disk
// whose fsyncs take 3 s, `bessctl mode manual` gives up after 5 s and reports the daemon
// unreachable (exit 3), and the mode takes effect a second later. The operator was told it
// failed; the battery discharges at it. A write must be answered in time or not take effect.
TEST(RedteamStagedWrite, ModeWriteTheClientGaveUpOnDoesNotTakeEffectLater) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  disk.set(3000ms);
  const auto answer =
      site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})");  // 5 s, as bessctl
  const std::int64_t gave_up = Site::now_us();
  // Withheld before it reaches the disk, it is now answered 504 in time; either way it must not
  // take effect later.
  EXPECT_NE(answer.status, 200) << answer.body.dump();
  const auto discharged = wait_for_write(site, gave_up, discharging, 5s);
  disk.set(0ms);
  EXPECT_FALSE(discharged) << "the client got no answer within 5 s (" << answer.body.dump()
                           << ") and the battery discharges at its mode "
                           << (discharged ? (*discharged - gave_up) / 1000 : 0)
                           << " ms later; mode now " << sw_status(site).value("mode", "");
}

// Finding 5, for an acknowledgement: on a disk whose fsyncs take 3 s, the client gives up
// after 5 s; the acknowledgement must not clear the fire alarm's latch later, neither now nor
// on disk (a restart finds it latched).
TEST(RedteamStagedWrite, AckTheClientGaveUpOnDoesNotTakeEffectLater) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  latch_fire_alarm(site, 500ms);  // then the latch is on disk

  disk.set(3000ms);
  const auto answer = site.api("POST", "/v1/faults/ack");  // 5 s, as bessctl
  const std::int64_t gave_up = Site::now_us();
  EXPECT_NE(answer.status, 200) << answer.body.dump();
  const auto discharged = wait_for_write(site, gave_up, discharging, 8s);
  disk.set(0ms);
  EXPECT_FALSE(discharged) << "the acknowledgement nobody was told of took effect "
                           << (discharged ? (*discharged - gave_up) / 1000 : 0) << " ms later";
  EXPECT_FALSE(fault_in(sw_status(site), "ALM-01").is_null());
  std::this_thread::sleep_for(1s);  // the latch stored again
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(10s)) << site.bessd_output();
  site.forget_bessd();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  EXPECT_FALSE(fault_in(sw_status(site), "ALM-01").is_null())
      << "the fire alarm's latch was lost on disk by an acknowledgement that was refused";
  const auto audit =
      site.api("GET", "/v1/audit?limit=10").body.value("records", nlohmann::json::array());
  bool refused = false;
  for (const auto& a : audit)
    if (a.value("action", "") == "ack_faults" && a.value("outcome", "") == "error") refused = true;
  EXPECT_TRUE(refused) << audit.dump();
}

// Finding 6. docs/operations.md: "On stop, writes queued behind the running one are answered
// 503 'stopping'". SIGTERM while one mode write waits for a slow disk and two more wait behind
// it (another manual, then the operator's idle): the HTTP server closes every connection
// without an answer, the queued manual is still carried out (stored, so in force after the
// restart) and the idle after it is not. After the restart the battery discharges at a mode
// nobody was told was accepted, and the operator's later idle is gone.
TEST(RedteamStagedWrite, WritesQueuedAtTheStopAreAnsweredAndNotCarriedOut) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  disk.set(2000ms);
  auto running = sw_put_manual(site, -1400);
  std::this_thread::sleep_for(100ms);
  auto queued = sw_put_manual(site, -1300);
  std::this_thread::sleep_for(100ms);
  auto idle = std::async(std::launch::async,
                         [&site] { return site.api("PUT", "/v1/mode", R"({"mode":"idle"})"); });
  std::this_thread::sleep_for(200ms);
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(30s));
  site.forget_bessd();
  const auto running_answer = running.get();
  const auto queued_answer = queued.get();
  const auto idle_answer = idle.get();
  disk.set(0ms);
  EXPECT_NE(queued_answer.status, 0)
      << "the write queued behind the running one: " << queued_answer.body.dump();
  EXPECT_NE(idle_answer.status, 0) << "the idle queued at the stop: " << idle_answer.body.dump();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto s = sw_status(site);
  const bool queued_in_force =
      s.value("mode", "") == "manual" && s.value("manual_setpoint_w", 0.0) == -1300.0;
  EXPECT_FALSE(queued_in_force && queued_answer.status != 200)
      << "after the restart manual -1300 W is in force, a write answered " << queued_answer.status
      << " " << queued_answer.body.dump() << "; the idle after it was " << idle_answer.status << " "
      << idle_answer.body.dump() << "; the running one: " << running_answer.status;
  // A write the stop kept from running is in the audit like any refused write.
  if (queued_answer.status == 503) {
    const auto audit =
        site.api("GET", "/v1/audit?limit=50").body.value("records", nlohmann::json::array());
    bool recorded = false;
    for (const auto& a : audit)
      if (a.value("action", "") == "refused_write" &&
          a.value("request", "").find("-1300") != std::string::npos &&
          a.value("message", "").find("stopping") != std::string::npos)
        recorded = true;
    EXPECT_TRUE(recorded) << audit.dump(1);
  }
}

}  // namespace staged_write_redteam_test
}  // namespace bessd::systest
