// A BMS protection flag (internal error): both directions stop at once; the flag does not latch
// (docs/protection.md) and power returns by itself once the BMS clears it.

#include <cstdio>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace protection_flag_test {

using namespace std::chrono_literals;

class ProtectionFlag : public ::testing::TestWithParam<const char*> {};

// docs/protection.md: a BMS internal error blocks both directions but does not latch; power
// returns by itself (through OP-HYST-01) once the BMS clears it, with no acknowledgement.
TEST_P(ProtectionFlag, StopsAtOnceAndResumesWhenTheBmsClearsIt) {
  SiteOptions o;
  o.sim_args = {"--bms-protocol", GetParam()};
  o.config_patch = {{"limits", {{"hysteresis_hold_s", 2}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();

  const std::int64_t injected = Site::now_us();
  ASSERT_EQ(site.sim("protection on").rfind("ok", 0), 0U);
  const auto stopped = wait_for_write(site, injected, holds_zero, 2s);
  ASSERT_TRUE(stopped) << site.bessd_output();
  std::printf(
      "protection flag (%s) -> 0 W on the wire: %lld ms (includes up to one BMS period, "
      "100 ms)\n",
      GetParam(), static_cast<long long>((*stopped - injected) / 1000));
  EXPECT_LE(*stopped - injected, (100 + 400) * 1000);
  // Not a latched fault: nothing to acknowledge.
  const auto status = site.api("GET", "/v1/status").body;
  for (const auto& f : status.value("active_faults", nlohmann::json::array()))
    EXPECT_FALSE(f.value("latched", false)) << f.dump();

  ASSERT_EQ(site.sim("protection off").rfind("ok", 0), 0U);
  const std::int64_t cleared = Site::now_us();
  EXPECT_TRUE(wait_for_write(site, cleared, discharging, 10s))
      << "discharging did not come back by itself\n"
      << site.bessd_output();
}

// V1.2 carries the flag in 0x359 (Pylon bits), V1.3 in 0x35A (SMA/Victron 2-bit pairs).
INSTANTIATE_TEST_SUITE_P(FrameSets, ProtectionFlag, ::testing::Values("v1.2", "v1.3"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "v1.2" ? "V12" : "V13";
                         });

}  // namespace protection_flag_test
}  // namespace bessd::systest
