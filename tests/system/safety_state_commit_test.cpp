// The rename of the safety-state file is the moment a write takes effect (docs/operations.md,
// "Safety state"): after a kill -9 (or any restart) at any instant, what is in force is never a
// write its client was told did not take effect, and no latch the running bessd holds is
// missing. Scenarios of red team 16d, each failing before the commit check existed.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"
#include "slow_state_disk.hpp"

namespace bessd::systest {
namespace safety_state_commit_test {

using namespace std::chrono_literals;

// F1. A write is in force after a kill -9 exactly when its client was told so: withheld when
// its file is ready only after the 2.5 s deadline (3 s per fsync: 504), committed by the rename
// before it (1.5 s per fsync: 200, even though the folder's fsync ends after the deadline).
// Before, a late write reached the disk anyway and was undone later: a kill -9 after its 504
// kept it, and the fire alarm's latch was gone.
TEST(SafetyStateCommit, AckInForceAfterKill9ExactlyWhenAnswered200) {
  for (const auto fsync : {1500ms, 3000ms}) {
    SCOPED_TRACE("fsync " + std::to_string(fsync.count()) + " ms");
    Site site;
    SlowStateDisk disk(site);
    ASSERT_TRUE(disk.start(site)) << site.bessd_output();
    latch_fire_alarm(site, 700ms);  // then the latch is on disk
    disk.set(fsync);
    const auto answer = site.api("POST", "/v1/faults/ack");
    kill9(site);
    disk.set(0ms);
    ASSERT_TRUE(disk.start(site)) << site.bessd_output();
    EXPECT_EQ(fault_in(status_of(site), "ALM-01").is_null(), answer.status == 200)
        << "ack answered " << answer.status << " " << answer.body.dump()
        << "; after kill -9: " << status_of(site).dump();
    if (fsync == 3000ms) {
      EXPECT_EQ(answer.status, 504) << answer.body.dump();
    }
  }
}

TEST(SafetyStateCommit, ModeInForceAfterKill9ExactlyWhenAnswered200) {
  for (const auto fsync : {1500ms, 3000ms}) {
    SCOPED_TRACE("fsync " + std::to_string(fsync.count()) + " ms");
    Site site;
    SlowStateDisk disk(site);
    ASSERT_TRUE(disk.start(site)) << site.bessd_output();
    ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
    disk.set(fsync);
    const auto answer = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})");
    kill9(site);
    disk.set(0ms);
    ASSERT_TRUE(disk.start(site)) << site.bessd_output();
    EXPECT_EQ(status_of(site).value("mode", "") == "manual", answer.status == 200)
        << "mode answered " << answer.status << " " << answer.body.dump();
    if (fsync == 3000ms) {
      EXPECT_EQ(answer.status, 504) << answer.body.dump();
    }
  }
}

// N1 of red team 16e. A mode whose file is ready just inside the deadline (2.3 s), followed by a
// folder fsync of 6 s: it is committed by the rename, so it is applied and answered then, inside
// the client's 5 s. Before, the answer waited for the folder's fsync: the client timed out and
// the mode took effect 3 s later anyway.
TEST(SafetyStateCommit, ACommittedModeIsAnsweredWithoutWaitingForTheFolderFsync) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  disk.set(6000ms, 2300ms);
  const auto answer = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})");
  const auto live = status_of(site);
  disk.set(0ms);
  EXPECT_EQ(answer.status, 200) << answer.body.dump();
  EXPECT_EQ(live.value("mode", ""), "manual") << live.dump();
}

// F2. `mode idle` overtakes a manual whose file is being written: the manual is withheld (409)
// and never reaches the disk. Before, it did, ahead of the idle: kill -9 after both answers
// resumed the refused manual.
TEST(SafetyStateCommit, ManualOvertakenByIdleIsNotInForceAfterKill9) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  disk.set(1000ms);
  auto manual = std::async(std::launch::async, [&site] {
    return site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})");
  });
  std::this_thread::sleep_for(300ms);
  auto idle = std::async(std::launch::async,
                         [&site] { return site.api("PUT", "/v1/mode", R"({"mode":"idle"})"); });
  const auto m = manual.get();
  const auto i = idle.get();
  kill9(site);
  disk.set(0ms);
  ASSERT_EQ(i.status, 200) << i.body.dump();
  EXPECT_EQ(m.status, 409) << m.body.dump();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  EXPECT_NE(status_of(site).value("mode", ""), "manual")
      << "the manual answered " << m.status << " " << m.body.dump()
      << " is in force after kill -9; the operator's idle is gone";
}

