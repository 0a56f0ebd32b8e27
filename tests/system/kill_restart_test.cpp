// kill -9 of bessd while a latched fault holds the battery: the hold was written without a
// revert timer, so the inverter still holds it after the revert time (a forced target would
// have reverted: inverter_hold_test); on restart the fault is still latched and the database
// is intact.

#include <signal.h>

#include <cstdio>
#include <regex>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace kill_restart_test {

using namespace std::chrono_literals;

TEST(KillRestart, LatchSurvivesDatabaseIntactInverterReverts) {
  Site site;
  // The SunSpec profile with a 4 s revert timeout and a 1 s lease (the shipped one: 120 s / 30 s).
  std::string profile = read_file(std::string(BESSD_SOURCE_DIR) + "/config/profiles/sunspec.json");
  profile = std::regex_replace(profile, std::regex(R"("lease_s": 30)"), R"("lease_s": 1)");
  profile = std::regex_replace(profile, std::regex(R"("revert_timeout_s": 120)"),
                               R"("revert_timeout_s": 4)");
  ASSERT_EQ(::system(("mkdir -p " + site.dir() + "/profiles").c_str()), 0);
  write_file(site.dir() + "/profiles/sunspec.json", profile);
  site.patch_config({{"inverter", {{"profile_dir", site.dir() + "/profiles"}}}});

  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  ASSERT_EQ(site.sim_status().at("inverter").at("device").at("rvrt_s"), 4);

  // A latched fault whose cause has cleared (not yet acknowledged): the BMS over-temperature
  // protection latches (docs/protection.md).
  ASSERT_EQ(site.sim("over-temp on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "BMS-OT").is_null(); }, 3s));
  ASSERT_EQ(site.sim("over-temp off").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto f = fault_in(site.api("GET", "/v1/status").body, "BMS-OT");
        return !f.is_null() && f.value("cause_cleared", false);
      },
      3s));
  ASSERT_TRUE(wait_stored(site, "BMS-OT")) << "the latch is on disk before the kill";

  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(2s));
  site.forget_bessd();
  const std::int64_t last_write = site.sim_status().at("inverter").at("device").at("last_write_ms");
  // Past the revert time (4 s) with a margin: the device would have reverted by now.
  ASSERT_TRUE(wait_until([&] { return Site::now_ms() - last_write > 6000; }, 10s));
  const auto dev = site.sim_status().at("inverter").at("device");
  std::printf("inverter %s %lld ms after bessd's last write (forced targets revert after 4 s)\n",
              dev.at("reverts") == 0 ? "still holds" : "reverted",
              static_cast<long long>(Site::now_ms() - last_write));
  EXPECT_EQ(dev.at("reverts"), 0) << dev.dump();
  EXPECT_EQ(dev.at("storctl_mod"), 3) << dev.dump();
  EXPECT_EQ(dev.at("rvrt_s"), 0) << dev.dump();
  EXPECT_EQ(site.sim_status().at("inverter").at("mode"), "remote");

  const auto integrity = run({"/usr/bin/sqlite3", site.db_path(), "PRAGMA integrity_check;"});
  EXPECT_EQ(integrity.code, 0) << integrity.output;
  EXPECT_EQ(integrity.output, "ok\n");

  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        fault = fault_in(site.api("GET", "/v1/status").body, "BMS-OT");
        return !fault.is_null();
      },
      5s))
      << site.api("GET", "/v1/status").body.dump();
  EXPECT_TRUE(fault.value("latched", false)) << fault.dump();
  // Still latched: no discharge until acknowledged.
  const std::int64_t since = Site::now_us() - 2'000'000;
  EXPECT_TRUE(wait_for_write(site, since, holds_zero, 5s)) << site.sim("writes");
  EXPECT_FALSE(first_write_after(site.sim_writes(), since, discharging));
}

}  // namespace kill_restart_test
}  // namespace bessd::systest
