// Unit mistakes the loader cannot refuse (the values are valid) but --check-config warns about,
// and link names the loader refuses because the daemon could never open them.
#include <bessd/config/plausibility.hpp>

#include <string>

#include <gtest/gtest.h>

#include <bessd/config/link_syntax.hpp>

#include "config_test_support.hpp"

namespace bessd::config {
namespace {

using testing::dump;
using testing::has_issue;
using testing::issues_of;
using testing::minimal_json;

std::vector<ConfigIssue> warnings_of(const std::string& extra_site,
                                     const std::string& battery = R"("nominal_energy_kwh": 9.6)",
                                     const std::string& extra = "") {
  const std::string text = R"({"site": {"jurisdiction": "GB", "location": "outdoor_wall")" +
                           (extra_site.empty() ? "" : ", " + extra_site) +
                           R"(}, "battery": {"chemistry": "LFP", )" + battery + "}" +
                           (extra.empty() ? "" : ", " + extra) + "}";
  return plausibility_warnings(parse_config(text));
}

TEST(Plausibility, ATypicalHomeConfigHasNoWarnings) {
  EXPECT_TRUE(warnings_of(R"("clearances_m": {"door": 1.2, "window": 10}, "fire_separation_rei": 30,
                             "grid_export_limit_w": 3680)",
                          R"("nominal_energy_kwh": 9.6, "max_charge_power_w": 100,
                             "capacity_ah": 200, "nominal_voltage_v": 48, "max_charge_current_a": 800)",
                          R"("inverter": {"rated_power_w": 5000},
                             "control": {"min_soc_pct": 0, "max_soc_pct": 95, "manual_setpoint_w": -1500})")
                  .empty());
  EXPECT_TRUE(warnings_of("", R"("nominal_energy_kwh": 200)").empty());
  EXPECT_TRUE(warnings_of("", R"("nominal_energy_kwh": 0.5)").empty());
}

TEST(Plausibility, AKeyWithNoEffectIsNamed) {
  const auto w =
      warnings_of("", R"("nominal_energy_kwh": 9.6)", R"("limits": {"over_current_time_s": 5})");
  EXPECT_TRUE(has_issue(w, "/limits/over_current_time_s", "/inverter/obey_window_s")) << dump(w);
}

TEST(Plausibility, ARecoveryMarginBeyondTheReserveIsNamed) {
  const auto w = warnings_of("", R"("nominal_energy_kwh": 9.6)",
                             R"("control": {"min_soc_pct": 10},
                                "limits": {"recovery_soc_margin_pct": 20})");
  EXPECT_TRUE(has_issue(w, "/limits/recovery_soc_margin_pct", "never starts a recovery charge"))
      << dump(w);
  EXPECT_TRUE(
      warnings_of("", R"("nominal_energy_kwh": 9.6)",
                  R"("control": {"min_soc_pct": 10}, "limits": {"recovery_soc_margin_pct": 5})")
          .empty());
}

// The default margin (5 points) under a 5 % reserve: the same dead rule, though nobody wrote it.
TEST(Plausibility, TheDefaultRecoveryMarginUnderASmallReserveIsNamed) {
  const auto w =
      warnings_of("", R"("nominal_energy_kwh": 9.6)", R"("control": {"min_soc_pct": 5})");
  EXPECT_TRUE(has_issue(w, "/limits/recovery_soc_margin_pct", "never starts a recovery charge"))
      << dump(w);
}

TEST(Plausibility, EnergyInWhOrMwh) {
  auto w = warnings_of("", R"("nominal_energy_kwh": 9600)");
  EXPECT_TRUE(has_issue(w, "/battery/nominal_energy_kwh", "write 9.6")) << dump(w);
  w = warnings_of("", R"("nominal_energy_kwh": 200.1)");
  EXPECT_TRUE(has_issue(w, "/battery/nominal_energy_kwh", "more than 200 kWh")) << dump(w);
  w = warnings_of("", R"("nominal_energy_kwh": 0.0096)");
  EXPECT_TRUE(has_issue(w, "/battery/nominal_energy_kwh", "write 9.6")) << dump(w);
  w = warnings_of(R"("ev_parked_kwh": 75000)");
  EXPECT_TRUE(has_issue(w, "/site/ev_parked_kwh", "write 75")) << dump(w);
  EXPECT_TRUE(warnings_of(R"("ev_parked_kwh": 0)").empty());
}

