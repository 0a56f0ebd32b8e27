// Garbage on the SLCAN stream (random bytes, short frames, bad hex, over-long lines) between
// valid broadcasts: bessd rejects the junk, keeps the BMS link up and keeps controlling.

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace garbage_frames_test {

using namespace std::chrono_literals;

TEST(GarbageFrames, RejectedWithoutLosingTheBms) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::int64_t since = Site::now_us();
  ASSERT_EQ(site.sim("garbage on").rfind("ok", 0), 0U);
  // 2 s of junk with every 100 ms broadcast.
  const std::int64_t until = Site::now_ms() + 2000;
  while (Site::now_ms() < until) {
    const auto status = site.api("GET", "/v1/status").body;
    ASSERT_TRUE(status.contains("links")) << status.dump();
    for (const auto& l : status.at("links"))
      if (l.value("name", "") == "bms") {
        EXPECT_EQ(l.value("state", ""), "up") << l.dump();
      }
    wait_until([] { return false; }, 100ms);
  }
  EXPECT_FALSE(first_write_after(site.sim_writes(), since, holds_zero)) << site.sim("writes");
  EXPECT_LT(site.sim_status().at("battery_w").get<double>(), -1000);
  // The rejected lines are reported (once, then counted), not silently dropped.
  const auto events = site.api("GET", "/v1/events?limit=1000");
  ASSERT_EQ(events.status, 200);
  EXPECT_NE(events.body.dump().find("can.malformed_input"), std::string::npos)
      << site.api("GET", "/v1/status").body.at("links").dump();
}

}  // namespace garbage_frames_test
}  // namespace bessd::systest
