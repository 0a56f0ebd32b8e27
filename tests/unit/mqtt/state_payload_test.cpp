// The retained state messages (docs/mqtt.md "Topics"): the status document's figures, flat.
#include <gtest/gtest.h>

#include <bessd/mqtt/state_payload.hpp>

namespace bessd::mqtt {
namespace {

Json sample_status() {
  return Json::parse(R"({
    "time": "2026-12-05T10:00:00.000Z", "state": "running", "mode": "self_consumption",
    "manual_setpoint_w": null, "commanded_power_w": -640.0,
    "operating_reason": {"code": "covering_load", "text": "Discharging 640 W to cover the house load."},
    "pack": {"soc_pct": 55.0, "soh_pct": 98.0, "voltage_v": 52.1, "current_a": -12.3,
             "cell_voltage_min_v": 3.25, "cell_voltage_max_v": 3.27,
             "cell_temperature_min_c": 18.0, "cell_temperature_max_c": 21.0},
    "power_flow": {"battery_w": -640.0, "grid_w": 12.0, "pv_w": null, "house_w": null},
    "envelope": {"charge_power_max_w": 2100.0,
                 "charge_power_cause": {"sentence": "Charging is reduced because the cells are cold."},
                 "discharge_power_max_w": 5000.0,
                 "discharge_power_cause": {"sentence": "Discharging is limited by the inverter rating."}},
    "active_faults": [{"code": "ALM-01", "severity": "critical", "message": "fire alarm",
                       "latched": true, "since": null}],
    "warnings": [{"code": "SOC-XCHK", "severity": "warning", "message": "SOC disagrees",
                  "latched": false, "since": "2026-12-05T09:00:00.000Z"}],
    "service_faults": [],
    "compliance": {"verdict": "pass"},
    "links": [{"name": "bms", "state": "up"}, {"name": "inverter", "state": "down"}],
    "energy": {"battery_charged_kwh": 12.5, "battery_discharged_kwh": 10.25,
               "grid_import_kwh": null, "grid_export_kwh": null, "pv_kwh": null, "house_kwh": null,
               "since": "2025-12-01T00:00:00.000Z", "as_of": "2026-12-05T09:59:50.000Z",
               "today": {"date": "2026-12-05", "battery_charged_kwh": 1.5}, "prices": {"currency": "GBP"}}
  })");
}

TEST(StatePayload, CarriesTheStatusFiguresFlatWithNullForTheUnknown) {
  const Json s = state_payload(sample_status());
  EXPECT_EQ(s.at("soc_pct"), 55.0);
  EXPECT_EQ(s.at("battery_power_w"), -640.0);
  EXPECT_EQ(s.at("grid_power_w"), 12.0);
  EXPECT_TRUE(s.at("pv_power_w").is_null()) << "nobody measures it: unknown, not 0";
  EXPECT_EQ(s.at("operating_reason"), "covering_load");
  EXPECT_EQ(s.at("operating_reason_text"), "Discharging 640 W to cover the house load.");
  EXPECT_EQ(s.at("charge_limit_w"), 2100.0);
  EXPECT_EQ(s.at("charge_limit_cause"), "Charging is reduced because the cells are cold.");
  EXPECT_EQ(s.at("fault_count"), 1);
  EXPECT_EQ(s.at("faults"), "ALM-01");
  EXPECT_EQ(s.at("fire_alarm"), true);
  EXPECT_EQ(s.at("warnings"), "SOC-XCHK");
  EXPECT_EQ(s.at("bms_online"), true);
  EXPECT_EQ(s.at("inverter_online"), false);
  EXPECT_EQ(s.at("compliance"), "pass");
  EXPECT_TRUE(s.at("manual_setpoint_w").is_null());
}

TEST(StatePayload, AnEmptyOrStrangeDocumentGivesNullsNotAnError) {
  for (const char* text : {"{}", "[]", "null", R"({"pack": 3, "links": {"x": 1}})"}) {
    const Json s = state_payload(Json::parse(text));
    EXPECT_TRUE(s.at("soc_pct").is_null()) << text;
    EXPECT_EQ(s.at("fault_count"), 0) << text;
    EXPECT_EQ(s.at("fire_alarm"), false) << text;
    EXPECT_TRUE(s.at("bms_online").is_null()) << text;
  }
}

TEST(StatePayload, EnergyAndFaultsHaveTheirOwnMessages) {
  const Json e = energy_payload(sample_status());
  EXPECT_EQ(e.at("battery_charged_kwh"), 12.5);
  EXPECT_TRUE(e.at("pv_kwh").is_null());
  EXPECT_EQ(e.at("today").at("battery_charged_kwh"), 1.5);
  EXPECT_EQ(e.at("currency"), "GBP");
  const Json f = faults_payload(sample_status());
  ASSERT_EQ(f.at("faults").size(), 1u);
  EXPECT_EQ(f.at("faults")[0].at("message"), "fire alarm");
  EXPECT_EQ(f.at("faults")[0].at("latched"), true);
  EXPECT_EQ(f.at("warnings")[0].at("since"), "2026-12-05T09:00:00.000Z");
}

TEST(StatePayload, LongSentencesAreClippedOnACharacterForHomeAssistant) {
  EXPECT_EQ(clipped("short"), "short");
  const std::string exact(255, 'a');
  EXPECT_EQ(clipped(exact), exact);
  const std::string long_text(300, 'b');
  const std::string c = clipped(long_text);
  EXPECT_EQ(c, std::string(254, 'b') + "\u2026");
  // Multi-byte characters count as one and are never cut in two.
  std::string degrees;
  for (int i = 0; i < 300; ++i) degrees += "°";
  const std::string d = clipped(degrees, 10);
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += "°";
  EXPECT_EQ(d, nine + "\u2026");
}

}  // namespace
}  // namespace bessd::mqtt
