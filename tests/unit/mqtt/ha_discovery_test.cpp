// Home Assistant discovery (docs/mqtt.md "Home Assistant"): what Home Assistant needs to place
// each entity, and no control entity unless control is allowed.
#include <set>

#include <gtest/gtest.h>

#include <bessd/mqtt/ha_discovery.hpp>
#include <bessd/mqtt/state_payload.hpp>

namespace bessd::mqtt {
namespace {

const MqttTopics kTopics("bessd", "home", "homeassistant");

Json config_at(const std::vector<RetainedMessage>& all, const std::string& topic) {
  for (const auto& m : all)
    if (m.topic == topic) return m.payload.empty() ? Json() : Json::parse(m.payload);
  ADD_FAILURE() << "no message on " << topic;
  return Json();
}

TEST(HaDiscovery, EnergySensorsDropIntoTheEnergyDashboard) {
  const auto all = ha_discovery(kTopics, {"Home", "0.1.0", 5000.0, false});
  for (const char* object : {"battery_charged", "battery_discharged", "grid_import", "grid_export",
                             "pv_energy", "house_energy"}) {
    const Json c = config_at(all, kTopics.discovery("sensor", object));
    EXPECT_EQ(c.at("device_class"), "energy") << object;
    EXPECT_EQ(c.at("state_class"), "total_increasing") << object;
    EXPECT_EQ(c.at("unit_of_measurement"), "kWh") << object;
    EXPECT_EQ(c.at("state_topic"), "bessd/home/energy") << object;
  }
  const Json soc = config_at(all, kTopics.discovery("sensor", "soc"));
  EXPECT_EQ(soc.at("device_class"), "battery");
  EXPECT_EQ(soc.at("unit_of_measurement"), "%");
  EXPECT_EQ(soc.at("value_template"), "{{ value_json.soc_pct }}");
}

TEST(HaDiscovery, EveryEntityIsUniqueOnOneDeviceAndUnavailableWhileBessdIsAway) {
  DiscoveryDevice device{"Home", "0.1.0", 5000.0, true};
  device.plan_configured = true;
  const auto all = ha_discovery(kTopics, device);
  std::set<std::string> ids;
  std::set<std::string> topics;
  // Every key a template reads is in the message it reads from.
  const Json state = state_payload(Json::object());
  const Json energy = energy_payload(Json::object());
  for (const auto& m : all) {
    ASSERT_FALSE(m.payload.empty()) << m.topic;
    const Json c = Json::parse(m.payload);
    EXPECT_TRUE(ids.insert(c.at("unique_id").get<std::string>()).second) << m.topic;
    EXPECT_TRUE(topics.insert(m.topic).second) << m.topic;
    EXPECT_EQ(c.at("availability_topic"), "bessd/home/status") << m.topic;
    EXPECT_EQ(c.at("device").at("identifiers"), Json::array({"bessd_home"})) << m.topic;
    EXPECT_EQ(c.at("device").at("name"), "Home");
    if (!c.contains("value_template")) continue;
    const std::string tpl = c.at("value_template");
    const auto start = tpl.find("value_json.") + 11;
    auto end = start;
    while (end < tpl.size() &&
           (std::isalnum(static_cast<unsigned char>(tpl[end])) != 0 || tpl[end] == '_'))
      ++end;
    const std::string key = tpl.substr(start, end - start);
    const Json& message = c.at("state_topic") == "bessd/home/energy" ? energy : state;
    EXPECT_TRUE(message.contains(key)) << m.topic << " reads " << key;
  }
}

// docs/mqtt.md: the plan by price has a sensor only with schedule.by_price.
TEST(HaDiscovery, ThePlanSensorOnlyWithAPlanByPrice) {
  DiscoveryDevice device{"Home", "0.1.0", 5000.0, false};
  EXPECT_TRUE(
      config_at(ha_discovery(kTopics, device), kTopics.discovery("sensor", "plan")).is_null());
  device.plan_configured = true;
  const Json plan = config_at(ha_discovery(kTopics, device), kTopics.discovery("sensor", "plan"));
  EXPECT_EQ(plan.at("value_template"), "{{ value_json.plan }}");
  EXPECT_EQ(plan.at("name"), "Plan by price");
  Json status = {{"schedule", {{"plan", "Charging 4.4 kWh from the grid 01:00–05:00."}}}};
  EXPECT_EQ(state_payload(status).at("plan"), "Charging 4.4 kWh from the grid 01:00–05:00.");
  EXPECT_TRUE(state_payload(Json::object()).at("plan").is_null());
}

TEST(HaDiscovery, ControlEntitiesOnlyWhenControlIsAllowed) {
  const auto off = ha_discovery(kTopics, {"Home", "0.1.0", 5000.0, false});
  for (const auto& topic :
       {kTopics.discovery("select", "mode"), kTopics.discovery("number", "manual_setpoint"),
        kTopics.discovery("number", "reserve_soc"), kTopics.discovery("number", "target_soc"),
        kTopics.discovery("button", "acknowledge")})
    EXPECT_TRUE(config_at(off, topic).is_null())
        << topic << ": an empty retained message removes it";
  const auto on = ha_discovery(kTopics, {"Home", "0.1.0", 5000.0, true});
  const Json mode = config_at(on, kTopics.discovery("select", "mode"));
  EXPECT_EQ(mode.at("command_topic"), "bessd/home/cmd/mode");
  EXPECT_EQ(mode.at("options"), Json::array({"idle", "self_consumption", "manual"}));
  const Json setpoint = config_at(on, kTopics.discovery("number", "manual_setpoint"));
  EXPECT_EQ(setpoint.at("min"), -5000.0);
  EXPECT_EQ(setpoint.at("max"), 5000.0);
  EXPECT_EQ(setpoint.at("command_topic"), "bessd/home/cmd/setpoint");
  const Json ack = config_at(on, kTopics.discovery("button", "acknowledge"));
  EXPECT_EQ(ack.at("command_topic"), "bessd/home/cmd/ack");
}

// The reserve and charge target numbers span the installer's window and nothing wider.
TEST(HaDiscovery, SocNumbersSpanTheConfiguredWindow) {
  const auto off = ha_discovery(kTopics, {"Home", "0.1.0", 5000.0, false, 20.0, 95.0, 3.0});
  EXPECT_TRUE(config_at(off, kTopics.discovery("number", "reserve_soc")).is_null());
  const auto on = ha_discovery(kTopics, {"Home", "0.1.0", 5000.0, true, 20.0, 95.0, 3.0});
  const Json reserve = config_at(on, kTopics.discovery("number", "reserve_soc"));
  EXPECT_EQ(reserve.at("command_topic"), "bessd/home/cmd/reserve");
  EXPECT_EQ(reserve.at("min"), 20.0);
  EXPECT_EQ(reserve.at("max"), 92.0) << "3 points below the maximum: the API takes no more";
  EXPECT_EQ(reserve.at("unit_of_measurement"), "%");
  EXPECT_EQ(reserve.at("value_template"), "{{ value_json.reserve_soc_pct }}");
  const Json target = config_at(on, kTopics.discovery("number", "target_soc"));
  EXPECT_EQ(target.at("command_topic"), "bessd/home/cmd/target");
  EXPECT_EQ(target.at("value_template"), "{{ value_json.target_soc_pct }}");
  EXPECT_EQ(target.at("min"), 23.0);
  EXPECT_EQ(target.at("max"), 95.0);
}

}  // namespace
}  // namespace bessd::mqtt
