// String names of the API enums: the exact words that appear in JSON and query parameters.

#include <bessd/api/health_dto.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/limits_dto.hpp>
#include <bessd/api/query_dto.hpp>
#include <bessd/api/requester.hpp>
#include <bessd/api/status_dto.hpp>

namespace bessd::api {

std::string_view to_string(Transport t) noexcept {
  switch (t) {
    case Transport::unix_socket:
      return "unix";
    case Transport::tcp:
      return "tcp";
    case Transport::internal:
      return "internal";
    case Transport::mqtt:
      return "mqtt";
  }
  return "invalid";
}

std::string_view to_string(Scope s) noexcept {
  switch (s) {
    case Scope::read:
      return "read";
    case Scope::control:
      return "control";
  }
  return "invalid";
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
  switch (m) {
    case Mode::idle:
      return "idle";
    case Mode::manual:
      return "manual";
    case Mode::schedule:
      return "schedule";
    case Mode::self_consumption:
      return "self_consumption";
  }
  return "invalid";
}

std::optional<Mode> parse_mode(std::string_view text) noexcept {
  for (Mode m : {Mode::idle, Mode::manual, Mode::self_consumption, Mode::schedule})
    if (to_string(m) == text) return m;
  return std::nullopt;
}

std::string_view to_string(LinkState s) noexcept {
  switch (s) {
    case LinkState::unknown:
      return "unknown";
    case LinkState::up:
      return "up";
    case LinkState::stale:
      return "stale";
    case LinkState::down:
      return "down";
    case LinkState::disabled:
      return "disabled";
  }
  return "invalid";
}

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::pass:
      return "pass";
    case Verdict::warn:
      return "warn";
    case Verdict::derate:
      return "derate";
    case Verdict::block:
      return "block";
  }
  return "invalid";
}

std::string_view to_string(Direction d) noexcept {
  switch (d) {
    case Direction::charge:
      return "charge";
    case Direction::discharge:
      return "discharge";
    case Direction::both:
      return "both";
  }
  return "invalid";
}

std::string_view to_string(ValueSource s) noexcept {
  switch (s) {
    case ValueSource::reported:
      return "reported";
    case ValueSource::derived:
      return "derived";
    case ValueSource::configured:
      return "configured";
    case ValueSource::unavailable:
      return "unavailable";
  }
  return "invalid";
}

std::string_view to_string(Resolution r) noexcept {
  switch (r) {
    case Resolution::raw:
      return "raw";
    case Resolution::minute:
      return "minute";
    case Resolution::quarter_hour:
      return "quarter_hour";
  }
  return "invalid";
}

std::optional<Resolution> parse_resolution(std::string_view text) noexcept {
  for (Resolution r : {Resolution::raw, Resolution::minute, Resolution::quarter_hour})
    if (to_string(r) == text) return r;
  return std::nullopt;
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
  switch (m) {
    case Method::get:
      return "GET";
    case Method::put:
      return "PUT";
    case Method::post:
      return "POST";
    case Method::head:
      return "HEAD";
    case Method::delete_:
      return "DELETE";
    case Method::patch:
      return "PATCH";
    case Method::options:
      return "OPTIONS";
    case Method::other:
      return "OTHER";
  }
  return "OTHER";
}

Method parse_method(std::string_view text) noexcept {
  for (Method m : {Method::get, Method::put, Method::post, Method::head, Method::delete_,
                   Method::patch, Method::options})
    if (to_string(m) == text) return m;
  return Method::other;
}

}  // namespace bessd::api
