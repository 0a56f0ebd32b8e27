// A BMS protection flag (internal error): both directions stop at once, the fault latches, an
// acknowledgement is refused while the flag is still set and accepted after it cleared.

#include <cstdio>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

class ProtectionFlag : public ::testing::TestWithParam<const char*> {};

TEST_P(ProtectionFlag, StopsAtOnceLatchesAndAckFollowsTheCause) {
  SiteOptions o;
  o.sim_args = {"--bms-protocol", GetParam()};
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

  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        fault = fault_in(site.api("GET", "/v1/status").body, "OP-FLAG-01");
        return !fault.is_null();
      },
      3s));
  EXPECT_TRUE(fault.value("latched", false)) << fault.dump();

  auto ack = site.api("POST", "/v1/faults/ack");
  ASSERT_EQ(ack.status / 100, 2) << ack.body.dump();
  EXPECT_NE(ack.body.dump().find("OP-FLAG-01"), std::string::npos) << ack.body.dump();
  EXPECT_EQ(ack.body.at("acknowledged").dump().find("OP-FLAG-01"), std::string::npos)
      << ack.body.dump();
  EXPECT_FALSE(fault_in(site.api("GET", "/v1/status").body, "OP-FLAG-01").is_null());
  // Still stopped while latched.
  EXPECT_FALSE(first_write_after(site.sim_writes(), *stopped, discharging)) << site.sim("writes");

  ASSERT_EQ(site.sim("protection off").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto f = fault_in(site.api("GET", "/v1/status").body, "OP-FLAG-01");
        return !f.is_null() && f.value("cause_cleared", false);
      },
      3s))
      << site.api("GET", "/v1/status").body.dump();
  const std::int64_t latched_since = Site::now_us();
  EXPECT_FALSE(first_write_after(site.sim_writes(), *stopped, discharging))
      << "discharge resumed before the acknowledgement";
  ack = site.api("POST", "/v1/faults/ack");
  ASSERT_EQ(ack.status / 100, 2) << ack.body.dump();
  EXPECT_NE(ack.body.at("acknowledged").dump().find("OP-FLAG-01"), std::string::npos)
      << ack.body.dump();
  EXPECT_TRUE(wait_for_write(site, latched_since, discharging, 5s)) << site.bessd_output();
}

// V1.2 carries the flag in 0x359 (Pylon bits), V1.3 in 0x35A (SMA/Victron 2-bit pairs).
INSTANTIATE_TEST_SUITE_P(FrameSets, ProtectionFlag, ::testing::Values("v1.2", "v1.3"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "v1.2" ? "V12" : "V13";
                         });

}  // namespace
}  // namespace bessd::systest
