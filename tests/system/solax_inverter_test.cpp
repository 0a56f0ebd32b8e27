// A SolaX X1-Hybrid G4 on the simulated site (docs/profiles.md, `solax_gen4`): bessd unlocks the
// device (FC06 0x0000 = 2014) and drives remote-control mode 1 through the whole block at 0x7C
// (FC16) of bess-sim's SolaX device, written from SolaX's protocol independently of the profile.
// The device refuses every write before the unlock and every partial block, and shows the block
// only among its input registers from 0x100; its holding registers at 0x7C read firmware words.
// Power flows both ways through an AC power derived from the PV, none of bessd's writes is
// refused, mode 1 never runs out while bessd runs, no EEPROM-backed register is written, and a
// release hands the inverter back to its own work mode at once.

#include <cmath>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace solax_inverter_test {

using namespace std::chrono_literals;

TEST(SolaxInverter, PowerBothWaysInModeOneAndAReleaseEndsRemoteControl) {
  SiteOptions options;
  options.profile = "solax_gen4";
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1200}}},
                     {"inverter", {{"on_stop", "release"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // The battery at bessd's commanded power (its envelope may hold the setpoint back), through
  // the AC power; the device's charge-positive battery power read in bessd's sign.
  nlohmann::json dev;
  const std::string failed = site.charge_then_discharge(
      [](const nlohmann::json& d) { return d.at("remote_mode") == 1; }, dev);
  ASSERT_TRUE(failed.empty()) << failed;
  EXPECT_EQ(dev.at("lock"), "unlocked") << dev.dump();
  EXPECT_EQ(dev.at("refused_locked_writes"), 0) << "unlocked before every write: " << dev.dump();
  EXPECT_EQ(dev.at("refused_partial_writes"), 0) << "the block is written whole: " << dev.dump();
  EXPECT_EQ(dev.at("refused_values"), 0) << dev.dump();
  EXPECT_EQ(dev.at("fc06_block_writes"), 0) << dev.dump();
  EXPECT_EQ(dev.at("expiries"), 0) << "mode 1 renewed while bessd runs: " << dev.dump();
  EXPECT_TRUE(dev.at("eeprom_writes").empty()) << dev.dump();
  EXPECT_EQ(dev.at("duration_s"), 20) << dev.dump();
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // A release: remote control off at once, the inverter's own work mode.
  EXPECT_EQ(site.stop_bessd(), 0) << site.bessd_output();
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("remote_mode"), 0) << dev.dump() << site.bessd_output();
  EXPECT_EQ(dev.at("disable_writes"), 1) << dev.dump();
  EXPECT_EQ(dev.at("refused_partial_writes"), 0) << dev.dump();
}

}  // namespace solax_inverter_test
}  // namespace bessd::systest
