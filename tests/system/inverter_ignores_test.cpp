// An inverter that acknowledges writes but keeps running its own mode (docs/protection.md,
// "Inverter not obeying"): at noon its self-use charges from the PV surplus far beyond the small
// charge bessd commands. bessd confirms the non-obey in the charge direction, blocks charging
// (discharging stays allowed), and latches OP-I-01 because the inverter keeps charging after the
// block. Victron ESS profile: it reports the battery power with a declared sign. The same when
// bessd commands no charge at all (SunSpec, with the fire alarm latched).

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace inverter_ignores_test {

using namespace std::chrono_literals;

TEST(InverterIgnores, ChargeNonObeyBlocksChargingThenLatches) {
  SiteOptions o;
  o.profile = "victron_ess";
  o.sim_args = {"--start-hour", "12"};
  o.config_patch = {{"inverter", {{"obey_window_s", 2}, {"obey_tolerance_w", 300}}},
                    {"control", {{"manual_setpoint_w", 300}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 200; }, 10s))
      << site.sim("status") << "\n"
      << site.bessd_output();

  ASSERT_EQ(site.sim("inverter-ignore on").rfind("ok", 0), 0U);
  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        fault = fault_in(site.api("GET", "/v1/status").body, "OP-I-01");
        return !fault.is_null();
      },
      15s))
      << site.sim("status") << "\n"
      << site.api("GET", "/v1/status").body.dump() << "\n"
      << site.bessd_output();
  EXPECT_TRUE(fault.value("latched", false)) << fault.dump();
  EXPECT_TRUE(fault_in(site.api("GET", "/v1/status").body, "OP-I-02").is_null())
      << "the discharge direction was never commanded: never judged";
  // The driver's own warning can trail OP-I-01 by one obey window: when the controller's verdict
  // lands a few milliseconds first, the new command (0 W) restarts the driver's window.
  ApiResponse events;
  EXPECT_TRUE(wait_until(
      [&] {
        events = site.api("GET", "/v1/events?limit=200");
        return events.status == 200 &&
               events.body.dump().find("inverter.not_obeying") != std::string::npos;
      },
      10s))
      << events.body.dump();
}

// Red team 15 R1. A SunSpec inverter that left remote control runs its own self-use and charges
// from the PV surplus while bessd holds 0 W, here with the fire alarm latched. The profile gives
// no battery power with a known sign: the BMS's V x I shows the charge, and although bessd
// commanded none, the non-obey latches OP-I-01 next to ALM-01 rather than status saying 0 W.
TEST(InverterIgnores, ChargingWhileAFireAlarmHoldsZeroIsNoticed) {
  SiteOptions o;
  o.sim_args = {"--start-hour", "12"};
  o.config_patch = {{"inverter", {{"obey_window_s", 2}, {"obey_tolerance_w", 300}}},
                    {"control", {{"mode", "idle"}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, holds_zero, 10s)) << site.bessd_output();
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "ALM-01").is_null(); }, 5s));
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
  ASSERT_EQ(site.sim("inverter-ignore on").rfind("ok", 0), 0U);
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() > 1000; }, 10s))
      << site.sim("status");
  nlohmann::json fault;
  ASSERT_TRUE(wait_until(
      [&] {
        fault = fault_in(site.api("GET", "/v1/status").body, "OP-I-01");
        return !fault.is_null() && fault.value("latched", false);
      },
      15s))
      << site.sim("status") << "\n"
      << site.api("GET", "/v1/status").body.dump();
  const auto status = site.api("GET", "/v1/status").body;
  EXPECT_FALSE(fault_in(status, "ALM-01").is_null()) << status.dump();
  EXPECT_NE(fault.value("message", "").find("charges at"), std::string::npos) << fault.dump();
}

}  // namespace inverter_ignores_test
}  // namespace bessd::systest
