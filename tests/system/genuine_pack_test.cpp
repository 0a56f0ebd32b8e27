// A genuine Pylontech pack on the wire (docs/protection.md "Packs without cell data"): the
// simulator sends exactly the captured V1.2 or V1.3 frame set (no 0x372, 0x373, 0x379). bessd
// must give power both ways on estimated cell values, never raise COM-01, and say in status and
// telemetry that the cell values are estimated.

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace genuine_pack_test {

using namespace std::chrono_literals;

class GenuinePack : public ::testing::TestWithParam<const char*> {};

TEST_P(GenuinePack, GetsPowerBothWaysOnEstimatedCells) {
  SiteOptions options;
  options.sim_args = {"--genuine-bms", "--bms-protocol", GetParam()};
  Site site(options);
  site.patch_config({{"control", {{"mode", "manual"}, {"manual_setpoint_w", 1000}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, charging, 15s)) << site.bessd_output();

  const auto s = site.api("GET", "/v1/status").body;
  const auto& protection = s.at("protection");
  EXPECT_EQ(protection.at("cell_data"), "estimated") << s.dump();
  EXPECT_TRUE(s.at("pack").at("cell_voltage_max_v").is_null()) << "never shown as measured";
  const double pack_v = s.at("pack").at("voltage_v").get<double>();
  ASSERT_TRUE(protection.at("estimated_cell_voltage_v").is_number()) << s.dump();
  EXPECT_NEAR(protection.at("estimated_cell_voltage_v").get<double>(), pack_v / 16.0, 0.01);
  EXPECT_TRUE(s.at("active_faults").empty()) << s.dump();

  const std::int64_t discharge_asked = Site::now_us();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1000})").status, 200);
  EXPECT_TRUE(wait_for_write(site, discharge_asked, discharging, 5s)) << site.sim("writes");

  // Telemetry carries the estimate under its own name.
  bool stored = false;
  wait_until(
      [&] {
        const auto h =
            site.api("GET", "/v1/history?from=-5m&resolution=raw&fields=cell_voltage_estimated_v")
                .body;
        for (const auto& p : h.value("points", nlohmann::json::array()))
          if (p.at("cell_voltage_estimated_v").is_number()) stored = true;
        return stored;
      },
      10s);
  EXPECT_TRUE(stored);
  const auto events = site.api("GET", "/v1/events?limit=200").body.dump();
  EXPECT_EQ(events.find("COM-01"), std::string::npos) << events;
}

INSTANTIATE_TEST_SUITE_P(FrameSets, GenuinePack, ::testing::Values("v1.2", "v1.3"),
                         [](const auto& param_info) {
                           return std::string(param_info.param) == "v1.2" ? "V12" : "V13";
                         });

}  // namespace genuine_pack_test
}  // namespace bessd::systest
