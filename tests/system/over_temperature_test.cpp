// Over-temperature from the BMS while discharging: the discharge stops at once, the fault
// latches; the acknowledgement is refused while the pack is hot and accepted once it cooled.

#include <cstdio>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace over_temperature_test {

using namespace std::chrono_literals;

bool no_discharge(double lo, double) {
  return lo >= -1.0;
}

TEST(OverTemperature, DischargeStopsLatchedAckAfterCooling) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();

  const std::int64_t injected = Site::now_us();
  ASSERT_EQ(site.sim("over-temp on").rfind("ok", 0), 0U);
  const auto stopped = wait_for_write(site, injected, no_discharge, 2s);
  ASSERT_TRUE(stopped) << site.bessd_output();
  std::printf("over-temperature -> discharge 0 W on the wire: %lld ms\n",
              static_cast<long long>((*stopped - injected) / 1000));
  EXPECT_LE(*stopped - injected, 500 * 1000);

  nlohmann::json status;
  ASSERT_TRUE(wait_until(
      [&] {
        status = site.api("GET", "/v1/status").body;
        return status.contains("active_faults") && !status.at("active_faults").empty();
      },
      3s));
  const auto faults = status.at("active_faults");
  bool latched = false;
  for (const auto& f : faults) latched = latched || f.value("latched", false);
  EXPECT_TRUE(latched) << faults.dump();

  auto ack = site.api("POST", "/v1/faults/ack");
  ASSERT_EQ(ack.status / 100, 2) << ack.body.dump();
  EXPECT_TRUE(ack.body.at("acknowledged").empty()) << ack.body.dump();
  EXPECT_FALSE(ack.body.at("still_active").empty()) << ack.body.dump();

  ASSERT_EQ(site.sim("over-temp off").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& f :
             site.api("GET", "/v1/status").body.value("active_faults", nlohmann::json::array()))
          if (!f.value("cause_cleared", false)) return false;
        return true;
      },
      3s))
      << site.api("GET", "/v1/status").body.dump();
  const std::int64_t cleared = Site::now_us();
  ack = site.api("POST", "/v1/faults/ack");
  ASSERT_EQ(ack.status / 100, 2) << ack.body.dump();
  EXPECT_FALSE(ack.body.at("acknowledged").empty()) << ack.body.dump();
  EXPECT_TRUE(wait_for_write(site, cleared, discharging, 5s)) << site.bessd_output();
}

}  // namespace over_temperature_test
}  // namespace bessd::systest
