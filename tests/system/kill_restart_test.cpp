// kill -9 of bessd while it controls the battery: the inverter falls back by its own model 124
// revert timeout; on restart a latched fault is still latched and the database is intact.

#include <signal.h>

#include <cstdio>
#include <regex>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

TEST(KillRestart, LatchSurvivesDatabaseIntactInverterReverts) {
  Site site;
  // The SunSpec profile with a 4 s revert timeout and a 1 s lease (the shipped one: 120 s / 30 s).
  std::string profile = read_file(std::string(BESSD_SOURCE_DIR) + "/config/profiles/sunspec.json");
  profile = std::regex_replace(profile, std::regex(R"("lease_s": 30)"), R"("lease_s": 1)");
  profile = std::regex_replace(profile, std::regex(R"("revert_timeout_s": 120)"),
                               R"("revert_timeout_s": 4)");
  profile = std::regex_replace(profile, std::regex(R"("InOutWRte_RvrtTms", "value": 120)"),
                               R"("InOutWRte_RvrtTms", "value": 4)");
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

  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(2s));
  site.forget_bessd();
  const std::int64_t last_write = site.sim_status().at("inverter").at("device").at("last_write_ms");
  ASSERT_TRUE(wait_until(
      [&] { return site.sim_status().at("inverter").at("device").at("reverts") == 1; }, 6s))
      << site.sim("status");
  const std::int64_t reverted = Site::now_ms();
  std::printf("inverter reverted %lld ms after bessd's last write (RvrtTms 4 s)\n",
              static_cast<long long>(reverted - last_write));
  EXPECT_GE(reverted - last_write, 4000);
  EXPECT_LE(reverted - last_write, 4000 + 500);
  EXPECT_EQ(site.sim_status().at("inverter").at("mode"), "self_use");

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

}  // namespace
}  // namespace bessd::systest
