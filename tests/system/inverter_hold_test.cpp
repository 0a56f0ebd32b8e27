// The inverter-side safety case against the simulator's devices (docs/operations.md "Stop
// behaviour", docs/profiles.md): a hold that outlives bessd, a forced target that does not, an
// optional release on a clean stop, device limits that carry the envelope (never "no limit"),
// and a device that refuses commands ending in a fault. The SunSpec tests use a copy of the
// shipped profile with a 4 s revert time (1 s lease) so that waiting past it stays short.

#include <signal.h>

#include <cmath>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace inverter_hold_test {

using namespace std::chrono_literals;

constexpr int kRevertS = 4;

/// The shipped SunSpec profile with a short revert time, written into the site's directory and
/// named in its configuration.
void use_fast_sunspec_profile(Site& site) {
  auto profile = nlohmann::json::parse(
      read_file(std::string(BESSD_SOURCE_DIR) + "/config/profiles/sunspec.json"), nullptr, true,
      true);
  profile["control"]["lease_s"] = 1;
  profile["control"]["revert_timeout_s"] = kRevertS;
  const std::string path = site.dir() + "/sunspec_fast.json";
  write_file(path, profile.dump(2));
  site.patch_config({{"inverter", {{"profile", path}, {"lease_s", 1}}}});
}

nlohmann::json device(Site& site) {
  return site.sim_status().at("inverter").at("device");
}

/// Waits (bounded) until the device has had no control write for the revert time plus 2 s:
/// a timer on the device would have fired by then.
bool wait_past_revert_time(Site& site) {
  return wait_until(
      [&] {
        const std::int64_t last = device(site).at("last_write_ms").get<std::int64_t>();
        return Site::now_ms() - last > (kRevertS + 2) * std::int64_t{1000};
      },
      20s);
}

void stop_bessd(Site& site) {
  site.bessd()->signal(SIGTERM);
  auto exited = site.bessd()->wait(5s);
  ASSERT_TRUE(exited) << site.bessd_output();
  EXPECT_EQ(exited->code, 0) << site.bessd_output();
}

// Fire alarm (latched) -> safe state -> systemctl stop: the hold stays in force past the
// device's revert time. The old safe state was written with a 120 s revert timer and the
// inverter went back to its own self-use afterwards.
TEST(InverterHold, StopWithALatchedFaultStillHoldsAfterTheRevertTime) {
  Site site;
  use_fast_sunspec_profile(site);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "ALM-01").is_null(); }, 5s));
  stop_bessd(site);
  ASSERT_TRUE(wait_past_revert_time(site)) << site.sim("status");
  const auto dev = device(site);
  EXPECT_EQ(dev.at("reverts"), 0) << dev.dump();
  EXPECT_EQ(dev.at("storctl_mod"), 3) << dev.dump();
  EXPECT_EQ(dev.at("rvrt_s"), 0) << dev.dump();
  EXPECT_EQ(dev.at("in_wrte_pct"), 0.0);
  EXPECT_EQ(dev.at("out_wrte_pct"), 0.0);
  // The evening load would discharge the pack in the inverter's own mode: it does not.
  EXPECT_LT(std::fabs(site.sim_status().at("battery_w").get<double>()), 50.0) << site.sim("status");
}

// The other half: a forced target dies with bessd (SIGKILL: no safe state written), because it
// carries the revert timer.
TEST(InverterHold, ForcedTargetRevertsWhenBessdDies) {
  Site site;
  use_fast_sunspec_profile(site);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  EXPECT_EQ(device(site).at("rvrt_s"), kRevertS);
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(5s)) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return device(site).at("reverts").get<int>() >= 1; }, 15s))
      << site.sim("status");
  EXPECT_EQ(device(site).at("storctl_mod"), 0);
}