TEST(Plausibility, PowerInKw) {
  auto w = warnings_of("", R"("nominal_energy_kwh": 9.6, "max_discharge_power_w": 5)",
                       R"("inverter": {"rated_power_w": 3.6})");
  EXPECT_TRUE(has_issue(w, "/inverter/rated_power_w", "write 3600")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/battery/max_discharge_power_w", "write 5000")) << dump(w);
  w = warnings_of("", R"("nominal_energy_kwh": 9.6)", R"("inverter": {"rated_power_w": 99.9})");
  EXPECT_TRUE(has_issue(w, "/inverter/rated_power_w", "less than 100 W")) << dump(w);
}

TEST(Plausibility, SocAsFraction) {
  auto w = warnings_of("", R"("nominal_energy_kwh": 9.6)",
                       R"("control": {"min_soc_pct": 0.1, "max_soc_pct": 0.9})");
  EXPECT_TRUE(has_issue(w, "/control/min_soc_pct", "write 10")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/control/max_soc_pct", "write 90")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/control/max_soc_pct", "stop moving in both directions")) << dump(w);
  w = warnings_of("", R"("nominal_energy_kwh": 9.6)", R"("control": {"min_soc_pct": 1})");
  EXPECT_TRUE(has_issue(w, "/control/min_soc_pct", "fraction")) << dump(w);
  // (The recovery margin's own warning may follow: 1.5 % is under its default 5 points.)
  w = warnings_of("", R"("nominal_energy_kwh": 9.6)", R"("control": {"min_soc_pct": 1.5})");
  EXPECT_FALSE(has_issue(w, "/control/min_soc_pct", "")) << dump(w);
}

TEST(Plausibility, ClearancesInCentimetres) {
  auto w = warnings_of(R"("clearances_m": {"door": 120, "flammable_store": 50.5},
                          "ventilation": {"present": true, "clearance_to_openings_m": 300})");
  EXPECT_TRUE(has_issue(w, "/site/clearances_m/door", "write 1.2")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/site/clearances_m/flammable_store", "centimetres")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/site/ventilation/clearance_to_openings_m", "write 3")) << dump(w);
  EXPECT_EQ(w.size(), 3u) << dump(w);
}

// The dangerous direction: 30-45 cm typed as 30-45 (m) would pass a 1 m rule.
TEST(Plausibility, ShortClearancesInCentimetres) {
  const auto indoors = [](const std::string& clearances) {
    return plausibility_warnings(parse_config(
        R"({"site": {"jurisdiction": "GB", "location": "garage_integral", "clearances_m": )" +
        clearances + R"(}, "battery": {"chemistry": "LFP", "nominal_energy_kwh": 9.6}})"));
  };
  auto w = indoors(R"({"door": 45, "window": 30})");
  EXPECT_TRUE(has_issue(w, "/site/clearances_m/door", "write 0.45")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/site/clearances_m/window", "write 0.3")) << dump(w);
  w = indoors(R"({"window": 1200})");
  EXPECT_TRUE(has_issue(w, "/site/clearances_m/window", "millimetres, 1.2")) << dump(w);
  EXPECT_TRUE(indoors(R"({"door": 8})").empty());
  // Outdoors, 12 m to the house is real: only more than 50 m is doubted.
  EXPECT_TRUE(warnings_of(R"("clearances_m": {"door": 12})").empty());
}

TEST(Plausibility, MillisTypedAsUnits) {
  auto w = warnings_of("", R"("nominal_energy_kwh": 9.6, "nominal_voltage_v": 51200,
                             "max_charge_current_a": 100000)");
  EXPECT_TRUE(has_issue(w, "/battery/nominal_voltage_v", "write 51.2")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/battery/max_charge_current_a", "write 100")) << dump(w);
}

TEST(Plausibility, CapacityTimesVoltageMustMatchTheEnergy) {
  auto w = warnings_of("", R"("nominal_energy_kwh": 10.24, "capacity_ah": 200000,
                             "nominal_voltage_v": 51.2)");
  EXPECT_TRUE(has_issue(w, "/battery/nominal_energy_kwh", "10240 kWh")) << dump(w);
  EXPECT_TRUE(warnings_of("", R"("nominal_energy_kwh": 10.24, "capacity_ah": 200,
                                 "nominal_voltage_v": 51.2)")
                  .empty());
}

TEST(Plausibility, KwTypedAsWAndHoursTypedAsMinutes) {
  auto w = warnings_of(R"("grid_export_limit_w": 3.68, "fire_separation_rei": 1)",
                       R"("nominal_energy_kwh": 9.6)", R"("control": {"manual_setpoint_w": 3})");
  EXPECT_TRUE(has_issue(w, "/site/grid_export_limit_w", "write 3680")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/control/manual_setpoint_w", "write 3000")) << dump(w);
  EXPECT_TRUE(has_issue(w, "/site/fire_separation_rei", "write 60")) << dump(w);
}

TEST(Plausibility, ABedroomThatIsNotInADwelling) {
  const std::string text = R"({"site": {"jurisdiction": "GB", "location": "bedroom",
      "dwelling": false}, "battery": {"chemistry": "LFP", "nominal_energy_kwh": 9.6}})";
  const auto w = plausibility_warnings(parse_config(text));
  EXPECT_TRUE(has_issue(w, "/site/dwelling", "bedroom")) << dump(w);
}

