// A GoodWe ET on the simulated site (docs/profiles.md, `goodwe_et`): bessd drives the EMS power
// mode (47511) and power (47512) of bess-sim's GoodWe device, written from the vendor's public
// register descriptions independently of the profile. Power flows both ways, a stop leaves the
// battery at 0 W (a charge at 0 W), and the status says the profile was never checked on
// hardware.

#include <cmath>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace goodwe_inverter_test {

using namespace std::chrono_literals;

constexpr int kChargeBattery = 0x0B;
constexpr int kDischargeBattery = 0x0C;

TEST(GoodWeInverter, PowerBothWaysThroughTheEmsModeAndAStopLeavesZeroWatts) {
  SiteOptions options;
  options.profile = "goodwe_et";
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1200}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  ASSERT_TRUE(wait_for_write(site, 0, charging, 15s)) << site.sim("writes") << site.bessd_output();
  // The mode says the direction, the power register how much bessd commands (its envelope may
  // hold the manual setpoint back).
  nlohmann::json dev;
  nlohmann::json status;
  const auto device_follows = [&](int mode) {
    dev = site.inverter_device();
    status = site.api("GET", "/v1/status").body;
    const double commanded = status.at("commanded_power_w").get<double>();
    return dev.at("ems_mode") == mode && dev.at("ems_power_set_w").get<double>() > 100 &&
           std::abs(dev.at("ems_power_set_w").get<double>() - std::abs(commanded)) < 60;
  };
  ASSERT_TRUE(wait_until([&] { return device_follows(kChargeBattery); }, 10s)) << dev.dump() << "\n"
                                                                               << status.dump();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 100; }, 10s))
      << site.sim_status().dump();
  ASSERT_TRUE(site.inverter_reads_battery(+1, status))
      << "the device's discharge-positive battery power, in bessd's sign: " << status.dump();

  const std::int64_t discharge_asked = Site::now_us();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-900})").status, 200);
  ASSERT_TRUE(wait_for_write(site, discharge_asked, discharging, 10s)) << site.sim("writes");
  ASSERT_TRUE(wait_until([&] { return device_follows(kDischargeBattery); }, 10s))
      << dev.dump() << "\n"
      << status.dump();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() < -100; }, 10s))
      << site.sim_status().dump();

  // The profile is "documented": said in the status's warnings.
  status = site.api("GET", "/v1/status").body;
  EXPECT_NE(status.at("warnings").dump().find("inverter.profile_unverified"), std::string::npos)
      << status.at("warnings").dump();
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // A stop holds: the battery charged at 0 W.
  EXPECT_EQ(site.stop_bessd(), 0) << site.bessd_output();
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("ems_mode"), kChargeBattery) << dev.dump();
  EXPECT_EQ(dev.at("ems_power_set_w"), 0) << dev.dump();
  EXPECT_TRUE(site.battery_settles_at_zero(50)) << site.sim_status().dump();
}

}  // namespace goodwe_inverter_test
}  // namespace bessd::systest