// inverter.on_stop = release and no fault: the inverter is handed back to its own mode.
TEST(InverterHold, CleanStopWithReleaseHandsTheInverterBack) {
  Site site;
  use_fast_sunspec_profile(site);
  site.patch_config({{"inverter", {{"on_stop", "release"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  stop_bessd(site);
  const auto dev = device(site);
  EXPECT_EQ(dev.at("storctl_mod"), 0) << dev.dump() << "\n" << site.bessd_output();
  EXPECT_EQ(dev.at("rvrt_s"), 0) << dev.dump();
  EXPECT_NE(site.bessd_output().find("released"), std::string::npos) << site.bessd_output();
}

// Victron: while bessd runs, 2705 / 2720 carry the envelope and 2710 the BMS's CVL; a stale
// BMS drives them to 0, never to -1 ("no limit").
TEST(InverterHold, VictronLimitsFollowTheEnvelopeAndBmsStaleMeansZero) {
  SiteOptions o;
  o.profile = "victron_ess";
  o.sim_args = {"--start-hour", "19"};  // evening: no PV, the discharge is not export-limited
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  // The device's write log holds limit windows only (the setpoint steers inside them).
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() < -1000; }, 10s))
      << site.sim("status") << "\n"
      << site.bessd_output();
  ASSERT_TRUE(wait_until(
      [&] {
        const auto dev = device(site);
        return dev.at("max_charge_current_a").get<double>() > 0 &&
               dev.at("max_discharge_power_w").get<double>() > 0 &&
               dev.at("max_charge_voltage_v").get<double>() > 40;
      },
      10s))
      << site.sim("status");
  ASSERT_EQ(site.sim("bms-silence on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto dev = device(site);
        return dev.at("max_charge_current_a").get<double>() == 0 &&
               dev.at("max_discharge_power_w").get<double>() == 0;
      },
      5s))
      << site.sim("status");
  // Stale first (limits 0), then lost (COM-01, the safe state): still 0, never lifted.
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "COM-01").is_null(); }, 10s))
      << site.api("GET", "/v1/status").body.dump();
  const auto dev = device(site);
  EXPECT_EQ(dev.at("max_charge_current_a"), 0) << dev.dump();
  EXPECT_EQ(dev.at("max_discharge_power_w"), 0) << dev.dump();
}

// A device that answers every write with an exception: the driver reports it, the controller
// raises the latched INV-CMD fault after the obey window.
// The BMS lowers its charge-voltage limit below the pack voltage while bessd charges on SunSpec:
// charging stops (OP-V-05) and stays stopped, discharging stays possible, and charging resumes
// once the limit is back above the pack.
TEST(InverterHold, SunSpecStopsChargingAtTheBmsChargeVoltageLimit) {
  Site site;
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 2000}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, charging, 10s)) << site.bessd_output();
  const double pack_v = site.sim_status().at("pack_v").get<double>();
  const std::int64_t lowered = Site::now_us();
  char cmd[32];
  std::snprintf(cmd, sizeof cmd, "cvl %.1f", pack_v - 0.5);
  ASSERT_EQ(site.sim(cmd).rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_for_write(site, lowered, holds_zero, 5s)) << site.sim("writes");
  std::this_thread::sleep_for(3s);
  const std::int64_t settled = Site::now_us();
  std::this_thread::sleep_for(3s);
  EXPECT_FALSE(first_write_after(site.sim_writes(), settled, charging)) << site.sim("writes");
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_EQ(status.at("envelope").at("charge_power_max_w").get<double>(), 0.0) << status.dump();
  EXPECT_NE(status.dump().find("OP-V-05"), std::string::npos) << status.dump();

  const std::int64_t restored = Site::now_us();
  ASSERT_EQ(site.sim("cvl off").rfind("ok", 0), 0U);
  EXPECT_TRUE(wait_for_write(site, restored, charging, 40s)) << site.sim("writes");
}

TEST(InverterHold, InverterRefusingCommandsIsAFault) {
  SiteOptions o;
  o.config_patch = {{"inverter", {{"obey_window_s", 2}}}};
  Site site(o);
  use_fast_sunspec_profile(site);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  ASSERT_EQ(site.sim("inverter-refuse on").rfind("ok", 0), 0U);
  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        fault = fault_in(site.api("GET", "/v1/status").body, "INV-CMD");
        return !fault.is_null();
      },
      15s))
      << site.api("GET", "/v1/status").body.dump() << "\n"
      << site.bessd_output();
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_EQ(status.value("state", ""), "fault") << status.dump();
  auto events = site.api("GET", "/v1/events?limit=200");
  EXPECT_NE(events.body.dump().find("inverter.write_failed"), std::string::npos);
}

}  // namespace inverter_hold_test
}  // namespace bessd::systest
