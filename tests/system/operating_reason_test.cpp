// The operating reason (docs/api.md "Operating reason") on a simulated site: each step of a day
// an owner sees gives the code and a sentence that says why, from the real devices' figures.
// Two sites stand for a day: mid-morning (PV above the house load) and the evening peak (no PV).
#include <string>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace operating_reason_test {

using namespace std::chrono_literals;

std::string text_of(const nlohmann::json& status) {
  return status.at("operating_reason").at("text").get<std::string>();
}

// Waits until the operating reason has `code` and its text has `words`; the last status either
// way.
nlohmann::json wait_reason(Site& site, const std::string& code, const std::string& words,
                           std::chrono::milliseconds timeout = 15s) {
  nlohmann::json status;
  wait_until(
      [&] {
        status = status_of(site);
        return status.at("operating_reason").at("code") == code &&
               text_of(status).find(words) != std::string::npos;
      },
      timeout);
  return status;
}

void set_mode(Site& site, const std::string& body) {
  const auto r = site.api("PUT", "/v1/mode", body);
  ASSERT_EQ(r.status, 200) << body << ": " << r.body.dump();
}

#define EXPECT_REASON(site, code, words)                                                \
  do {                                                                                  \
    const auto s_ = wait_reason(site, code, words);                                     \
    ASSERT_EQ(s_.at("operating_reason").at("code"), code) << s_.dump();                 \
    EXPECT_NE(text_of(s_).find(words), std::string::npos) << s_.at("operating_reason"); \
  } while (false)

TEST(OperatingReason, MorningIdleManualColdSurplusFullAndOffline) {
  SiteOptions o;
  o.profile = "victron_ess";
  // Mid-morning: a surplus of about 1.3 kW, less than the pack takes.
  o.sim_args = {"--start-hour", "9", "--soc", "50"};
  o.config_patch = {{"control", {{"mode", "idle"}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  EXPECT_REASON(site, "idle_mode", "Idle");
  set_mode(site, R"({"mode":"manual","setpoint_w":1000})");
  EXPECT_REASON(site, "manual_charge", "manual mode");
  set_mode(site, R"({"mode":"manual","setpoint_w":0})");
  EXPECT_REASON(site, "manual_zero", "0 W");
  // Cold cells: the BMS lowers its charge current (the simulated one as a Pylontech does), and
  // a manual charge is limited by it, which the sentence says.
  ASSERT_EQ(site.sim("temperature 6").rfind("ok", 0), 0u);
  set_mode(site, R"({"mode":"manual","setpoint_w":3000})");
  EXPECT_REASON(site, "charge_limited", "by the battery's own management system");
  ASSERT_EQ(site.sim("temperature 25").rfind("ok", 0), 0u);

  // Self-consumption stores the surplus.
  set_mode(site, R"({"mode":"self_consumption"})");
  EXPECT_REASON(site, "storing_surplus", "solar surplus");
  // Full: charging stops at the SOC limit and the surplus goes to the grid.
  ASSERT_EQ(site.sim("soc 100").rfind("ok", 0), 0u);
  EXPECT_REASON(site, "charge_blocked", "grid");

  // The inverter stops answering: status waits for it and names the link.
  ASSERT_EQ(site.sim("inverter-silent on").rfind("ok", 0), 0u);
  EXPECT_REASON(site, "inverter_offline", "127.0.0.1");
  EXPECT_REASON(site, "inverter_offline", "(COM-02)");
  ASSERT_EQ(site.sim("inverter-silent off").rfind("ok", 0), 0u);
  EXPECT_REASON(site, "charge_blocked", "grid");
}

TEST(OperatingReason, EveningWaitingCoveringManualAndEmpty) {
  SiteOptions o = evening_self_consumption("victron_ess");
  Site site(o);
  // The BMS is silent from the start: bessd waits for it and says so.
  ASSERT_EQ(site.sim("bms-silence on").rfind("ok", 0), 0u);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  EXPECT_REASON(site, "waiting_for_bms", "BMS");
  ASSERT_EQ(site.sim("bms-silence off").rfind("ok", 0), 0u);

  EXPECT_REASON(site, "covering_load", "house load");
  set_mode(site, R"({"mode":"manual","setpoint_w":-800})");
  EXPECT_REASON(site, "manual_discharge", "manual mode");
  // More than the pack's 50 A can give: the sentence names the BMS's limit.
  set_mode(site, R"({"mode":"manual","setpoint_w":-9000})");
  EXPECT_REASON(site, "discharge_limited", "battery's own management system");
  set_mode(site, R"({"mode":"self_consumption"})");
  EXPECT_REASON(site, "covering_load", "house load");
  // Empty: discharging stops at the reserve and the house is supplied from the grid.
  ASSERT_EQ(site.sim("soc 10").rfind("ok", 0), 0u);
  EXPECT_REASON(site, "discharge_blocked", "grid");
}

}  // namespace operating_reason_test
}  // namespace bessd::systest
