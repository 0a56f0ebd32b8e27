// The owner's reserve and charge target (docs/api.md "PUT /v1/settings") on a running site:
// they narrow the state-of-charge window at once, are kept across kill -9, are audited, and are
// refused outside the installer's window with nothing changed.

#include <signal.h>

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace owner_settings_test {

using namespace std::chrono_literals;

void kill_bessd(Site& site) {
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(5s)) << site.bessd_output();
  site.forget_bessd();
}

std::string operating_text(Site& site) {
  return status_of(site).value("operating_reason", nlohmann::json::object()).value("text", "");
}

int audit_count(Site& site, const std::string& action, const std::string& outcome) {
  const auto reply = site.api("GET", "/v1/audit?limit=100");
  int n = 0;
  for (const auto& rec : reply.body.value("records", nlohmann::json::array()))
    if (rec.value("action", "") == action && rec.value("outcome", "") == outcome) ++n;
  return n;
}

// The evening site discharges to cover the house. A reserve raised above the present SOC stops
// that at once, says whose reserve it is, survives kill -9, and null gives the discharge back.
TEST(OwnerSettings, ARaisedReserveHoldsTheBatteryAcrossKill) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const double soc = status_of(site).at("pack").at("soc_pct").get<double>();
  const double reserve = std::ceil(soc) + 5.0;
  ASSERT_LT(reserve, 100.0);

  // Taken before the write: the step it runs writes the inverter before the answer.
  const std::int64_t set_at = Site::now_us();
  const auto put =
      site.api("PUT", "/v1/settings", R"({"reserve_soc_pct": )" + std::to_string(reserve) + "}");
  ASSERT_EQ(put.status, 200) << put.body.dump();
  EXPECT_EQ(put.body.at("reserve_soc_pct").at("source"), "owner") << put.body.dump();
  EXPECT_NE(put.body.value("message", "").find("discharging stops at"), std::string::npos);
  EXPECT_TRUE(wait_for_write(site, set_at, holds_zero, 5s)) << site.sim("writes");
  auto s = status_of(site);
  EXPECT_DOUBLE_EQ(s.at("reserve_soc_pct").get<double>(), reserve) << s.dump();
  EXPECT_TRUE(
      wait_until([&] { return operating_text(site).find("the owner's") != std::string::npos; }, 5s))
      << operating_text(site);
  EXPECT_EQ(audit_count(site, "settings", "requested"), 1);
  EXPECT_EQ(audit_count(site, "settings", "accepted"), 1);

  kill_bessd(site);
  const std::int64_t restarted = Site::now_us();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  EXPECT_TRUE(wait_for_write(site, restarted, holds_zero, 5s)) << site.sim("writes");
  EXPECT_FALSE(first_write_after(site.sim_writes(), restarted, discharging)) << site.sim("writes");
  const auto got = site.api("GET", "/v1/settings");
  ASSERT_EQ(got.status, 200) << got.body.dump();
  EXPECT_DOUBLE_EQ(got.body.at("reserve_soc_pct").at("effective_pct").get<double>(), reserve);
  EXPECT_TRUE(got.body.at("set_by").is_string()) << got.body.dump();

  // Below the installer's floor: refused, named, audited, nothing changed.
  const auto low = site.api("PUT", "/v1/settings", R"({"reserve_soc_pct": 2})");
  EXPECT_EQ(low.status, 422) << low.body.dump();
  EXPECT_NE(low.body.dump().find("control.min_soc_pct"), std::string::npos) << low.body.dump();
  EXPECT_DOUBLE_EQ(status_of(site).at("reserve_soc_pct").get<double>(), reserve);
  EXPECT_EQ(audit_count(site, "settings", "refused"), 1);

  // Back to the configuration's reserve: the house is covered from the battery again.
  const std::int64_t reset_at = Site::now_us();
  const auto back = site.api("PUT", "/v1/settings", R"({"reserve_soc_pct": null})");
  ASSERT_EQ(back.status, 200) << back.body.dump();
  EXPECT_EQ(back.body.at("reserve_soc_pct").at("source"), "configuration");
  EXPECT_TRUE(wait_for_write(site, reset_at, discharging, 10s)) << site.sim("writes");
}

// A charge target at the present SOC stops a manual charge; the rest of the window is kept.
TEST(OwnerSettings, ATargetStopsChargingWhereTheOwnerSaid) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  const std::int64_t manual_at = Site::now_us();
  auto put = site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":1500})");
  ASSERT_EQ(put.status, 200) << put.body.dump();
  ASSERT_TRUE(wait_for_write(site, manual_at, charging, 10s)) << site.sim("writes");
  const double soc = status_of(site).at("pack").at("soc_pct").get<double>();
  const double target = std::floor(soc);
  const std::int64_t target_at = Site::now_us();
  put = site.api("PUT", "/v1/settings", R"({"target_soc_pct": )" + std::to_string(target) + "}");
  ASSERT_EQ(put.status, 200) << put.body.dump();
  EXPECT_EQ(put.body.at("target_soc_pct").at("source"), "owner") << put.body.dump();
  EXPECT_EQ(put.body.at("reserve_soc_pct").at("source"), "configuration") << put.body.dump();
  EXPECT_TRUE(wait_for_write(site, target_at, holds_zero, 5s)) << site.sim("writes");
  EXPECT_TRUE(wait_until(
      [&] { return operating_text(site).find("charge target") != std::string::npos; }, 5s))
      << operating_text(site);
  // A reserve at or above the target is refused: the battery would be pinned between them.
  const auto pinned =
      site.api("PUT", "/v1/settings", R"({"reserve_soc_pct": )" + std::to_string(target) + "}");
  EXPECT_EQ(pinned.status, 422) << pinned.body.dump();
}

}  // namespace owner_settings_test
}  // namespace bessd::systest
