// A Sofar HYD G3 on the simulated site (docs/profiles.md, `sofar_hyd_g3`): bessd drives the
// passive mode (0x1110 = 3) and the battery power window (0x1187..0x118C, one request) of
// bess-sim's Sofar device, written from public register descriptions independently of the
// profile. Power flows both ways; the device refuses any write that is not the whole window, so
// none may be refused; the mode, kept in EEPROM, is written once; a stop leaves the window at
// 0..0.

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace sofar_inverter_test {

using namespace std::chrono_literals;

constexpr int kPassiveMode = 3;

TEST(SofarInverter, PowerBothWaysThroughThePassiveWindowAndAStopLeavesItClosed) {
  SiteOptions options;
  options.profile = "sofar_hyd_g3";
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1200}}},
                     {"inverter", {{"lease_s", 2}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  nlohmann::json dev;
  nlohmann::json status;
  // The window closed on bessd's commanded power (its envelope may hold the setpoint back).
  const auto window_follows = [&](int sign) {
    dev = site.inverter_device();
    status = site.api("GET", "/v1/status").body;
    if (!status.at("commanded_power_w").is_number()) return false;  // nothing commanded yet
    const double commanded = status.at("commanded_power_w").get<double>();
    const auto& passive = dev.at("passive");
    const double lo = passive.at("battery_min_w").get<double>();
    const double hi = passive.at("battery_max_w").get<double>();
    return dev.at("energy_storage_mode") == kPassiveMode && lo == hi && sign * lo > 100 &&
           std::abs(lo - commanded) < 60;
  };
  ASSERT_TRUE(wait_until([&] { return window_follows(+1); }, 20s))
      << dev.dump() << "\n"
      << status.dump() << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 100; }, 10s))
      << site.sim_status().dump();
  ASSERT_TRUE(site.inverter_reads_battery(+1, status))
      << "the device's charge-positive battery power, in bessd's sign: " << status.dump();

  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-900})").status, 200);
  ASSERT_TRUE(wait_until([&] { return window_follows(-1); }, 10s)) << dev.dump() << "\n"
                                                                   << status.dump();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() < -100; }, 10s))
      << site.sim_status().dump();

  // Leases every 2 s for a while: the stored mode and window are read, not written again, and
  // the device never saw a part of its window.
  const auto writes_before = site.inverter_device().at("register_writes");
  std::this_thread::sleep_for(5s);
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("register_writes").at("0x1110"), writes_before.at("0x1110")) << dev.dump();
  EXPECT_EQ(dev.at("register_writes").at("0x1110"), 1) << "passive mode, written once";
  EXPECT_EQ(dev.at("rejected_writes"), 0) << dev.dump();
  EXPECT_EQ(dev.at("register_writes").at("0x1184"), 0) << "bessd leaves the timeout alone";

  status = site.api("GET", "/v1/status").body;
  EXPECT_NE(status.at("warnings").dump().find("inverter.profile_unverified"), std::string::npos)
      << status.at("warnings").dump();
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // A stop holds: passive mode, the window closed at 0 W.
  EXPECT_EQ(site.stop_bessd(), 0) << site.bessd_output();
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("energy_storage_mode"), kPassiveMode) << dev.dump();
  EXPECT_EQ(dev.at("passive").at("battery_min_w"), 0) << dev.dump();
  EXPECT_EQ(dev.at("passive").at("battery_max_w"), 0) << dev.dump();
  EXPECT_TRUE(site.battery_settles_at_zero(50)) << site.sim_status().dump();
}

}  // namespace sofar_inverter_test
}  // namespace bessd::systest
