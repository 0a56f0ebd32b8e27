// The fire-alarm input (ALM-01): the battery is commanded to 0 W at once; the time from the
// input changing to the command on the wire is measured.

#include <cstdio>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace fire_alarm_test {

using namespace std::chrono_literals;

TEST(FireAlarm, SafeCommandOnTheWireWithinOnePollAndStep) {
  Site site;  // fire_alarm enabled in demo.json, polled every 50 ms here
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();

  const std::int64_t raised = Site::now_us();  // just before: the figure includes the command
  const auto reply = site.sim("fire-alarm on");
  ASSERT_EQ(reply.rfind("ok ", 0), 0U) << reply;
  const auto safe = wait_for_write(site, raised, holds_zero, 2s);
  ASSERT_TRUE(safe) << site.sim("writes") << "\n" << site.bessd_output();
  std::printf("fire alarm input -> 0 W on the wire: %lld ms (input polled every 50 ms)\n",
              static_cast<long long>((*safe - raised) / 1000));
  EXPECT_LE(*safe - raised, (50 + 250) * 1000);
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "ALM-01").is_null(); }, 2s));
}

}  // namespace fire_alarm_test
}  // namespace bessd::systest
