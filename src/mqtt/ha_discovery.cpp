#include <bessd/mqtt/ha_discovery.hpp>

namespace bessd::mqtt {

namespace {

using Json = nlohmann::json;

// One sensor of the state or energy message.
struct SensorSpec {
  const char* object;  // object id: the topic's last level and part of the unique id
  const char* name;
  const char* key;   // the key in the message
  const char* unit;  // "" = none
  const char* device_class;
  const char* state_class;
  bool energy;      // in the energy message, else the state message
  bool diagnostic;  // entity_category diagnostic: shown apart from the main figures
};

constexpr SensorSpec kPlanSensor{"plan", "Plan by price", "plan", "", "", "", false, false};

constexpr SensorSpec kSensors[] = {
    {"soc", "State of charge", "soc_pct", "%", "battery", "measurement", false, false},
    {"soh", "State of health", "soh_pct", "%", "", "measurement", false, true},
    {"battery_power", "Battery power", "battery_power_w", "W", "power", "measurement", false,
     false},
    {"grid_power", "Grid power", "grid_power_w", "W", "power", "measurement", false, false},
    {"pv_power", "PV power", "pv_power_w", "W", "power", "measurement", false, false},
    {"house_power", "House power", "house_power_w", "W", "power", "measurement", false, false},
    {"charge_limit", "Charge limit", "charge_limit_w", "W", "power", "measurement", false, true},
    {"discharge_limit", "Discharge limit", "discharge_limit_w", "W", "power", "measurement", false,
     true},
    {"pack_voltage", "Pack voltage", "pack_voltage_v", "V", "voltage", "measurement", false, true},
    {"pack_current", "Pack current", "pack_current_a", "A", "current", "measurement", false, true},
    {"cell_voltage_min", "Lowest cell voltage", "cell_voltage_min_v", "V", "voltage", "measurement",
     false, true},
    {"cell_voltage_max", "Highest cell voltage", "cell_voltage_max_v", "V", "voltage",
     "measurement", false, true},
    {"cell_temperature_min", "Coldest cell", "cell_temperature_min_c", "°C", "temperature",
     "measurement", false, false},
    {"cell_temperature_max", "Warmest cell", "cell_temperature_max_c", "°C", "temperature",
     "measurement", false, true},
    {"operating_reason", "Operating reason", "operating_reason_text", "", "", "", false, false},
    {"state", "Controller state", "state", "", "", "", false, true},
    {"mode_state", "Operating mode", "mode", "", "", "", false, false},
    {"reserve", "Reserve in force", "reserve_soc_pct", "%", "", "", false, true},
    {"charge_target", "Charge target in force", "target_soc_pct", "%", "", "", false, true},
    {"faults", "Active faults", "faults", "", "", "", false, false},
    {"warnings", "Active warnings", "warnings", "", "", "", false, true},
    {"compliance", "Installation check", "compliance", "", "", "", false, true},
    // Energy: Home Assistant's Energy dashboard takes total_increasing kWh sensors.
    {"battery_charged", "Battery energy in", "battery_charged_kwh", "kWh", "energy",
     "total_increasing", true, false},
    {"battery_discharged", "Battery energy out", "battery_discharged_kwh", "kWh", "energy",
     "total_increasing", true, false},
    {"grid_import", "Grid import", "grid_import_kwh", "kWh", "energy", "total_increasing", true,
     false},
    {"grid_export", "Grid export", "grid_export_kwh", "kWh", "energy", "total_increasing", true,
     false},
    {"pv_energy", "PV energy", "pv_kwh", "kWh", "energy", "total_increasing", true, false},
    {"house_energy", "House energy", "house_kwh", "kWh", "energy", "total_increasing", true, false},
};

// A binary sensor from a state key: ON when the template says so.
struct BinarySpec {
  const char* object;
  const char* name;
  const char* device_class;
  const char* on_template;  // Jinja expression over value_json
  bool diagnostic;
};

constexpr BinarySpec kBinarySensors[] = {
    {"fault", "Fault", "problem", "value_json.fault_count > 0", false},
    {"warning", "Warning", "problem", "value_json.warning_count > 0", true},
    {"fire_alarm", "Fire alarm", "smoke", "value_json.fire_alarm", false},
    {"bms_link", "BMS link", "connectivity", "value_json.bms_online", true},
    {"inverter_link", "Inverter link", "connectivity", "value_json.inverter_online", true},
};

Json device_json(const MqttTopics& t, const DiscoveryDevice& d) {
  return {{"identifiers", Json::array({t.node_id()})},
          {"name", d.name},
          {"manufacturer", "bessd"},
          {"model", "bessd battery controller"},
          {"sw_version", d.sw_version}};
}

// What every entity has: its name, ids, device and availability.
Json common(const MqttTopics& t, const DiscoveryDevice& d, const char* object, const char* name) {
  return {{"name", name},
          {"unique_id", t.node_id() + "_" + object},
          {"object_id", t.node_id() + "_" + object},
          {"device", device_json(t, d)},
          {"availability_topic", t.availability()},
          {"payload_available", "online"},
          {"payload_not_available", "offline"}};
}

RetainedMessage sensor(const MqttTopics& t, const DiscoveryDevice& d, const SensorSpec& s) {
  Json c = common(t, d, s.object, s.name);
  c["state_topic"] = s.energy ? t.energy() : t.state();
  // A null in the message renders as "None", which Home Assistant shows as unknown.
  c["value_template"] = std::string("{{ value_json.") + s.key + " }}";
  if (*s.unit != '\0') c["unit_of_measurement"] = s.unit;
  if (*s.device_class != '\0') c["device_class"] = s.device_class;
  if (*s.state_class != '\0') c["state_class"] = s.state_class;
  if (s.diagnostic) c["entity_category"] = "diagnostic";
  return {t.discovery("sensor", s.object), c.dump()};
}

RetainedMessage binary_sensor(const MqttTopics& t, const DiscoveryDevice& d, const BinarySpec& b) {
  Json c = common(t, d, b.object, b.name);
  c["state_topic"] = t.state();
  c["value_template"] = std::string("{{ 'ON' if ") + b.on_template + " else 'OFF' }}";
  c["payload_on"] = "ON";
  c["payload_off"] = "OFF";
  c["device_class"] = b.device_class;
  if (b.diagnostic) c["entity_category"] = "diagnostic";
  return {t.discovery("binary_sensor", b.object), c.dump()};
}

std::vector<RetainedMessage> control_entities(const MqttTopics& t, const DiscoveryDevice& d) {
  Json mode = common(t, d, "mode", "Mode");
  mode["state_topic"] = t.state();
  mode["value_template"] = "{{ value_json.mode }}";
  mode["command_topic"] = t.command("mode");
  mode["options"] = Json::array({"idle", "self_consumption", "manual"});
  if (d.schedule_configured) mode["options"].push_back("schedule");

  const double rated = d.rated_power_w.value_or(10000.0);
  Json setpoint = common(t, d, "manual_setpoint", "Manual setpoint");
  setpoint["state_topic"] = t.state();
  // The setpoint in force while manual, else 0: the entity shows what the battery is asked.
  setpoint["value_template"] = "{{ value_json.manual_setpoint_w | default(0, true) }}";
  setpoint["command_topic"] = t.command("setpoint");
  setpoint["min"] = -rated;
  setpoint["max"] = rated;
  setpoint["step"] = 50;
  setpoint["mode"] = "box";
  setpoint["unit_of_measurement"] = "W";
  setpoint["device_class"] = "power";

  // The owner's window (docs/api.md "PUT /v1/settings"): the entity shows the one in force.
  const auto soc_number = [&](const char* object, const char* name, const char* key,
                              const char* command, double min, double max) {
    Json n = common(t, d, object, name);
    n["state_topic"] = t.state();
    n["value_template"] = std::string("{{ value_json.") + key + " }}";
    n["command_topic"] = t.command(command);
    n["min"] = min;
    n["max"] = max;
    n["step"] = 1;
    n["mode"] = "slider";
    n["unit_of_measurement"] = "%";
    n["entity_category"] = "config";
    return n;
  };
  // Only values PUT /v1/settings takes: the ends of a slider are never refused.
  const Json reserve = soc_number("reserve_soc", "Backup reserve", "reserve_soc_pct", "reserve",
                                  d.min_soc_pct, d.max_soc_pct - d.soc_gap_pct);
  const Json target = soc_number("target_soc", "Charge target", "target_soc_pct", "target",
                                 d.min_soc_pct + d.soc_gap_pct, d.max_soc_pct);

  Json ack = common(t, d, "acknowledge", "Acknowledge faults");
  ack["command_topic"] = t.command("ack");
  ack["payload_press"] = "ack";

  return {{t.discovery("select", "mode"), mode.dump()},
          {t.discovery("number", "manual_setpoint"), setpoint.dump()},
          {t.discovery("number", "reserve_soc"), reserve.dump()},
          {t.discovery("number", "target_soc"), target.dump()},
          {t.discovery("button", "acknowledge"), ack.dump()}};
}

}  // namespace

std::vector<RetainedMessage> ha_discovery(const MqttTopics& topics, const DiscoveryDevice& device) {
  std::vector<RetainedMessage> out;
  for (const auto& s : kSensors) out.push_back(sensor(topics, device, s));
  // The plan in words (docs/schedules.md "Planning by price"); removed when not configured.
  auto plan = sensor(topics, device, kPlanSensor);
  if (!device.plan_configured) plan.payload.clear();
  out.push_back(std::move(plan));
  for (const auto& b : kBinarySensors) out.push_back(binary_sensor(topics, device, b));
  for (auto& m : control_entities(topics, device)) {
    if (!device.control_allowed) m.payload.clear();  // removes an entity seen before
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace bessd::mqtt
