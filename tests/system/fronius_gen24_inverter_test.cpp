// A Fronius GEN24 Plus on the simulated site (docs/profiles.md, `fronius_gen24`): bessd drives
// model 124 of bess-sim's GEN24 variant of its SunSpec device, written from Fronius's register
// map and manual independently of the profile: model 124 after 160, no model 802 (the battery
// power from model 160's modules 3 and 4), auto-scaled scale factors, a power window the device
// refuses with exception 03 (here judged after each register of a request, the stricter reading),
// a revert timer it keeps across a restart. Power flows both ways,
// nothing bessd writes is refused or ignored, ChaGriSet is never written, the revert timer (the
// same 120 s in every state) only once, and a stop leaves a hold that the timer ends.

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace fronius_gen24_inverter_test {

using namespace std::chrono_literals;

int writes_to(const nlohmann::json& dev, const std::string& point) {
  const auto& w = dev.at("register_writes");
  return w.contains(point) ? w.at(point).get<int>() : 0;
}

TEST(FroniusGen24Inverter, PowerBothWaysWithoutARefusedWriteAndTheTimerWrittenOnce) {
  SiteOptions options;
  options.profile = "fronius_gen24";
  options.sim_profile = "sunspec";
  // The stricter device: the window judged after each register, so that no request may close it
  // halfway (bessd orders the two rates; docs/profiles.md "Control", sunspec_storage).
  options.sim_args = {"--sunspec-variant", "fronius_gen24", "--gen24-window-check", "per_register"};
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1200}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // The battery read from model 160: module 3 charging, module 4 discharging.
  nlohmann::json dev;
  const std::string failed = site.charge_then_discharge(
      [](const nlohmann::json& d) { return d.at("storctl_mod") == 3; }, dev);
  ASSERT_TRUE(failed.empty()) << failed;
  EXPECT_EQ(dev.at("refused_writes"), 0) << dev.dump();
  EXPECT_EQ(dev.at("refused_windows"), 0) << dev.dump();
  EXPECT_TRUE(dev.at("ignored_writes").empty())
      << "nothing written to a read-only point: " << dev.dump();
  EXPECT_EQ(writes_to(dev, "ChaGriSet"), 0) << dev.dump();
  // 120 s with the safe state, the charge and the discharge: a stored setting, written once.
  EXPECT_EQ(writes_to(dev, "InOutWRte_RvrtTms"), 1) << dev.dump();
  EXPECT_EQ(dev.at("rvrt_s"), 120) << dev.dump();
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_TRUE(status.at("active_faults").empty()) << status.dump();

  // A stop holds: both rates 0 under storage control, until the timer hands the battery back
  // to the inverter's own management.
  EXPECT_EQ(site.stop_bessd(), 0) << site.bessd_output();
  dev = site.inverter_device();
  EXPECT_EQ(dev.at("storctl_mod"), 3) << dev.dump();
  EXPECT_EQ(dev.at("rvrt_s"), 120) << dev.dump();
  EXPECT_EQ(writes_to(dev, "InOutWRte_RvrtTms"), 1) << dev.dump();
  EXPECT_EQ(dev.at("in_wrte_pct"), 0.0) << dev.dump();
  EXPECT_EQ(dev.at("out_wrte_pct"), 0.0) << dev.dump();
  EXPECT_EQ(dev.at("refused_windows"), 0) << "the hold from a discharge: " << dev.dump();
  EXPECT_TRUE(site.battery_settles_at_zero(100)) << site.sim_status().dump();
}

}  // namespace fronius_gen24_inverter_test
}  // namespace bessd::systest
