// An inverter power cycle loses its model 124 setpoint; bessd re-asserts it within one lease.

#include <cstdio>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace inverter_restart_test {

using namespace std::chrono_literals;

TEST(InverterRestart, SetpointReassertedWithinOneLease) {
  SiteOptions o;
  o.config_patch = {{"inverter", {{"lease_s", 2}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  // Let the ramp settle so the re-assertion is a pure lease refresh.
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() < -1400; }, 10s));

  const std::int64_t restarted = Site::now_us();
  ASSERT_EQ(site.sim("inverter-restart").rfind("ok", 0), 0U);
  EXPECT_EQ(site.sim_status().at("inverter").at("mode"), "self_use");
  const auto again = wait_for_write(site, restarted, discharging, 5s);
  ASSERT_TRUE(again) << site.bessd_output();
  std::printf("inverter restart -> setpoint re-asserted after %lld ms (lease 2000 ms)\n",
              static_cast<long long>((*again - restarted) / 1000));
  EXPECT_LE(*again - restarted, (2000 + 300) * 1000);
  EXPECT_TRUE(
      wait_until([&] { return site.sim_status().at("inverter").at("mode") == "remote"; }, 2s));
}

}  // namespace inverter_restart_test
}  // namespace bessd::systest