// F3. The fire alarm trips again (on, then off) while an acknowledgement is being stored: it
// stays latched in memory and on disk (the clear is written again with the new trip in it
// before it commits), and the answer says it tripped again. Before, the clear landed and the
// latch was stored again only after the answer: a kill -9 then lost it.
TEST(SafetyStateCommit, RetrippedFireAlarmSurvivesKill9AfterTheAck) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  latch_fire_alarm(site, 700ms);  // then the latch is on disk
  disk.set(800ms);
  auto ack = std::async(std::launch::async, [&site] { return site.api("POST", "/v1/faults/ack"); });
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  std::this_thread::sleep_for(250ms);
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
  const auto answer = ack.get();
  kill9(site);
  disk.set(0ms);
  EXPECT_EQ(answer.status, 200) << answer.body.dump();
  EXPECT_NE(answer.body.value("message", "").find("ALM-01 tripped again"), std::string::npos)
      << answer.body.dump();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  EXPECT_FALSE(fault_in(status_of(site), "ALM-01").is_null())
      << "the fire alarm that tripped again during the ack (answer " << answer.status << " "
      << answer.body.dump() << ") is not latched after kill -9";
}

// F4. Three mode writes on a disk of constant speed, the second one late (504): a clean restart
// resumes the mode in force, never one answered 504. Before, the undos of late writes wrote back
// "the mode before" as seen when each was staged, and restored a mode answered 504.
TEST(SafetyStateCommit, CleanRestartResumesTheModeInForceNotOneAnswered504) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"idle"})").status, 200);
  disk.set(1000ms);
  auto m0 = std::async(std::launch::async, [&site] {
    return site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1000})");
  });
  std::this_thread::sleep_for(100ms);
  const auto m1 = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})");
  const auto m2 = site.api("PUT", "/v1/mode", R"({"mode":"self_consumption"})");
  (void)m0.get();
  std::this_thread::sleep_for(2s);  // the last one stored
  disk.set(0ms);
  const auto live = status_of(site);
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(30s));
  site.forget_bessd();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  const auto after = status_of(site);
  const auto setpoint = [](const nlohmann::json& st) {
    return st.value("manual_setpoint_w", nlohmann::json()).dump();
  };
  EXPECT_EQ(after.value("mode", ""), live.value("mode", ""));
  EXPECT_EQ(setpoint(after), setpoint(live))
      << "live " << live.value("mode", "") << " " << setpoint(live) << ", after a clean restart "
      << after.value("mode", "") << " " << setpoint(after) << "; M1 was answered " << m1.status
      << ", M2 " << m2.status << "; file: " << disk.state();
}

// F5 of red team 16d. A restart on a slow safety-state disk: the start-up rewrite ran before
// the inverter's safe-state write and before the fire alarm was polled, so the inverter kept
// the killed run's discharge and a fire alarm waited for two fsyncs (5.9 s at 3 s each). The
// rewrite now runs on the latch writer once they are under way.
TEST(SafetyStateStart, FireAlarmDuringAStartOnASlowDiskReachesZeroWattsQuickly) {
  Site site;
  SlowStateDisk disk(site);
  discharge_then_kill9(site, disk);
  if (HasFatalFailure()) return;
  disk.set(3000ms);
  auto started = std::async(std::launch::async, [&] { return disk.start(site); });
  std::this_thread::sleep_for(100ms);
  const std::int64_t fire = Site::now_us();
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  const auto zero = wait_for_write(site, fire, holds_zero, 20s);
  disk.set(0ms);
  ASSERT_TRUE(started.get()) << site.bessd_output();
  ASSERT_TRUE(zero);
  EXPECT_LT(*zero - fire, 1'000'000) << "fire alarm to 0 W took " << (*zero - fire) / 1000
                                     << " ms while bessd started on a slow disk";
  // And the start-up rewrite did happen: the fire alarm's latch is on disk.
  EXPECT_TRUE(wait_until([&] { return disk.state().find("ALM-01") != std::string::npos; }, 15s))
      << disk.state();
}

// Polls the status until its command_reason contains `text`; `status` holds the last answer.
bool status_when_reason_has(Site& site, const std::string& text, std::chrono::milliseconds limit,
                            nlohmann::json& status) {
  return wait_until(
      [&] {
        status = site.api("GET", "/v1/status").body;
        return status.value("command_reason", "").find(text) != std::string::npos;
      },
      limit);
}

// While the start-up rewrite is pending on a slow disk, a restored manual discharge runs as
// idle, and the status says why rather than showing "manual" with 0 W unexplained; once the
// rewrite is on disk the manual mode applies.
TEST(SafetyStateStart, StatusExplainsTheHoldUntilTheStateIsRewritten) {
  Site site;
  SlowStateDisk disk(site);
  discharge_then_kill9(site, disk);
  if (HasFatalFailure()) return;
  disk.set(3000ms);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  nlohmann::json status;
  ASSERT_TRUE(status_when_reason_has(site, "safety state is rewritten", 2s, status))
      << status.dump();
  EXPECT_EQ(status.value("mode", ""), "manual");
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging)) << site.sim("writes");
  disk.set(0ms);
  ASSERT_TRUE(wait_for_write(site, restarted, discharging, 15s)) << site.sim("writes");
  EXPECT_EQ(site.api("GET", "/v1/status").body.value("command_reason", ""), "manual");
}