TEST(Plausibility, RelaxedComplianceThresholds) {
  const auto w =
      warnings_of("", R"("nominal_energy_kwh": 9.6)",
                  R"("compliance": {"energy_cap_low_kwh": 1000, "flammable_clearance_m": 0})");
  EXPECT_TRUE(has_issue(w, "/compliance/energy_cap_low_kwh", "looser than bessd's default 40"))
      << dump(w);
  EXPECT_TRUE(has_issue(w, "/compliance/flammable_clearance_m", "default 2")) << dump(w);
}

TEST(LinkSyntax, InterfaceNames) {
  for (const char* ok : {"can0", "vcan1", "slcan0", "can-bms", "abcdefghijklmno"})
    EXPECT_FALSE(interface_name_problem(ok)) << ok;
  for (const char* bad : {"", "abcdefghijklmnop", "can 0", "/dev/ttyACM0", ".", "..", "can0:1"})
    EXPECT_TRUE(interface_name_problem(bad)) << bad;
}

TEST(LinkSyntax, DevicePaths) {
  EXPECT_FALSE(device_path_problem("/dev/ttyUSB0"));
  EXPECT_FALSE(device_path_problem("/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"));
  ASSERT_TRUE(device_path_problem("ttyUSB0"));
  EXPECT_NE(device_path_problem("ttyUSB0")->find("did you mean \"/dev/ttyUSB0\""),
            std::string::npos);
  EXPECT_TRUE(device_path_problem("/dev/"));
  EXPECT_TRUE(device_path_problem(""));
  EXPECT_TRUE(device_path_problem("/dev/tty\nUSB0"));
}

TEST(LinkSyntax, Hosts) {
  for (const char* ok : {"192.168.1.50", "10.0.0.1", "::1", "fe80::1", "inverter.local",
                         "victron-gx", "gx_1", "inverter.example.", "localhost"})
    EXPECT_FALSE(host_problem(ok)) << ok;
  for (const char* bad : {"", "192.168.1.300", "192.168.1", "1.2.3.4.5", "192.168.1.50:502",
                          "in verter", "-gx", "gx-", "a..b", "http://gx"})
    EXPECT_TRUE(host_problem(bad)) << bad;
}

TEST(LinkSyntax, TheLoaderRefusesWhatTheDaemonCouldNotOpen) {
  auto issues = issues_of(minimal_json(
      R"("bms": {"transport": "socketcan", "interface": "can 0"},
         "inverter": {"transport": "tcp", "tcp": {"host": "192.168.1.300"}})"));
  EXPECT_TRUE(has_issue(issues, "/bms/interface", "not a network interface name")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/inverter/tcp/host", "not a valid IPv4 address")) << dump(issues);
  issues = issues_of(minimal_json(R"("bms": {"transport": "slcan", "device": "ttyACM0"},
         "inverter": {"transport": "rtu", "rtu": {"device": "ttyUSB0"}})"));
  EXPECT_TRUE(has_issue(issues, "/bms/device", "/dev/ttyACM0")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/inverter/rtu/device", "/dev/ttyUSB0")) << dump(issues);
}

}  // namespace
}  // namespace bessd::config
