// docs/openapi.json against the router: every route is documented and every documented route
// exists, and the router's responses validate against the documented schemas.

#include <algorithm>
#include <fstream>
#include <set>

#include "router_test_support.hpp"

namespace bessd::api::test {
namespace {

using Json = nlohmann::json;

Json load_openapi() {
  std::ifstream in(std::string(BESSD_SOURCE_DIR) + "/docs/openapi.json");
  EXPECT_TRUE(in.good()) << "docs/openapi.json missing";
  return Json::parse(in, nullptr, false);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool type_matches(const std::string& type, const Json& v) {
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number_integer();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  return false;
}

/// A small JSON Schema validator for the keywords docs/openapi.json uses.
void validate(const Json& root, const Json& schema, const Json& v, const std::string& where,
              std::vector<std::string>& errors) {
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string name = ref.substr(ref.rfind('/') + 1);
    return validate(root, root["components"]["schemas"][name], v, where, errors);
  }
  if (schema.contains("anyOf")) {
    std::vector<std::string> first;
    for (const auto& alternative : schema["anyOf"]) {
      std::vector<std::string> these;
      validate(root, alternative, v, where, these);
      if (these.empty()) return;
      if (first.empty()) first = these;
    }
    errors.insert(errors.end(), first.begin(), first.end());
    return;
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_array())
      types = schema["type"].get<std::vector<std::string>>();
    else
      types.push_back(schema["type"]);
    if (std::none_of(types.begin(), types.end(), [&](const auto& t) { return type_matches(t, v); }))
      return errors.push_back(where + ": type " + schema["type"].dump() + " expected, got " +
                              v.dump());
  }
  if (schema.contains("enum") && !v.is_null() &&
      std::find(schema["enum"].begin(), schema["enum"].end(), v) == schema["enum"].end())
    errors.push_back(where + ": " + v.dump() + " not in " + schema["enum"].dump());
  if (v.is_object()) {
    const Json props = schema.value("properties", Json::object());
    for (const auto& [key, value] : v.items()) {
      if (props.contains(key)) {
        validate(root, props[key], value, where + "/" + key, errors);
      } else if (schema.contains("additionalProperties")) {
        const auto& ap = schema["additionalProperties"];
        if (ap.is_boolean() && !ap.get<bool>())
          errors.push_back(where + "/" + key + ": not in the schema");
        else if (ap.is_object())
          validate(root, ap, value, where + "/" + key, errors);
      }
    }
    for (const auto& r : schema.value("required", Json::array()))
      if (!v.contains(r.get<std::string>()))
        errors.push_back(where + ": required \"" + r.get<std::string>() + "\" missing");
  }
  if (v.is_array() && schema.contains("items"))
    for (std::size_t i = 0; i < v.size(); ++i)
      validate(root, schema["items"], v[i], where + "/" + std::to_string(i), errors);
}

using OpenApi = RouterFixture;

TEST_F(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  const Json doc = load_openapi();
  ASSERT_TRUE(doc.is_object());
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& r : router.routes()) routes.emplace(lower(to_string(r.method)), r.path);
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) documented.emplace(method, path);
  for (const auto& r : routes)
    EXPECT_TRUE(documented.count(r))
        << r.first << " " << r.second << " is not in docs/openapi.json";
  for (const auto& d : documented)
    EXPECT_TRUE(routes.count(d)) << d.first << " " << d.second << " is documented but not routed";
}

TEST_F(OpenApi, ResponsesMatchTheDocumentedSchemas) {
  const Json doc = load_openapi();
  facade.status_snapshot.controller.active_faults.push_back(
      {"ALM-01", core::Severity::critical, "fire alarm", clock.wall_now(), true, true});
  ASSERT_EQ(call(Method::put, "/v1/mode", R"({"mode":"idle"})").status, 200u);
  energy::DayEnergy day{*parse_date("2026-12-04"), {}};
  day.increase.battery_charged_kwh = 2.5;
  day.increase.measured_s = 3600.0;
  facade.energy_days.push_back(day);
  facade.status_snapshot.energy.today = day;
  facade.status_snapshot.energy.prices = energy::FlatPrices{"GBP", 0.245, 0.15};
  struct Case {
    Method method;
    std::string path;
    std::string target;
    std::string body;
  };
  const std::vector<Case> cases{
      {Method::get, "/v1/status", "/v1/status", ""},
      {Method::get, "/v1/limits", "/v1/limits", ""},
      {Method::get, "/v1/compliance", "/v1/compliance", ""},
      {Method::get, "/v1/health", "/v1/health", ""},
      {Method::get, "/v1/events", "/v1/events", ""},
      {Method::get, "/v1/history", "/v1/history?fields=soc_pct,grid_power_w", ""},
      {Method::get, "/v1/audit", "/v1/audit", ""},
      {Method::get, "/v1/energy", "/v1/energy?period=week&count=3", ""},
      {Method::get, "/v1/config", "/v1/config", ""},
      {Method::put, "/v1/mode", "/v1/mode", R"({"mode":"manual","setpoint_w":300})"},
      {Method::get, "/v1/settings", "/v1/settings", ""},
      {Method::put, "/v1/settings", "/v1/settings", R"({"reserve_soc_pct":40})"},
      {Method::put, "/v1/settings", "/v1/settings", R"({"reserve_soc_pct":null})"},
      {Method::post, "/v1/faults/ack", "/v1/faults/ack", ""},
      {Method::post, "/v1/self-test", "/v1/self-test", ""},
  };
  for (const auto& c : cases) {
    const auto r = call(c.method, c.target, c.body);
    ASSERT_EQ(r.status, 200u) << c.target << ": " << r.body;
    const auto& schema = doc["paths"][c.path][lower(to_string(c.method))]["responses"]["200"]
                            ["content"]["application/json"]["schema"];
    std::vector<std::string> errors;
    validate(doc, schema, json(r), c.path, errors);
    EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  }
  // Errors follow the Error schema, with and without details.
  for (const auto& target : {"/v1/events?limit=0", "/v1/nothing"}) {
    const auto r = call(Method::get, target);
    std::vector<std::string> errors;
    validate(doc, doc["components"]["schemas"]["Error"], json(r), target, errors);
    EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  }
}

TEST_F(OpenApi, ValidatorCatchesUndocumentedFields) {
  // The check itself must be able to fail.
  const Json doc = load_openapi();
  Json status = json(call(Method::get, "/v1/status"));
  status["pack"]["surprise_w"] = 1;
  status.erase("mode");
  std::vector<std::string> errors;
  validate(doc, doc["components"]["schemas"]["Status"], status, "", errors);
  EXPECT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
}

}  // namespace
}  // namespace bessd::api::test
