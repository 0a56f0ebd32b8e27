// An inverter that acknowledges writes but keeps running its own mode: bessd sees the measured
// battery power leave the commanded band, raises "inverter.not_obeying" (INV-OBEY) and goes to
// the safe state. Victron ESS profile: it reports the battery power with a declared sign.

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

TEST(InverterIgnores, NotObeyingLeadsToTheSafeState) {
  SiteOptions o;
  o.profile = "victron_ess";
  // Evening: the inverter's own self-use would discharge into the load; bessd commands a charge.
  o.sim_args = {"--start-hour", "19"};
  o.config_patch = {{"inverter", {{"obey_window_s", 2}, {"obey_tolerance_w", 300}}},
                    {"control", {{"manual_setpoint_w", 1500}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 1000; }, 10s))
      << site.sim("status") << "\n"
      << site.bessd_output();

  const std::int64_t ignored = Site::now_us();
  ASSERT_EQ(site.sim("inverter-ignore on").rfind("ok", 0), 0U);
  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        fault = fault_in(site.api("GET", "/v1/status").body, "INV-OBEY");
        return !fault.is_null();
      },
      8s))
      << site.sim("status") << "\n"
      << site.api("GET", "/v1/status").body.dump() << "\n"
      << site.bessd_output();
  EXPECT_TRUE(wait_for_write(site, ignored, holds_zero, 3s)) << site.sim("writes");
  auto events = site.api("GET", "/v1/events?limit=200");
  ASSERT_EQ(events.status, 200);
  EXPECT_NE(events.body.dump().find("inverter.not_obeying"), std::string::npos)
      << events.body.dump();
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_NE(status.value("state", ""), "running");
  for (const auto& l : status.at("links"))
    if (l.at("name") == "inverter") {
      EXPECT_GE(l.at("error_count").get<int>(), 1) << l.dump();
    }
}

}  // namespace
}  // namespace bessd::systest
