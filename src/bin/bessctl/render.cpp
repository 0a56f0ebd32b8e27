#include "render.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <sstream>
#include <vector>

namespace bessctl {

namespace {

bool g_utc = false;

std::string num(const Json& v, int decimals, const char* unit = "", bool sign = false) {
  if (!v.is_number()) return "-";
  double x = v.get<double>();
  // A value that rounds to zero is 0, not "-0" or "+0": it has no direction.
  const double scale = std::pow(10.0, decimals);
  if (std::round(std::abs(x) * scale) == 0.0) {
    x = 0.0;
    sign = false;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f%s" : "%.*f%s", decimals, x, unit);
  return buf;
}

// The API's times are UTC ("2026-12-04T16:41:49.123Z"); people read their own clock.
std::string when(const Json& v) {
  if (!v.is_string()) return v.is_null() ? "-" : v.dump();
  const std::string& text = v.get_ref<const std::string&>();
  std::tm tm{};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6 ||
      text.back() != 'Z')
    return text;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t t = ::timegm(&tm);
  std::tm shown{};
  if (g_utc ? ::gmtime_r(&t, &shown) == nullptr : ::localtime_r(&t, &shown) == nullptr) return text;
  char buf[64];
  if (std::strftime(buf, sizeof buf, g_utc ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M:%S %Z",
                    &shown) == 0)
    return text;
  return buf;
}

std::string str(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "-" : v.dump();
}

const Json& at(const Json& j, const char* key) {
  static const Json null_value;
  return j.is_object() && j.contains(key) ? j.at(key) : null_value;
}

// "£0.84" for a symbol, "0.84 GBP" for a code (docs/configuration.md "prices").
std::string amount(const Json& v, const Json& currency) {
  const std::string c = currency.is_string() ? currency.get<std::string>() : "";
  const bool code = !c.empty() && std::all_of(c.begin(), c.end(), [](unsigned char ch) {
    return std::isalpha(ch) != 0;
  });
  if (code || c.empty() || !v.is_number()) return num(v, 2) + (c.empty() ? "" : " " + c);
  const double x = v.get<double>();
  const std::string digits = num(Json(std::abs(x)), 2);
  return (x < 0.0 && digits != "0.00" ? "-" : "") + c + digits;
}

std::string direction_word(const Json& power_w) {
  if (!power_w.is_number()) return "";
  const double p = power_w.get<double>();
  if (p > 0.5) return " (charging)";
  if (p < -0.5) return " (discharging)";
  return " (idle)";
}

std::string cause_text(const Json& cause) {
  std::string out;
  if (at(cause, "rule_id").is_string()) out = at(cause, "rule_id").get<std::string>() + ": ";
  out += str(at(cause, "sentence"));
  return out;
}

}  // namespace

void show_times_in_utc(bool utc) {
  g_utc = utc;
}

std::string render_status(const Json& s) {
  std::ostringstream o;
  const auto& pack = at(s, "pack");
  const auto& inv = at(s, "inverter");
  const auto& env = at(s, "envelope");
  // The answer to "why is it (not) charging?" comes first (docs/api.md "Operating reason").
  if (const auto& reason = at(s, "operating_reason"); reason.is_object())
    o << "Now:        " << str(at(reason, "text")) << "\n";
  o << "State:      " << str(at(s, "state")) << "   mode " << str(at(s, "mode"));
  if (at(s, "manual_setpoint_w").is_number())
    o << " (setpoint " << num(at(s, "manual_setpoint_w"), 0, " W", true) << ")";
  o << "   commanded " << num(at(s, "commanded_power_w"), 0, " W", true);
  if (!str(at(s, "command_reason")).empty()) o << " [" << str(at(s, "command_reason")) << "]";
  o << "\n";
  if (str(at(s, "mode_source")) == "operator")
    o << "Mode set:   by " << str(at(s, "mode_set_by")) << " at " << when(at(s, "mode_set_at"))
      << (at(s, "mode_expires_at").is_string()
              ? ", until " + when(at(s, "mode_expires_at")) + " (then the configured mode)"
              : std::string())
      << " (kept across restarts)\n";
  else if (at(s, "mode_source").is_string())
    o << "Mode set:   by the configuration file\n";
  if (const auto& sc = at(s, "schedule"); sc.is_object())
    o << "Schedule:   " << str(at(sc, "action"))
      << (at(sc, "goal_soc_pct").is_number() ? " to " + num(at(sc, "goal_soc_pct"), 0, " %")
                                             : std::string())
      << (at(sc, "window").is_string() ? " in the window " + str(at(sc, "window"))
                                       : std::string(" (between the windows)"))
      << ", local time " << str(at(sc, "local_time")) << " " << str(at(sc, "time_zone")) << "\n";
  if (const auto& sc = at(s, "schedule"); at(sc, "plan").is_string())
    o << "Plan:       " << str(at(sc, "plan")) << " (bessctl plan)\n";
  if (at(s, "reserve_soc_pct").is_number())
    o << "SOC window: discharging stops at " << num(at(s, "reserve_soc_pct"), 0, " %")
      << ", charging at " << num(at(s, "target_soc_pct"), 0, " %") << " (bessctl settings)\n";
  o << "Battery:    SOC " << num(at(pack, "soc_pct"), 1, " %") << "  SOH "
    << num(at(pack, "soh_pct"), 1, " %") << "  " << num(at(pack, "voltage_v"), 2, " V") << "  "
    << num(at(pack, "current_a"), 2, " A", true) << "  " << num(at(pack, "power_w"), 0, " W", true)
    << direction_word(at(pack, "power_w")) << "  " << num(at(pack, "temperature_c"), 1, " °C")
    << "  (data age " << num(at(pack, "age_s"), 1, " s") << ")\n";
  const auto& protection = at(s, "protection");
  if (str(at(protection, "cell_data")) == "estimated")
    o << "Cells:      about " << num(at(protection, "estimated_cell_voltage_v"), 3, " V")
      << " (estimated: pack voltage / series cells; the BMS sends no cell data)\n";
  else if (str(at(protection, "cell_data")) == "none")
    o << "Cells:      no cell data from the BMS (set battery.series_cells for an estimate)\n";
  else
    o << "Cells:      " << num(at(pack, "cell_voltage_min_v"), 3) << " .. "
      << num(at(pack, "cell_voltage_max_v"), 3, " V") << " (spread "
      << num(at(pack, "cell_voltage_spread_mv"), 0, " mV") << ")  "
      << num(at(pack, "cell_temperature_min_c"), 1) << " .. "
      << num(at(pack, "cell_temperature_max_c"), 1, " °C") << "\n";
  if (at(protection, "waiting_for_bms") == true)
    o << "BMS:        waiting for the first data since start\n";
  if (at(protection, "recovery_charge").is_string())
    o << "Recharge:   " << str(at(protection, "recovery_charge")) << "\n";
  const auto blocked = [&](const char* key) {
    const auto& ids = at(protection, key);
    std::string out;
    if (!ids.is_array()) return out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + str(id);
    return out;
  };
  if (const auto c = blocked("charge_blocked_by"), d = blocked("discharge_blocked_by");
      !c.empty() || !d.empty())
    o << "Blocked:    charging " << (c.empty() ? "free" : "by " + c) << "; discharging "
      << (d.empty() ? "free" : "by " + d) << "\n";
  const auto& prot = at(pack, "active_protections");
  if (prot.is_array() && !prot.empty()) o << "BMS alarms: " << prot.dump() << "\n";
  if (const auto& flow = at(s, "power_flow"); flow.is_object()) {
    // Where each figure comes from, so that a number nobody measures is never taken for one.
    const auto from = [&](const char* key) {
      const auto& src = at(flow, key);
      return src.is_string() ? " (" + src.get<std::string>() + ")" : std::string();
    };
    o << "Power:      grid " << num(at(flow, "grid_w"), 0, " W", true) << from("grid_source")
      << "  PV " << num(at(flow, "pv_w"), 0, " W") << from("pv_source") << "  battery "
      << num(at(flow, "battery_w"), 0, " W", true) << from("battery_source") << "  house "
      << num(at(flow, "house_w"), 0, " W") << "\n";
  }
  if (const auto& e = at(s, "energy"); e.is_object() && at(e, "since").is_string()) {
    o << "Energy:     battery in " << num(at(e, "battery_charged_kwh"), 2, " kWh") << ", out "
      << num(at(e, "battery_discharged_kwh"), 2, " kWh") << "  grid in "
      << num(at(e, "grid_import_kwh"), 2, " kWh") << ", out "
      << num(at(e, "grid_export_kwh"), 2, " kWh") << "  PV " << num(at(e, "pv_kwh"), 2, " kWh")
      << "  house " << num(at(e, "house_kwh"), 2, " kWh") << "  (since " << when(at(e, "since"))
      << ")\n";
    if (const auto& d = at(e, "today"); d.is_object()) {
      o << "Today:      battery in " << num(at(d, "battery_charged_kwh"), 2, " kWh") << ", out "
        << num(at(d, "battery_discharged_kwh"), 2, " kWh") << "  grid in "
        << num(at(d, "grid_import_kwh"), 2, " kWh") << ", out "
        << num(at(d, "grid_export_kwh"), 2, " kWh") << "  PV " << num(at(d, "pv_kwh"), 2, " kWh")
        << "  house " << num(at(d, "house_kwh"), 2, " kWh");
      const auto& money = at(d, "money");
      if (const auto& saving = at(money, "battery_saving"); saving.is_number())
        o << "  saved " << amount(saving, at(at(e, "prices"), "currency"))
          << " (an estimate: bessctl energy says how)";
      o << "\n";
    }
  }
  o << "Inverter:   " << str(at(inv, "operating"))
    << (at(inv, "online").is_boolean() && !at(inv, "online").get<bool>() ? " (offline)" : "")
    << "  battery " << num(at(inv, "battery_power_w"), 0, " W", true) << "  grid "
    << num(at(inv, "grid_power_w"), 0, " W", true) << "  PV " << num(at(inv, "pv_power_w"), 0, " W")
    << "  (data age " << num(at(inv, "age_s"), 1, " s") << ")\n";
  if (const auto& held = at(inv, "held_limits"); held.is_array()) {
    for (const auto& h : held) {
      const std::string limit = str(at(h, "limit"));
      const char* unit = limit.ends_with("_a") ? " A" : limit.ends_with("_v") ? " V" : " W";
      o << "Holds:      " << limit << " " << num(at(h, "held"), 1, unit)
        << ", below the envelope's " << num(at(h, "envelope"), 1, unit)
        << " (a stored setting, loosened at most once a minute";
      if (at(h, "loosen_in_s").is_number()) o << "; in " << num(at(h, "loosen_in_s"), 0, " s");
      o << ")\n";
    }
  }
  o << "Charge:     up to " << num(at(env, "charge_power_max_w"), 0, " W") << "  "
    << cause_text(at(env, "charge_power_cause")) << "\n";
  o << "Discharge:  up to " << num(at(env, "discharge_power_max_w"), 0, " W") << "  "
    << cause_text(at(env, "discharge_power_cause")) << "\n";
  const auto& comp = at(s, "compliance");
  o << "Compliance: " << str(at(comp, "verdict"));
  if (at(comp, "blocking_rules").is_array() && !at(comp, "blocking_rules").empty())
    o << "  blocked by " << at(comp, "blocking_rules").dump();
  o << "\n";
  const auto& faults = at(s, "active_faults");
  if (!faults.is_array() || faults.empty()) {
    o << "Faults:     none\n";
  } else {
    for (const auto& f : faults) {
      o << "Fault:      " << str(at(f, "code")) << " (" << str(at(f, "severity"))
        << (at(f, "latched") == true ? ", latched" : "")
        << (at(f, "cause_cleared") == true ? ", cause cleared: bessctl ack" : "") << ") "
        << str(at(f, "message")) << "\n";
    }
  }
  const auto& warnings = at(s, "warnings");
  if (warnings.is_array()) {
    for (const auto& w : warnings)
      o << "Warning:    " << str(at(w, "code")) << " " << str(at(w, "message")) << " (since "
        << when(at(w, "since")) << ")\n";
  }
  const auto& service = at(s, "service_faults");
  if (service.is_array()) {
    for (const auto& f : service)
      o << "Service:    " << str(at(f, "code")) << " (" << str(at(f, "severity")) << ") "
        << str(at(f, "message")) << "\n";
  }
  o << "Links:     ";
  for (const auto& l : at(s, "links")) {
    o << " " << str(at(l, "name")) << " " << str(at(l, "state")) << " ("
      << num(at(l, "age_s"), 1, " s");
    if (at(l, "error_count").is_number() && at(l, "error_count").get<double>() > 0)
      o << ", " << at(l, "error_count").get<long long>() << " errors";
    o << ")";
  }
  o << "\n";
  return o.str();
}

std::string render_limits(const Json& l) {
  // Each bound once, with what sets it; under it, the other limits that were considered for it
  // and are not binding now.
  std::ostringstream o;
  const auto& cs = at(l, "constraints");
  for (const char* name : {"charge_power_max_w", "discharge_power_max_w", "charge_current_max_a",
                           "discharge_current_max_a", "charge_voltage_max_v"}) {
    const auto& b = at(at(l, "bounds"), name);
    char line[64];
    std::snprintf(line, sizeof line, "%-24s %10s  ", name, num(at(b, "value"), 1).c_str());
    o << line << cause_text(b) << "\n";
    if (!cs.is_array()) continue;
    for (const auto& c : cs) {
      if (str(at(c, "bound")) != name || at(c, "binding") == true) continue;
      std::snprintf(line, sizeof line, "  also %-19s %10s  ", "", num(at(c, "value"), 1).c_str());
      o << line << cause_text(c) << "\n";
    }
  }
  return o.str();
}

std::string render_events(const Json& e) {
  std::ostringstream o;
  const auto& list = at(e, "events");
  if (!list.is_array() || list.empty()) return "no events\n";
  for (const auto& ev : list) {
    // A cleared event is an ending: it says so first, so it never reads as still active.
    const bool ended = str(at(ev, "edge")) == "cleared";
    char line[160];
    std::snprintf(line, sizeof line, "%s  %-8s %-16s ", when(at(ev, "time")).c_str(),
                  str(at(ev, "severity")).c_str(), str(at(ev, "code")).c_str());
    o << line << (ended ? "ended: " : "") << str(at(ev, "message")) << "\n";
  }
  return o.str();
}

namespace {

std::string soc_setting_line(const char* name, const Json& v) {
  std::string line = std::string(name) + num(at(v, "effective_pct"), 0, " %");
  if (str(at(v, "source")) == "owner")
    line += "  set by the owner (configured " + num(at(v, "configured_pct"), 0, " %") + ")";
  else if (at(v, "owner_pct").is_number())
    line += "  the configuration's (the owner's " + num(at(v, "owner_pct"), 0, " %") +
            " is outside the configured window)";
  else
    line += "  the configuration's";
  return line + "\n";
}

}  // namespace

std::string render_settings(const Json& s) {
  std::string out;
  if (at(s, "message").is_string()) out += "accepted: " + str(at(s, "message")) + "\n";
  out += soc_setting_line("Reserve (discharging stops):  ", at(s, "reserve_soc_pct"));
  out += soc_setting_line("Charge target (charging stops): ", at(s, "target_soc_pct"));
  if (at(s, "set_by").is_string())
    out += "Set by " + str(at(s, "set_by")) + " at " + when(at(s, "set_at")) +
           " (kept across restarts)\n";
  return out;
}

// "16:30": the local clock of a UTC time, for a slot table.
std::string clock_of(const Json& v) {
  const std::string text = when(v);  // "2026-12-05 16:30:00 GMT"
  return text.size() >= 16 && text[10] == ' ' ? text.substr(11, 5) : text;
}

std::string render_plan(const Json& p) {
  if (!at(p, "configured").is_boolean() || !at(p, "configured").get<bool>())
    return "No plan by price: the configuration has no schedule.by_price (docs/schedules.md).\n";
  std::ostringstream o;
  const auto& f = at(p, "prices");
  o << "Prices:     " << str(at(f, "file")) << ", " << num(at(f, "slots"), 0) << " slots until "
    << when(at(f, "last_end")) << " (read " << when(at(f, "read_at")) << ")\n";
  if (at(f, "error").is_string())
    o << "            last read failed: " << str(at(f, "error")) << "\n";
  o << "Plan:       " << str(at(p, "summary")) << "\n";
  if (!at(p, "in_force").get<bool>())
    o << "            not in force now (another mode, or a schedule window holds)\n";
  const auto& slots = at(p, "slots");
  if (!slots.is_array() || slots.empty()) return o.str();
  const std::string currency = str(at(p, "currency"));
  o << "Due:        " << num(at(p, "target_soc_pct"), 0, " %") << " by " << when(at(p, "deadline"))
    << "; expected cost " << num(at(p, "expected_cost"), 2) << " " << currency << " ("
    << num(at(p, "charge_kwh"), 2, " kWh") << " bought, " << num(at(p, "sold_kwh"), 2, " kWh")
    << " sold)\n";
  o << "from   to     action  import  export  grid kWh  SOC after\n";
  bool any_assumed = false;
  for (const auto& s : slots) {
    const bool assumed = at(s, "assumed").is_boolean() && at(s, "assumed").get<bool>();
    any_assumed = any_assumed || assumed;
    const std::string import = num(at(s, "import_per_kwh"), 2) + (assumed ? "*" : "");
    char line[128];
    std::snprintf(
        line, sizeof line, "%-6s %-6s %-7s %7s %7s %9s  %s\n", clock_of(at(s, "start")).c_str(),
        clock_of(at(s, "end")).c_str(), str(at(s, "action")).c_str(), import.c_str(),
        num(at(s, "export_per_kwh"), 2).c_str(), num(at(s, "grid_kwh"), 2, "", true).c_str(),
        num(at(s, "soc_after_pct"), 0, " %").c_str());
    o << line;
  }
  if (any_assumed)
    o << "* no price in the file yet: the same time's price on an earlier day (or the dearest)\n";
  return o.str();
}

std::string render_health(const Json& h) {
  std::ostringstream o;
  for (const auto& [name, v] : at(h, "values").items()) {
    const auto& value = at(v, "value");
    const std::string text = value.is_number() ? num(value, 2) : str(value);
    char line[96];
    std::snprintf(line, sizeof line, "%-28s %14s  %-11s ", name.c_str(), text.c_str(),
                  str(at(v, "source")).c_str());
    o << line << str(at(v, "note")) << "\n";
  }
  return o.str();
}

namespace {

// "root (uid 0, gid 0, pid 4242) via unix", "token grafana via tcp 127.0.0.1:53122"; a record
// of an older version has its whole line in `user` (docs/api.md "GET /v1/audit").
std::string audit_writer(const Json& who) {
  std::string out;
  if (at(who, "token").is_string()) {
    out = "token " + str(at(who, "token"));
  } else {
    out = str(at(who, "user"));
    if (at(who, "uid").is_number())
      out += " (uid " + str(at(who, "uid")) + ", gid " + str(at(who, "gid")) + ", pid " +
             str(at(who, "pid")) + ")";
    else
      return out;
  }
  out += " via " + str(at(who, "transport"));
  if (at(who, "transport") == "tcp") out += " " + str(at(who, "peer"));
  return out;
}

}  // namespace

std::string render_energy(const Json& e) {
  std::ostringstream o;
  const auto& list = at(e, "periods");
  if (!list.is_array() || list.empty()) return "no periods\n";
  const auto& prices = at(e, "prices");
  const bool money = prices.is_object();
  const std::string currency = money ? str(at(prices, "currency")) : "";
  char head[200];
  std::snprintf(head, sizeof head, "%-10s %9s %9s %9s %9s %9s %9s  %-8s",
                str(at(e, "period")).c_str(), "batt in", "batt out", "grid in", "grid out", "PV",
                "house", "measured");
  o << head << (money ? "  saved (" + currency + ")" : std::string()) << "\n";
  for (const auto& p : list) {
    char line[200];
    const auto kwh = [&](const char* key) { return num(at(p, key), 2); };
    // How much of the period was measured: a day bessd did not run in has no figures at all.
    std::string covered = "-";
    if (at(p, "measured_s").is_number() && at(p, "days").is_number()) {
      const double share = at(p, "measured_s").get<double>() /
                           (86400.0 * std::max(1.0, at(p, "days").get<double>()));
      covered = num(Json(std::min(100.0, 100.0 * share)), 0, " %");
    }
    std::snprintf(line, sizeof line, "%-10s %9s %9s %9s %9s %9s %9s  %-8s",
                  str(at(p, "start")).c_str(), kwh("battery_charged_kwh").c_str(),
                  kwh("battery_discharged_kwh").c_str(), kwh("grid_import_kwh").c_str(),
                  kwh("grid_export_kwh").c_str(), kwh("pv_kwh").c_str(), kwh("house_kwh").c_str(),
                  covered.c_str());
    o << line;
    if (money) o << "  " << num(at(at(p, "money"), "battery_saving"), 2);
    o << "\n";
  }
  o << "(kWh; periods start on the date shown, in the gateway's local time";
  if (money)
    o << "; saved = kWh out x " << num(at(prices, "import_per_kwh"), 3) << " - kWh in x "
      << num(at(prices, "export_per_kwh"), 3) << ", as if charged from surplus PV";
  o << ")\n";
  return o.str();
}

std::string render_audit(const Json& a) {
  std::ostringstream o;
  const auto& list = at(a, "records");
  if (!list.is_array() || list.empty()) return "no API writes recorded\n";
  for (const auto& r : list) {
    o << when(at(r, "time")) << "  " << str(at(r, "action")) << " " << str(at(r, "request"))
      << " -> " << str(at(r, "outcome")) << "  by " << audit_writer(at(r, "who")) << "  "
      << str(at(r, "message")) << "\n";
  }
  return o.str();
}

std::string render_compliance(const Json& c) {
  std::ostringstream o;
  o << "Verdict: " << str(at(c, "verdict")) << "\n";
  if (const auto& scope = at(at(c, "scope"), "note"); scope.is_string())
    o << "Scope: " << scope.get<std::string>() << "\n";
  for (const auto& f : at(c, "findings")) {
    o << "  " << str(at(f, "rule")) << "  " << str(at(f, "verdict")) << "  "
      << str(at(f, "message"));
    if (at(f, "note").is_string()) o << " (" << str(at(f, "note")) << ")";
    o << "\n";
  }
  return o.str();
}

std::string render_self_test(const Json& r) {
  std::ostringstream o;
  o << "Self-test " << (at(r, "passed") == true ? "PASSED" : "FAILED") << "\n";
  for (const auto& s : at(r, "steps")) {
    o << "  " << (at(s, "passed") == true ? "ok  " : "FAIL") << "  " << str(at(s, "condition"))
      << ": expected " << str(at(s, "expected_action")) << ", observed "
      << str(at(s, "observed_action"));
    if (!str(at(s, "message")).empty()) o << " (" << str(at(s, "message")) << ")";
    o << "\n";
  }
  return o.str();
}

std::string render_history_chart(const Json& h, const std::string& field, int width, int height) {
  const auto& points = at(h, "points");
  width = std::clamp(width, 10, 400);
  height = std::clamp(height, 3, 100);
  std::vector<double> sum(static_cast<std::size_t>(width), 0.0);
  std::vector<int> count(static_cast<std::size_t>(width), 0);
  const std::size_t n = points.is_array() ? points.size() : 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& v = at(points[i], field.c_str());
    if (!v.is_number()) continue;
    const auto col = static_cast<std::size_t>(i * static_cast<std::size_t>(width) / n);
    sum[col] += v.get<double>();
    ++count[col];
  }
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (int c = 0; c < width; ++c) {
    if (count[static_cast<std::size_t>(c)] == 0) continue;
    const double avg = sum[static_cast<std::size_t>(c)] / count[static_cast<std::size_t>(c)];
    lo = std::min(lo, avg);
    hi = std::max(hi, avg);
  }
  std::ostringstream o;
  o << field << "  " << when(at(h, "from")) << " .. " << when(at(h, "to")) << "  ("
    << str(at(h, "resolution")) << ", " << n << " points)\n";
  if (!std::isfinite(lo)) return o.str() + "no data in this range\n";
  if (hi - lo < 1e-9) hi = lo + 1.0;
  std::vector<std::string> rows(static_cast<std::size_t>(height), std::string(width, ' '));
  for (int c = 0; c < width; ++c) {
    if (count[static_cast<std::size_t>(c)] == 0) continue;  // a gap stays blank
    const double avg = sum[static_cast<std::size_t>(c)] / count[static_cast<std::size_t>(c)];
    const int row = static_cast<int>(std::lround((hi - avg) / (hi - lo) * (height - 1)));
    rows[static_cast<std::size_t>(row)][static_cast<std::size_t>(c)] = '*';
  }
  for (int r = 0; r < height; ++r) {
    char label[32] = "";
    if (r == 0 || r == height - 1 || r == height / 2) {
      const double v = hi - (hi - lo) * r / (height - 1);
      std::snprintf(label, sizeof label, "%10.2f", v);
    } else {
      std::snprintf(label, sizeof label, "%10s", "");
    }
    o << label << " |" << rows[static_cast<std::size_t>(r)] << "\n";
  }
  o << std::string(11, ' ') << '+' << std::string(static_cast<std::size_t>(width), '-') << "\n";
  return o.str();
}

}  // namespace bessctl
