// String names of the API enums: the exact words that appear in JSON and query parameters.

#include <bessd/api/health_dto.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/limits_dto.hpp>
#include <bessd/api/query_dto.hpp>
#include <bessd/api/requester.hpp>
#include <bessd/api/status_dto.hpp>

namespace bessd::api {

std::string_view to_string(Transport t) noexcept {
  return enum_name(kTransportNames, t);
}

std::string_view to_string(Scope s) noexcept {
  return enum_name(kScopeNames, s);
}

std::string Requester::describe() const {
  std::string out;
  if (uid) {
    out = "uid " + std::to_string(*uid);
    if (!user.empty()) out += " (" + user + ")";
    if (pid) out += " pid " + std::to_string(*pid);
  } else if (transport == Transport::mqtt) {
    out = "client " + (user.empty() ? std::string{"(unnamed)"} : user);
  } else if (!credential.empty()) {
    out = (user == "session" ? "session of token " : "token ") + credential;
  } else {
    out = user.empty() ? std::string{"anonymous"} : user;
  }
  out += " via " + std::string(to_string(transport));
  if (!peer.empty()) out += " " + peer;
  return out;
}

std::string_view to_string(Mode m) noexcept {
  return enum_name(kModeNames, m);
}

std::optional<Mode> parse_mode(std::string_view text) noexcept {
  return enum_from_name(kModeNames, text);
}

std::string_view to_string(LinkState s) noexcept {
  return enum_name(kLinkStateNames, s);
}

std::string_view to_string(Verdict v) noexcept {
  return enum_name(kVerdictNames, v);
}

std::string_view to_string(Direction d) noexcept {
  return enum_name(kDirectionNames, d);
}

std::string_view to_string(ValueSource s) noexcept {
  return enum_name(kValueSourceNames, s);
}

std::string_view to_string(Resolution r) noexcept {
  return enum_name(kResolutionNames, r);
}

std::optional<Resolution> parse_resolution(std::string_view text) noexcept {
  return enum_from_name(kResolutionNames, text);
}

int default_energy_periods(energy::PeriodKind kind) noexcept {
  switch (kind) {
    case energy::PeriodKind::day:
      return 31;
    case energy::PeriodKind::week:
    case energy::PeriodKind::month:
      return 12;
    case energy::PeriodKind::year:
      return 5;
  }
  return 31;
}

const std::vector<std::string_view>& history_fields() {
  static const std::vector<std::string_view> fields{
      "soc_pct",
      "soh_pct",
      "voltage_v",
      "current_a",
      "power_w",
      "temperature_c",
      "cell_voltage_min_v",
      "cell_voltage_max_v",
      "cell_temperature_min_c",
      "cell_temperature_max_c",
      "cell_voltage_estimated_v",
      "grid_power_w",
      "pv_power_w",
      "inverter_battery_power_w",
      "setpoint_w",
      "charge_power_max_w",
      "discharge_power_max_w",
  };
  return fields;
}

std::string_view to_string(Method m) noexcept {
  return enum_name(kMethodNames, m, "OTHER");
}

Method parse_method(std::string_view text) noexcept {
  return enum_from_name(kMethodNames, text).value_or(Method::other);
}

}  // namespace bessd::api