// The same hold on an empty pack: the recharge the BMS asks for runs at once (a protection, not
// the operator's mode), and the status says both, the recharge first, rather than hiding the
// hold behind it.
TEST(SafetyStateStart, StatusExplainsTheHoldBehindARecharge) {
  Site site;
  SlowStateDisk disk(site);
  discharge_then_kill9(site, disk);
  if (HasFatalFailure()) return;
  ASSERT_EQ(site.sim("soc 3").rfind("ok", 0), 0U);
  disk.set(3000ms);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  nlohmann::json status;
  ASSERT_TRUE(status_when_reason_has(site, "Recharging", 3s, status)) << status.dump();
  EXPECT_NE(status.value("command_reason", "").find("safety state is rewritten"), std::string::npos)
      << status.dump();
  EXPECT_TRUE(wait_for_write(site, restarted, charging, 10s)) << site.sim("writes");
  disk.set(0ms);
}

// Red team 16f R1. A mode answered 200 at its rename, then the folder's fsync fails once (EIO):
// FAULT-STORE latches. The operator acknowledges it as told; that write must store the mode in
// force (idle for maintenance), not the manual discharge it replaced, which a later restart
// would otherwise resume with no latch.
TEST(SafetyStateCommit, AFolderFsyncFailureAfterTheAnswerKeepsTheAnsweredMode) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s));
  disk.fail_folder_fsync(300ms);
  const auto idle = site.api("PUT", "/v1/mode", R"({"mode":"idle","expires_in_s":7200})");
  ASSERT_EQ(idle.status, 200) << idle.body.dump();
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "FAULT-STORE").is_null(); }, 5s))
      << site.api("GET", "/v1/status").body.dump();
  disk.set(0ms);
  const auto ack = site.api("POST", "/v1/faults/ack");
  ASSERT_EQ(ack.status, 200) << ack.body.dump();
  EXPECT_NE(disk.state().find("\"idle\""), std::string::npos) << disk.state();
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(20s));
  site.forget_bessd();
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, restarted, holds_zero, 10s)) << site.sim("writes");
  std::this_thread::sleep_for(1s);
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_EQ(status.value("mode", ""), "idle") << status.dump();
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging)) << site.sim("writes");
}

// Red team 16f R2/R3. Writes queued behind a slow disk are answered at their 2.5 s deadline
// (504, withheld), not when the disk gets to them after the client has given up (bessctl waits
// 5 s); none of them takes effect.
TEST(SafetyStateCommit, WritesQueuedBehindASlowFolderFsyncAreAnsweredInTime) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1600})").status, 200);
  disk.set(6000ms, 0ms);
  // Answered at its rename; its folder fsync then holds the safety-state thread for 6 s.
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  std::vector<std::future<std::pair<ApiResponse, std::int64_t>>> queued;
  for (int i = 1; i <= 3; ++i)
    queued.push_back(std::async(std::launch::async, [&site, i] {
      const auto t0 = Site::now_us();
      auto r = site.api("PUT", "/v1/mode",
                        R"({"mode":"manual","setpoint_w":-)" + std::to_string(i * 100) + "}");
      return std::pair{r, Site::now_us() - t0};
    }));
  for (auto& q : queued) {
    const auto [answer, took_us] = q.get();
    EXPECT_EQ(answer.status, 504) << answer.body.dump();
    EXPECT_LT(took_us, 4'000'000) << "answered after " << took_us / 1000 << " ms";
  }
  disk.set(0ms);
  EXPECT_EQ(site.api("GET", "/v1/status").body.value("manual_setpoint_w", 0.0), -1500.0);
}

// Red team 16g G3. An acknowledgement being stored when the stop begins: no step carries it out.
// It must not be answered "tripped again" (nothing did), and the fault stays latched after the
// restart.
TEST(SafetyStateCommit, AnAckCutShortByTheStopSaysSoAndKeepsTheLatch) {
  Site site;
  SlowStateDisk disk(site);
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  latch_fire_alarm(site, 300ms);
  disk.set(1500ms);
  auto ack = std::async(std::launch::async, [&site] { return site.api("POST", "/v1/faults/ack"); });
  std::this_thread::sleep_for(300ms);
  site.bessd()->signal(SIGTERM);
  const auto answer = ack.get();
  ASSERT_TRUE(site.bessd()->wait(30s));
  site.forget_bessd();
  disk.set(0ms);
  const std::string message = answer.body.value("message", answer.body.dump());
  std::printf("ack at the stop: %d %s\n", answer.status, message.c_str());
  EXPECT_EQ(message.find("tripped again"), std::string::npos) << answer.status << " " << message;
  if (answer.status != 200) {
    EXPECT_NE(message.find("stopping"), std::string::npos) << answer.status << " " << message;
  }
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  const auto status = site.api("GET", "/v1/status").body;
  if (answer.status != 200) {
    EXPECT_TRUE(fault_in(status, "ALM-01").value("latched", false)) << status.dump();
  }
}

}  // namespace safety_state_commit_test
}  // namespace bessd::systest
