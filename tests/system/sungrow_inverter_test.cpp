// A Sungrow SH hybrid on the simulated site (docs/profiles.md, `sungrow_sh`): bessd drives the
// forced EMS mode (register 13050 = 2) and the charge/discharge command and power (13051, 13052)
// of bess-sim's Sungrow device, written from Sungrow's protocol independently of the profile.
// Power flows both ways with the device's signed battery power left unused (its sign changed with
// the firmware); none of bessd's writes is refused; the stored settings are written only on
// change; a stop leaves forced mode stopped at 0 W.

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace sungrow_inverter_test {

using namespace std::chrono_literals;

constexpr int kForcedMode = 2;
constexpr int kCharge = 0xAA;
constexpr int kDischarge = 0xBB;
constexpr int kStop = 0xCC;

TEST(SungrowInverter, PowerBothWaysInForcedModeAndAStopLeavesItStopped) {
  SiteOptions options;
  options.profile = "sungrow_sh";
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1200}}},
                     {"inverter", {{"lease_s", 2}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  nlohmann::json dev;
  nlohmann::json status;
  // The command and power follow bessd's commanded power (its envelope may hold it back).
  const auto command_follows = [&](int code) {
    dev = site.inverter_device();
    status = site.api("GET", "/v1/status").body;
    if (!status.at("commanded_power_w").is_number()) return false;  // nothing commanded yet
    const double commanded = std::abs(status.at("commanded_power_w").get<double>());
    const double power = dev.at("power_w").get<double>();
    return dev.at("ems_mode") == kForcedMode && dev.at("command") == code && power > 100 &&
           std::abs(power - commanded) < 60;
  };
  ASSERT_TRUE(wait_until([&] { return command_follows(kCharge); }, 20s))
      << dev.dump() << "\n"
      << status.dump() << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 100; }, 10s))
      << site.sim_status().dump();

  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-900})").status, 200);
  ASSERT_TRUE(wait_until([&] { return command_follows(kDischarge); }, 10s)) << dev.dump() << "\n"
                                                                            << status.dump();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() < -100; }, 10s))
      << site.sim_status().dump();

  // Leases every 2 s for a while: the stored mode is read, not written again; the command and
  // power are written only when the commanded power moves (the envelope follows the pack).
  std::this_thread::sleep_for(5s);
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("register_writes").at("13050"), 1) << "forced mode, written once";
  EXPECT_EQ(dev.at("unchanged_writes").at("13052"), 0)
      << "no power written to re-assert it: " << dev.dump();
  EXPECT_EQ(dev.at("rejected_writes"), 0) << dev.dump();

  status = site.api("GET", "/v1/status").body;
  EXPECT_TRUE(status.at("inverter").at("battery_power_w").is_null())
      << "a battery power whose sign the firmware decides is not shown: " << status.dump();
  EXPECT_NE(status.at("warnings").dump().find("inverter.profile_unverified"), std::string::npos)
      << status.at("warnings").dump();
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // A stop holds: forced mode, stopped, 0 W.
  EXPECT_EQ(site.stop_bessd(), 0) << site.bessd_output();
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("ems_mode"), kForcedMode) << dev.dump();
  EXPECT_EQ(dev.at("command"), kStop) << dev.dump();
  EXPECT_EQ(dev.at("power_w"), 0) << dev.dump();
  EXPECT_TRUE(site.battery_settles_at_zero(50)) << site.sim_status().dump();
}

}  // namespace sungrow_inverter_test
}  // namespace bessd::systest
