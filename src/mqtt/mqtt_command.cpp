#include <bessd/mqtt/mqtt_command.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include <bessd/api/query_params.hpp>

namespace bessd::mqtt {

namespace {

using Json = nlohmann::json;

CommandCheck refused(std::string_view name, const std::string& why) {
  return {std::nullopt, "command " + std::string(name) + " refused: " + why};
}

// A plain payload as a shell sends it ("idle\n" from echo, "1000\r\n"): without the white space
// around it.
std::string_view trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<api::Mode> mode_named(std::string_view text) {
  // The same words as PUT /v1/mode, but a Home Assistant user may type them in any case.
  return api::parse_mode(lower(trimmed(text)));
}

std::optional<double> number_in(std::string_view text) {
  text = trimmed(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

// The sent_at of a JSON command: its age against the validity, or why it is refused.
std::string stale(const Json& j, WallTime now, std::chrono::seconds validity) {
  if (!j.contains("sent_at")) return {};
  const Json& v = j.at("sent_at");
  std::optional<WallTime> at;
  if (v.is_string()) at = api::parse_time(v.get<std::string>(), now);
  // Whole Unix seconds within ±10^11 (beyond year 5000): further would overflow the clock's type.
  constexpr std::int64_t kSecondsBound = 100'000'000'000;
  if (v.is_number_integer() &&
      !(v.is_number_unsigned() && v.get<std::uint64_t>() > kSecondsBound) &&
      std::llabs(v.get<std::int64_t>()) <= kSecondsBound)
    at = WallTime{} + std::chrono::seconds{v.get<std::int64_t>()};
  if (!at) return "sent_at must be an RFC 3339 time or Unix seconds, got " + v.dump();
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *at);
  if (age > validity)
    return "sent " + std::to_string(age.count()) + " s ago, valid for " +
           std::to_string(validity.count()) + " s";
  if (-age > validity)
    return "sent_at is " + std::to_string((-age).count()) +
           " s ahead of this gateway's clock (more than the validity of " +
           std::to_string(validity.count()) + " s)";
  return {};
}

// "reserve" / "target": a percentage as Home Assistant's number sends it, "config" for the
// configuration's value, or JSON with reserve_soc_pct / target_soc_pct (null: the configuration's).
// The facade checks it against the configured window, as for PUT /v1/settings.
CommandCheck soc_setting(std::string_view name, std::string_view payload, bool json, const Json& j,
                         MqttCommand c) {
  const std::string key = name == "reserve" ? "reserve_soc_pct" : "target_soc_pct";
  std::optional<double> pct;
  bool configured = false;
  if (json) {
    if (!j.contains(key)) return refused(name, "the JSON payload needs " + key);
    // As PUT /v1/settings: a key this command does not take is a mistake, not a no-op.
    for (const auto& item : j.items())
      if (item.key() != key && item.key() != "client" && item.key() != "sent_at")
        return refused(name, "unknown key \"" + item.key() + "\" (this command takes " + key +
                                 ", client and sent_at)");
    configured = j.at(key).is_null();
    if (j.at(key).is_number()) pct = j.at(key).get<double>();
  } else {
    configured = lower(trimmed(payload)) == "config";
    pct = number_in(payload);
  }
  if (!configured && !(pct && *pct >= 0.0 && *pct <= 100.0))
    return refused(name,
                   "the payload must be a state of charge from 0 to 100 (%), \"config\" "
                   "for the configured value, or JSON with " +
                       key);
  c.kind = CommandKind::settings;
  auto& field = name == "reserve" ? c.settings.reserve_soc_pct : c.settings.target_soc_pct;
  field.emplace(configured ? std::nullopt : pct);
  return {c, {}};
}

}  // namespace

CommandCheck check_command(std::string_view name, std::string_view payload, bool retained,
                           WallTime now, std::chrono::seconds validity) {
  if (name != "mode" && name != "setpoint" && name != "ack" && name != "reserve" &&
      name != "target")
    return refused(name, "unknown command (mode, setpoint, ack, reserve, target)");
  // A command is a word or a small JSON object: anything longer is not one of ours.
  if (payload.size() > kMaxCommandBytes)
    return refused(name, "the payload is " + std::to_string(payload.size()) + " bytes, at most " +
                             std::to_string(kMaxCommandBytes));
  if (retained)
    return refused(name,
                   "it arrived retained, so it may be old; publish commands without the "
                   "retain flag");
  const bool json = !trimmed(payload).empty() && trimmed(payload).front() == '{';
  Json j = Json::object();
  if (json) {
    j = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return refused(name, "the payload is not JSON");
    if (auto why = stale(j, now, validity); !why.empty()) return refused(name, why);
  }
  MqttCommand c;
  if (json && j.contains("client")) {
    const Json& v = j.at("client");
    // Printable ASCII only: the name ends up in the audit log and on terminals.
    const auto printable_name = [](const std::string& text) {
      return !text.empty() && text.size() <= 64 &&
             std::all_of(text.begin(), text.end(),
                         [](char ch) { return ch >= 0x20 && ch <= 0x7e; });
    };
    const bool printable = v.is_string() && printable_name(v.get_ref<const std::string&>());
    if (!printable) return refused(name, "client must be 1 to 64 printable ASCII characters");
    c.client = v.get<std::string>();
  }
  if (name == "ack") {
    const std::string word = lower(trimmed(payload));
    if (!json && word != "ack" && word != "press")
      return refused(name, "the payload must be \"ack\" or JSON");
    c.kind = CommandKind::acknowledge;
    return {c, {}};
  }
  if (name == "reserve" || name == "target") return soc_setting(name, payload, json, j, c);
  if (name == "setpoint") {
    std::optional<double> w = json ? (j.contains("setpoint_w") && j.at("setpoint_w").is_number()
                                          ? std::optional<double>(j.at("setpoint_w").get<double>())
                                          : std::nullopt)
                                   : number_in(payload);
    if (!w)
      return refused(name, "the payload must be a power in W (+ = charge) or JSON with setpoint_w");
    c.mode.mode = api::Mode::manual;
    c.mode.setpoint_w = *w;
  } else {
    const std::string text =
        json ? (j.contains("mode") && j.at("mode").is_string() ? j.at("mode").get<std::string>()
                                                               : std::string())
             : std::string(payload);
    const auto mode = mode_named(text);
    if (!mode) return refused(name, "the mode must be idle, self_consumption or manual");
    c.mode.mode = *mode;
    if (json && j.contains("setpoint_w")) {
      if (!j.at("setpoint_w").is_number()) return refused(name, "setpoint_w must be a number");
      c.mode.setpoint_w = j.at("setpoint_w").get<double>();
    }
  }
  // The bounds PUT /v1/mode has (docs/api.md): a typo guard; the controller clamps the rest.
  if (c.mode.setpoint_w && std::abs(*c.mode.setpoint_w) > api::kMaxSetpointMagnitudeW)
    return refused(name, "setpoint_w must be within ±1000000 W");
  if (c.mode.setpoint_w && c.mode.mode != api::Mode::manual)
    return refused(name, "setpoint_w is only allowed with mode manual");
  if (json && j.contains("expires_in_s")) {
    const Json& v = j.at("expires_in_s");
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 ||
        v.get<std::int64_t>() > api::kMaxModeExpirySeconds)
      return refused(name, "expires_in_s must be a whole number of seconds from 1 to " +
                               std::to_string(api::kMaxModeExpirySeconds));
    c.mode.expires_in_s = v.get<std::int64_t>();
  }
  return {c, {}};
}

}  // namespace bessd::mqtt

namespace bessd::mqtt {

bool asks_for_idle(std::string_view name, std::string_view payload) {
  if (name != "mode" || payload.size() > kMaxCommandBytes) return false;
  if (payload.empty() || payload.front() != '{') return mode_named(payload) == api::Mode::idle;
  const auto j = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  // An idle with an expiry releases power when it ends: not the safe direction.
  return j.is_object() && j.contains("mode") && j["mode"] == "idle" &&
         (!j.contains("expires_in_s") || j["expires_in_s"].is_null());
}

}  // namespace bessd::mqtt
