// A prohibited location (bedroom, PAS 63100): bessd stays up, the API explains the block, and
// the inverter is held at 0 W.

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

TEST(ComplianceBlock, DaemonUpApiExplainsInverterAtZero) {
  SiteOptions o;
  o.config_patch = {{"site", {{"location", "bedroom"}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  nlohmann::json status;
  ASSERT_TRUE(wait_until(
      [&] {
        auto r = site.api("GET", "/v1/status");
        status = r.body;
        return r.status == 200;
      },
      5s));
  ASSERT_TRUE(status.contains("compliance")) << status.dump();
  EXPECT_EQ(status.at("compliance").value("verdict", ""), "block") << status.dump();
  EXPECT_NE(status.at("compliance").dump().find("PAS-LOC-01"), std::string::npos) << status.dump();

  const auto report = site.api("GET", "/v1/compliance");
  ASSERT_EQ(report.status, 200);
  bool explained = false;
  for (const auto& f : report.body.at("findings"))
    explained = explained || (f.value("rule_id", "") == "PAS-LOC-01" &&
                              f.value("verdict", "") == "block" && !f.value("message", "").empty());
  EXPECT_TRUE(explained) << report.body.dump();

  EXPECT_TRUE(wait_for_write(site, 0, holds_zero, 5s)) << site.sim("writes");
  ASSERT_TRUE(wait_until(
      [&] { return std::abs(site.sim_status().at("battery_w").get<double>()) < 20.0; }, 5s))
      << site.sim("status");
  // Never a forced power in either direction (a write may transiently leave the window open
  // before StorCtl_Mod applies the rates, but none may push the battery).
  const auto writes = site.sim_writes();
  ASSERT_FALSE(writes.empty());
  for (const auto& w : writes)
    EXPECT_TRUE(w.at("lo_w").get<double>() <= 1.0 && w.at("hi_w").get<double>() >= -1.0)
        << w.dump();
  EXPECT_TRUE(holds_zero(writes.back().at("lo_w"), writes.back().at("hi_w")))
      << writes.back().dump();
}

}  // namespace
}  // namespace bessd::systest
