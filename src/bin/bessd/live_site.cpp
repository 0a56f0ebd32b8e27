#include "live_site.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include <bessd/compliance/bms_nameplate.hpp>

#include "api_client.hpp"

namespace bessd::cli {

namespace {

using Json = nlohmann::json;

Result<Json> get_json(const bessctl::Endpoint& ep, const std::string& target) {
  auto reply = bessctl::send_request(ep, "GET", target);
  if (!reply) return fail(reply.error().code, reply.error().message);
  if (reply->status != 200)
    return fail(ErrorCode::protocol_error, "GET " + target + " on " + ep.socket_path +
                                               " answered " + std::to_string(reply->status) + ": " +
                                               reply->body.substr(0, 200));
  Json body = Json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return fail(ErrorCode::protocol_error,
                "GET " + target + " on " + ep.socket_path + " did not answer a JSON object");
  return body;
}

std::optional<double> number_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional<double>{v} : std::nullopt;
}

std::string text_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string number_text(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::optional<compliance::BmsNameplate> nameplate_of(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  const auto capacity = number_at(j, "capacity_ah");
  if (!capacity) return std::nullopt;
  compliance::BmsNameplate n;
  n.capacity_ah = *capacity;
  n.energy_kwh = number_at(j, "energy_kwh");
  n.nominal_voltage_v = number_at(j, "nominal_voltage_v");
  n.voltage_basis = text_at(j, "voltage_basis");
  n.from_charge_voltage_limit = n.voltage_basis.find("charge-voltage limit") != std::string::npos;
  if (const auto modules = number_at(j, "module_count"))
    n.module_count = static_cast<std::uint16_t>(*modules);
  return n;
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return buf;
}

}  // namespace

Result<LiveSite> read_live_site(const std::string& socket_path, std::chrono::milliseconds timeout) {
  bessctl::Endpoint ep;
  ep.socket_path = socket_path;
  ep.timeout = timeout;
  auto status = get_json(ep, "/v1/status");
  if (!status) return fail(status.error().code, status.error().message);
  LiveSite live;
  live.read_at = std::chrono::system_clock::now();
  const Json pack = status->value("pack", Json::object());
  live.pack.manufacturer = text_at(pack, "manufacturer");
  live.pack.bms_name = text_at(pack, "bms_name");
  live.pack.firmware = text_at(pack, "firmware");
  live.pack.capacity_ah = number_at(pack, "capacity_ah");
  live.pack.available_capacity_ah = number_at(pack, "available_capacity_ah");
  live.pack_age_s = number_at(pack, "age_s");
  live.pack.voltage_v = number_at(pack, "voltage_v");
  live.pack.soh_pct = number_at(pack, "soh_pct");
  const Json modules = pack.value("modules", Json::object());
  if (const auto total = number_at(modules, "total"))
    live.pack.modules.total = static_cast<std::uint16_t>(*total);
  if (const auto online = number_at(modules, "online"))
    live.pack.modules.online = static_cast<std::uint16_t>(*online);
  const Json inverter = status->value("inverter", Json::object());
  live.inverter_model = text_at(inverter, "model");
  live.inverter_serial = text_at(inverter, "serial");
  // The daemon's report: without it the record cannot say what the daemon judged.
  auto report = get_json(ep, "/v1/compliance");
  if (!report) return fail(report.error().code, report.error().message);
  live.daemon_verdict = text_at(*report, "verdict");
  live.daemon_config_fingerprint = text_at(*report, "config_fingerprint");
  live.bms_nameplate = nameplate_of(report->value("bms_nameplate", Json()));
  return live;
}

std::vector<std::string> pack_identity_lines(const LiveSite& live) {
  const auto& p = live.pack;
  std::vector<std::string> lines;
  std::string bms = p.manufacturer;
  if (!p.bms_name.empty()) bms += (bms.empty() ? "" : " ") + p.bms_name;
  lines.push_back("BMS: " + (bms.empty() ? std::string{"name not reported"} : bms) +
                  (p.firmware.empty() ? "" : ", firmware " + p.firmware));
  // The nameplate the daemon judged, as is (docs/compliance.md, "Running the check": the
  // commissioning record).
  if (const auto& n = live.bms_nameplate) {
    std::string line =
        "Installed capacity (BMS, as the daemon judged it): " + number_text(n->capacity_ah, 0) +
        " Ah";
    if (n->energy_kwh && n->nominal_voltage_v)
      line += " = " + number_text(*n->energy_kwh, 1) + " kWh at " +
              number_text(*n->nominal_voltage_v, 1) + " V";
    line += " (" + n->voltage_basis + ")";
    lines.push_back(line);
  } else if (p.capacity_ah) {
    lines.push_back("Installed capacity (BMS): " + number_text(*p.capacity_ah, 0) +
                    " Ah, not yet stable long enough for the daemon to use it");
  } else {
    lines.push_back("Installed capacity (BMS): not reported; the configured energy counts");
  }
  if (p.available_capacity_ah)
    lines.push_back("Available capacity (BMS, follows the state of charge): " +
                    number_text(*p.available_capacity_ah, 0) + " Ah");
  if (p.modules.total)
    lines.push_back(
        "Modules: " + std::to_string(*p.modules.total) +
        (p.modules.online ? " (" + std::to_string(*p.modules.online) + " online)" : std::string{}));
  if (p.soh_pct) lines.push_back("State of health (BMS): " + number_text(*p.soh_pct, 0) + " %");
  // Pylontech-style CAN BMSs carry no serial numbers: say so rather than leave a gap.
  lines.push_back(
      "Pack serial numbers: not reported by the BMS protocol; copy them from the "
      "modules' labels");
  if (!live.inverter_model.empty() || !live.inverter_serial.empty())
    lines.push_back(
        "Inverter: " +
        (live.inverter_model.empty() ? std::string{"model not reported"} : live.inverter_model) +
        (live.inverter_serial.empty() ? "" : ", serial " + live.inverter_serial));
  lines.push_back(
      "Running daemon's verdict: " +
      (live.daemon_verdict.empty() ? std::string{"not reported"} : live.daemon_verdict) +
      ", configuration fingerprint " +
      (live.daemon_config_fingerprint.empty() ? std::string{"not reported"}
                                              : live.daemon_config_fingerprint));
  std::string read = "Pack data read from the daemon: " + utc_text(live.read_at);
  if (live.pack_age_s)
    read += " (newest BMS measurement " + number_text(*live.pack_age_s, 1) + " s old)";
  else
    read += " (no BMS measurement received)";
  lines.push_back(read);
  return lines;
}

}  // namespace bessd::cli
