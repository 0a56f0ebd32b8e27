#include <bessd/mqtt/state_payload.hpp>

#include <initializer_list>

namespace bessd::mqtt {

namespace {

// The value at a path of object keys, or null when any step is missing.
const Json& at(const Json& doc, std::initializer_list<const char*> path) {
  static const Json null_value;
  const Json* j = &doc;
  for (const char* key : path) {
    if (!j->is_object()) return null_value;
    const auto it = j->find(key);
    if (it == j->end()) return null_value;
    j = &*it;
  }
  return *j;
}

Json clipped_text(const Json& v) {
  return v.is_string() ? Json(clipped(v.get<std::string>())) : Json(nullptr);
}

// "ALM-01, COM-02": the codes of a list of faults, for one sensor's state.
Json codes_of(const Json& list) {
  std::string out;
  if (list.is_array())
    for (const auto& f : list)
      if (f.is_object() && f.contains("code") && f.at("code").is_string())
        out += (out.empty() ? "" : ", ") + f.at("code").get<std::string>();
  return clipped(out);
}

std::size_t count_of(const Json& list) {
  return list.is_array() ? list.size() : 0;
}

bool has_code(const Json& list, std::string_view code) {
  if (!list.is_array()) return false;
  for (const auto& f : list)
    if (f.is_object() && f.value("code", "") == code) return true;
  return false;
}

Json link_up(const Json& status, std::string_view name) {
  const auto& links = at(status, {"links"});
  if (!links.is_array()) return nullptr;
  for (const auto& l : links)
    if (l.is_object() && l.value("name", "") == name) return l.value("state", "") == "up";
  return nullptr;
}

}  // namespace

std::string clipped(std::string_view text, std::size_t max_characters) {
  std::size_t characters = 0;
  std::size_t cut = text.size();
  std::size_t last_start = 0;  // byte where the last character kept would start
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (characters == max_characters) {
      cut = i;
      break;
    }
    last_start = i;
    ++characters;
  }
  if (cut == text.size()) return std::string(text);
  // Room for the ellipsis: the last character kept goes.
  return std::string(text.substr(0, last_start)) + "\u2026";
}

Json state_payload(const Json& status) {
  const auto& pack = at(status, {"pack"});
  const auto& flow = at(status, {"power_flow"});
  const auto& env = at(status, {"envelope"});
  const auto& faults = at(status, {"active_faults"});
  const auto& warnings = at(status, {"warnings"});
  return {
      {"time", at(status, {"time"})},
      {"state", at(status, {"state"})},
      {"mode", at(status, {"mode"})},
      {"operating_reason", at(status, {"operating_reason", "code"})},
      {"operating_reason_text", clipped_text(at(status, {"operating_reason", "text"}))},
      {"soc_pct", at(pack, {"soc_pct"})},
      {"soh_pct", at(pack, {"soh_pct"})},
      {"pack_voltage_v", at(pack, {"voltage_v"})},
      {"pack_current_a", at(pack, {"current_a"})},
      {"cell_voltage_min_v", at(pack, {"cell_voltage_min_v"})},
      {"cell_voltage_max_v", at(pack, {"cell_voltage_max_v"})},
      {"cell_temperature_min_c", at(pack, {"cell_temperature_min_c"})},
      {"cell_temperature_max_c", at(pack, {"cell_temperature_max_c"})},
      {"battery_power_w", at(flow, {"battery_w"})},
      {"grid_power_w", at(flow, {"grid_w"})},
      {"pv_power_w", at(flow, {"pv_w"})},
      {"house_power_w", at(flow, {"house_w"})},
      {"commanded_power_w", at(status, {"commanded_power_w"})},
      {"manual_setpoint_w", at(status, {"manual_setpoint_w"})},
      {"reserve_soc_pct", at(status, {"reserve_soc_pct"})},
      {"target_soc_pct", at(status, {"target_soc_pct"})},
      {"plan", clipped_text(at(status, {"schedule", "plan"}))},
      {"charge_limit_w", at(env, {"charge_power_max_w"})},
      {"charge_limit_cause", clipped_text(at(env, {"charge_power_cause", "sentence"}))},
      {"discharge_limit_w", at(env, {"discharge_power_max_w"})},
      {"discharge_limit_cause", clipped_text(at(env, {"discharge_power_cause", "sentence"}))},
      {"fault_count", count_of(faults)},
      {"faults", codes_of(faults)},
      {"warning_count", count_of(warnings)},
      {"warnings", codes_of(warnings)},
      {"fire_alarm", has_code(faults, "ALM-01")},
      {"compliance", at(status, {"compliance", "verdict"})},
      {"bms_online", link_up(status, "bms")},
      {"inverter_online", link_up(status, "inverter")},
  };
}

Json energy_payload(const Json& status) {
  const auto& e = at(status, {"energy"});
  Json out = {
      {"battery_charged_kwh", at(e, {"battery_charged_kwh"})},
      {"battery_discharged_kwh", at(e, {"battery_discharged_kwh"})},
      {"grid_import_kwh", at(e, {"grid_import_kwh"})},
      {"grid_export_kwh", at(e, {"grid_export_kwh"})},
      {"pv_kwh", at(e, {"pv_kwh"})},
      {"house_kwh", at(e, {"house_kwh"})},
      {"since", at(e, {"since"})},
      {"as_of", at(e, {"as_of"})},
      {"today", at(e, {"today"})},
      {"currency", at(e, {"prices", "currency"})},
  };
  return out;
}

Json faults_payload(const Json& status) {
  const auto list = [](const Json& in) {
    Json out = Json::array();
    if (!in.is_array()) return out;
    for (const auto& f : in)
      if (f.is_object())
        out.push_back({{"code", f.value("code", "")},
                       {"severity", f.value("severity", "")},
                       {"message", f.value("message", "")},
                       {"latched", f.value("latched", false)},
                       {"since", f.contains("since") ? f.at("since") : Json(nullptr)}});
    return out;
  };
  return {{"time", at(status, {"time"})},
          {"faults", list(at(status, {"active_faults"}))},
          {"warnings", list(at(status, {"warnings"}))},
          {"service_faults", list(at(status, {"service_faults"}))}};
}

}  // namespace bessd::mqtt
