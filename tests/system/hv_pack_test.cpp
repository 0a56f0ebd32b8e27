// The HV batteries on the CAN bus: a Pylontech HV pack (docs/protocols.md "The BMS: Pylontech HV
// CAN protocol"), the whole stack against the simulator's HV pack (docs/simulator.md "Pylontech HV
// pack"):
// - active: bessd is the pack's only master, polls it, and commands its relay for what the
//   controller allows; power flows both ways;
// - listen-only: the simulator's inverter polls the pack, bessd reads the answers, puts the
//   SLCAN adapter in listen-only mode and never sends a frame.

#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace hv_pack_test {

using namespace std::chrono_literals;

// The pack answers once a second (bessd's or the inverter's poll): the site's short BMS
// timeouts, made for a 100 ms broadcast, are set back to the defaults.
nlohmann::json hv_bms(const char* role) {
  return {{"bms",
           {{"protocol", "pylontech_hv"},
            {"bus_role", role},
            {"stale_ms", 3000},
            {"timeout_ms", 5000}}},
          {"control", {{"mode", "manual"}, {"manual_setpoint_w", 1000}}}};
}

TEST(HvPack, AnActiveMasterPollsCommandsTheRelayAndGetsPowerBothWays) {
  SiteOptions options;
  options.sim_args = {"--bms-protocol", "pylontech_hv", "--hv-address", "2"};
  Site site(options);
  site.patch_config(hv_bms("active"));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, charging, 15s)) << site.bessd_output();

  const auto s = site.api("GET", "/v1/status").body;
  EXPECT_TRUE(s.at("active_faults").empty()) << s.dump();
  EXPECT_NEAR(s.at("pack").at("soc_pct").get<double>(), 50.0, 5.0) << s.dump();
  // Polled every second, woken, and both directions allowed: the relay command closes both.
  EXPECT_TRUE(wait_until(
      [&] {
        const auto hv = site.sim_status().at("bms").at("hv");
        return hv.at("polls_seen").get<int>() >= 3 && hv.at("wakes").get<int>() > 0 &&
               hv.at("last_relay") == "AAAA";
      },
      5s))
      << site.sim_status().dump();

  const std::int64_t discharge_asked = Site::now_us();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1000})").status, 200);
  EXPECT_TRUE(wait_for_write(site, discharge_asked, discharging, 5s)) << site.sim("writes");

  // A silent pack: stale, then lost, and the relay command stops with the data.
  ASSERT_EQ(site.sim("bms-silence on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until(
      [&] { return !fault_in(site.api("GET", "/v1/status").body, "COM-01").is_null(); }, 15s))
      << site.bessd_output();
  const auto relays = site.sim_status().at("bms").at("hv").at("relay_commands").get<int>();
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(site.sim_status().at("bms").at("hv").at("relay_commands").get<int>(), relays);
}

TEST(HvPack, ListeningToAnInvertersPollsNeverTransmits) {
  SiteOptions options;
  options.sim_args = {"--bms-protocol", "pylontech_hv", "--hv-inverter-poll-ms", "1000"};
  Site site(options);
  site.patch_config(hv_bms("listen_only"));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, charging, 15s)) << site.bessd_output();
  // Let a few of the inverter's polls go by.
  std::this_thread::sleep_for(3s);
  const auto s = site.api("GET", "/v1/status").body;
  EXPECT_TRUE(s.at("active_faults").empty()) << s.dump();
  const auto bms = site.sim_status().at("bms");
  EXPECT_GE(bms.at("hv").at("inverter_polls").get<int>(), 3) << bms.dump();
  EXPECT_EQ(bms.at("frames_received").get<int>(), 0) << bms.dump();
  EXPECT_TRUE(bms.at("channel_open").get<bool>()) << bms.dump();
  EXPECT_NE(s.dump().find("listening only"), std::string::npos) << s.dump();
}

// A BYD Battery-Box HVS beside its inverter: bessd listens (the only role), runs on the
// battery's limits and estimated cells, shows what the battery is, and sends nothing.
TEST(BydBattery, ListeningBesideItsInverterGetsPowerBothWaysAndNeverTransmits) {
  SiteOptions options;
  options.bms_period_ms = 400;  // limits every 0.4 s, the state every 2 s
  options.sim_args = {"--bms-protocol", "byd_hvs"};
  Site site(options);
  site.patch_config({{"bms", {{"protocol", "byd_hvs"}, {"stale_ms", 5000}, {"timeout_ms", 8000}}},
                     {"control", {{"mode", "manual"}, {"manual_setpoint_w", 1000}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, charging, 15s)) << site.bessd_output();
  nlohmann::json s;
  ASSERT_TRUE(wait_until(
      [&] {
        s = site.api("GET", "/v1/status").body;
        return s.at("pack").at("bms_name") == "Battery-Box Premium HVS";
      },
      15s))
      << s.dump();
  EXPECT_TRUE(s.at("active_faults").empty()) << s.dump();
  EXPECT_EQ(s.at("pack").at("manufacturer"), "BYD");
  EXPECT_EQ(s.at("protection").at("cell_data"), "estimated") << s.dump();
  EXPECT_NE(s.dump().find("byd_hvs, listening only"), std::string::npos) << s.dump();

  const std::int64_t discharge_asked = Site::now_us();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1000})").status, 200);
  EXPECT_TRUE(wait_for_write(site, discharge_asked, discharging, 5s)) << site.sim("writes");
  EXPECT_EQ(site.sim_status().at("bms").at("frames_received").get<int>(), 0);
}

}  // namespace hv_pack_test
}  // namespace bessd::systest
