// A Fox ESS H1 on the simulated site (docs/profiles.md, `foxess_h1`): bessd drives the remote
// control (44000 enable, 44001 watchdog, 44002 active power at the AC port, each by FC06) of
// bess-sim's Fox device, written from public register descriptions independently of the profile.
// Power flows both ways through an AC power derived from the PV; the device refuses FC16 there,
// so none of bessd's writes may be refused; the watchdog never runs out while bessd runs; a stop
// holds the battery still until the watchdog hands it back to the inverter's own work mode.

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace foxess_inverter_test {

using namespace std::chrono_literals;

TEST(FoxEssInverter, PowerBothWaysThroughTheAcPowerAndAStopHoldsUntilTheWatchdog) {
  SiteOptions options;
  options.profile = "foxess_h1";
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1200}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // The battery at bessd's commanded power (its envelope may hold the setpoint back), through
  // the AC power; the device's discharge-positive battery power read in bessd's sign.
  nlohmann::json dev;
  const std::string failed = site.charge_then_discharge(
      [](const nlohmann::json& d) { return d.at("remote_control").at("enabled") == true; }, dev);
  ASSERT_TRUE(failed.empty()) << failed;
  EXPECT_EQ(dev.at("rejected_writes"), 0) << dev.dump();
  EXPECT_EQ(dev.at("timeouts_fired"), 0) << "fed while bessd runs: " << dev.dump();
  EXPECT_EQ(dev.at("remote_control").at("timeout_s"), 60) << dev.dump();
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // A stop holds: remote control with all PV out and the battery still.
  EXPECT_EQ(site.stop_bessd(), 0) << site.bessd_output();
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("remote_control").at("enabled"), true) << dev.dump();
  EXPECT_TRUE(site.battery_settles_at_zero(100)) << site.sim_status().dump();
}

}  // namespace foxess_inverter_test
}  // namespace bessd::systest
