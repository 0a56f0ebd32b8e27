#include <bessd/api/json.hpp>
#include <bessd/api/power_flow.hpp>

#include <cctype>
#include <cmath>
#include <type_traits>

namespace bessd::api {

namespace {

template <typename T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json opt_time(const std::optional<WallTime>& t) {
  return t ? Json(format_time(*t)) : Json(nullptr);
}

Json flags_to_json(const core::BmsFlagSet& flags) {
  Json out = Json::object();
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<core::BmsCondition>(i);
    out[std::string(core::to_string(c))] = core::to_string(flags.get(c));
  }
  return out;
}

Json active_list(const core::BmsFlagSet& flags) {
  Json out = Json::array();
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<core::BmsCondition>(i);
    if (flags.get(c) == core::FlagState::active) out.push_back(core::to_string(c));
  }
  return out;
}

Json source(std::string_view s) {
  return s.empty() ? Json(nullptr) : Json(std::string(s));
}

Json power_flow_json(const StatusDto& s) {
  const PowerFlow f = power_flow(s);
  return {{"grid_w", opt(f.grid_w)},       {"grid_source", source(f.grid_source)},
          {"pv_w", opt(f.pv_w)},           {"pv_source", source(f.pv_source)},
          {"battery_w", opt(f.battery_w)}, {"battery_source", source(f.battery_source)},
          {"house_w", opt(f.house_w)}};
}

Json money_json(const energy::EnergyMoney& m) {
  const auto cents = [](const std::optional<double>& v) {
    return v ? Json(round_money(*v)) : Json(nullptr);
  };
  return {{"grid_cost", cents(m.grid_cost)},
          {"export_income", cents(m.export_income)},
          {"battery_saving", cents(m.battery_saving)}};
}

}  // namespace

const char* const kSavingMethod =
    "battery_saving = kWh discharged x import price - kWh charged x export price: each kWh the "
    "battery gave is taken as one not bought from the grid, each kWh it stored as one not sold "
    "to it. A charge from the grid cost the import price, so then the saving is overstated by "
    "the difference of the prices per kWh charged from the grid.";

namespace {

Json prices_json(const std::optional<energy::FlatPrices>& p) {
  if (!p) return nullptr;
  return {{"currency", p->currency},
          {"import_per_kwh", p->import_per_kwh},
          {"export_per_kwh", p->export_per_kwh},
          {"method", kSavingMethod}};
}

// The kWh of a day or period: a flow nothing measured in it is unknown, not 0 kWh.
Json period_kwh_json(const energy::EnergyTotals& t) {
  const auto kwh = [](bool known, double v) { return known ? Json(round_kwh(v)) : Json(nullptr); };
  return {{"battery_charged_kwh", kwh(t.battery_known(), t.battery_charged_kwh)},
          {"battery_discharged_kwh", kwh(t.battery_known(), t.battery_discharged_kwh)},
          {"grid_import_kwh", kwh(t.grid_known(), t.grid_import_kwh)},
          {"grid_export_kwh", kwh(t.grid_known(), t.grid_export_kwh)},
          {"pv_kwh", kwh(t.pv_known(), t.pv_kwh)},
          {"house_kwh", kwh(t.house_known(), t.house_kwh)},
          {"measured_s", std::round(t.measured_s)}};
}

Json today_json(const EnergyStatus& e) {
  if (!e.today) return nullptr;
  Json out = period_kwh_json(e.today->increase);
  out["date"] = format_date(e.today->day);
  out["money"] =
      e.prices ? money_json(energy::money_of(e.today->increase, *e.prices)) : Json(nullptr);
  return out;
}

Json energy_json(const EnergyStatus& e) {
  const auto& t = e.totals;
  // A flow nothing measures is unknown, not 0 kWh.
  const auto kwh = [](bool known, double v) { return known ? Json(round_kwh(v)) : Json(nullptr); };
  return {{"battery_charged_kwh", round_kwh(t.battery_charged_kwh)},
          {"battery_discharged_kwh", round_kwh(t.battery_discharged_kwh)},
          {"grid_import_kwh", kwh(t.grid_known(), t.grid_import_kwh)},
          {"grid_export_kwh", kwh(t.grid_known(), t.grid_export_kwh)},
          {"pv_kwh", kwh(t.pv_known(), t.pv_kwh)},
          {"house_kwh", kwh(t.house_known(), t.house_kwh)},
          {"measured_s", std::round(t.measured_s)},
          {"unmeasured_s", std::round(t.unmeasured_s)},
          {"since", e.since ? Json(format_time(*e.since)) : Json(nullptr)},
          {"as_of", e.as_of ? Json(format_time(*e.as_of)) : Json(nullptr)},
          {"today", today_json(e)},
          {"prices", prices_json(e.prices)}};
}

Json bound_json(const core::Bound& b) {
  Json out = to_json(b.cause);
  out["value"] = b.value;
  return out;
}

}  // namespace

double round_kwh(double kwh) {
  return std::round(kwh * 1e6) / 1e6;
}

double round_money(double amount) {
  return std::round(amount * 100.0) / 100.0;
}

std::string format_time(WallTime t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const auto in_day = ms - day;
  const long long total_ms = in_day.count();
  const long long h = total_ms / 3'600'000;
  const long long m = (total_ms / 60'000) % 60;
  const long long s = (total_ms / 1000) % 60;
  const long long frac = total_ms % 1000;
  // A WallTime counts nanoseconds in 64 bits: its years are 1677 to 2262, always four digits.
  const int year = static_cast<int>(ymd.year());
  static_assert(std::is_same_v<WallTime::duration, std::chrono::nanoseconds>);
  // Every GET /v1/status formats a time: digits by hand cost a tenth of snprintf's parsing.
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto digits = [&out](std::size_t at, long long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  digits(0, year, 4);
  digits(5, static_cast<unsigned>(ymd.month()), 2);
  digits(8, static_cast<unsigned>(ymd.day()), 2);
  digits(11, h, 2);
  digits(14, m, 2);
  digits(17, s, 2);
  digits(20, frac, 3);
  return out;
}

Json to_json(const core::Cause& c) {
  return {{"kind", core::to_string(c.kind)},
          {"rule_id", c.rule_id.empty() ? Json(nullptr) : Json(c.rule_id)},
          {"sentence", c.sentence}};
}

Json to_json(const core::PackState& p) {
  Json out{
      {"soc_pct", opt(p.soc_pct)},
      {"soh_pct", opt(p.soh_pct)},
      {"voltage_v", opt(p.voltage_v)},
      {"current_a", opt(p.current_a)},
      {"power_w", opt(p.power_w())},
      {"temperature_c", opt(p.temperature_c)},
      {"cell_voltage_min_v", opt(p.cell_voltage_min_v)},
      {"cell_voltage_max_v", opt(p.cell_voltage_max_v)},
      {"cell_temperature_min_c", opt(p.cell_temperature_min_c)},
      {"cell_temperature_max_c", opt(p.cell_temperature_max_c)},
      {"capacity_ah", opt(p.capacity_ah)},
      {"available_capacity_ah", opt(p.available_capacity_ah)},
      {"energy_charged_kwh", opt(p.energy_charged_kwh)},
      {"energy_discharged_kwh", opt(p.energy_discharged_kwh)},
      {"manufacturer", p.manufacturer},
      {"bms_name", p.bms_name},
      {"firmware", p.firmware},
  };
  out["cell_voltage_spread_mv"] =
      (p.cell_voltage_min_v && p.cell_voltage_max_v)
          ? Json((*p.cell_voltage_max_v - *p.cell_voltage_min_v) * 1000.0)
          : Json(nullptr);
  out["bms_limits"] = {
      {"charge_voltage_limit_v", opt(p.limits.charge_voltage_limit_v)},
      {"charge_current_limit_a", opt(p.limits.charge_current_limit_a)},
      {"discharge_current_limit_a", opt(p.limits.discharge_current_limit_a)},
      {"discharge_voltage_limit_v", opt(p.limits.discharge_voltage_limit_v)},
  };
  out["bms_requests"] = {
      {"charge_enable", opt(p.requests.charge_enable)},
      {"discharge_enable", opt(p.requests.discharge_enable)},
      {"force_charge", opt(p.requests.force_charge)},
      {"full_charge", opt(p.requests.full_charge)},
  };
  out["active_protections"] = active_list(p.protections);
  out["active_warnings"] = active_list(p.warnings);
  out["protections"] = flags_to_json(p.protections);
  out["warnings"] = flags_to_json(p.warnings);
  out["modules"] = {
      {"total", opt(p.modules.total)},
      {"online", opt(p.modules.online)},
      {"blocking_charge", opt(p.modules.blocking_charge)},
      {"blocking_discharge", opt(p.modules.blocking_discharge)},
      {"offline", opt(p.modules.offline)},
  };
  return out;
}

Json to_json(const core::InverterState& i) {
  return {
      {"online", i.online},
      {"operating", core::to_string(i.operating)},
      {"battery_power_w", opt(i.battery_power_w)},
      {"battery_voltage_v", opt(i.battery_voltage_v)},
      {"battery_current_a", opt(i.battery_current_a)},
      {"grid_power_w", opt(i.grid_power_w)},
      {"pv_power_w", opt(i.pv_power_w)},
      {"ac_power_w", opt(i.ac_power_w)},
      {"rated_power_w", opt(i.rated_power_w)},
      {"setpoint_readback_w", opt(i.setpoint_readback_w)},
      {"model", i.model},
      {"serial", i.serial},
  };
}

Json to_json(const core::Envelope& e) {
  return {
      {"charge_power_max_w", e.charge_power_max_w.value},
      {"charge_power_cause", to_json(e.charge_power_max_w.cause)},
      {"discharge_power_max_w", e.discharge_power_max_w.value},
      {"discharge_power_cause", to_json(e.discharge_power_max_w.cause)},
  };
}

Json to_json(const StatusDto& s) {
  const auto fault_list = [](const std::vector<ActiveFault>& list) {
    Json out = Json::array();
    for (const auto& f : list) {
      out.push_back({{"code", f.code},
                     {"severity", core::to_string(f.severity)},
                     {"message", f.message},
                     {"since", opt_time(f.since)},
                     {"latched", f.latched},
                     {"cause_cleared", f.cause_cleared}});
    }
    return out;
  };
  Json faults = fault_list(s.controller.active_faults);
  Json links = Json::array();
  for (const auto& l : s.links) {
    links.push_back({{"name", l.name},
                     {"state", to_string(l.state)},
                     {"age_s", opt(l.age_s)},
                     {"error_count", l.error_count},
                     {"detail", l.detail}});
  }
  Json pack = to_json(s.pack);
  pack["age_s"] = opt(s.pack_age_s);
  Json inverter = to_json(s.inverter);
  inverter["age_s"] = opt(s.inverter_age_s);
  Json held = Json::array();
  for (const auto& h : s.inverter_held_limits)
    held.push_back({{"limit", h.limit},
                    {"held", h.held},
                    {"envelope", h.envelope},
                    {"loosen_in_s", opt(h.loosen_in_s)}});
  inverter["held_limits"] = std::move(held);
  return {
      {"time", format_time(s.time)},
      {"state", s.controller.state},
      {"mode", to_string(s.controller.mode)},
      {"manual_setpoint_w", opt(s.controller.manual_setpoint_w)},
      {"mode_source", s.controller.mode_source},
      {"mode_set_by",
       s.controller.mode_set_by.empty() ? Json(nullptr) : Json(s.controller.mode_set_by)},
      {"mode_set_at",
       s.controller.mode_set_at ? Json(format_time(*s.controller.mode_set_at)) : Json(nullptr)},
      {"mode_expires_at", s.controller.mode_expires_at
                              ? Json(format_time(*s.controller.mode_expires_at))
                              : Json(nullptr)},
      {"commanded_power_w", opt(s.controller.commanded_power_w)},
      {"reserve_soc_pct", s.controller.reserve_soc_pct},
      {"schedule", s.controller.schedule ? to_json(*s.controller.schedule) : Json(nullptr)},
      {"target_soc_pct", s.controller.target_soc_pct},
      {"operating_reason",
       {{"code", s.controller.operating_reason_code}, {"text", s.controller.operating_reason}}},
      {"command_reason", s.controller.command_reason},
      {"active_faults", std::move(faults)},
      {"protection",
       {{"charge_blocked_by", s.protection.charge_blocked_by},
        {"discharge_blocked_by", s.protection.discharge_blocked_by},
        {"recovery_charge",
         s.protection.recovery_charge ? Json(*s.protection.recovery_charge) : Json(nullptr)},
        {"waiting_for_bms", s.protection.waiting_for_bms},
        {"cell_data", s.protection.cell_data},
        {"estimated_cell_voltage_v", opt(s.protection.estimated_cell_voltage_v)},
        {"uncommanded_discharge_w", s.protection.uncommanded_discharge_w}}},
      {"pack", std::move(pack)},
      {"inverter", std::move(inverter)},
      {"power_flow", power_flow_json(s)},
      {"energy", energy_json(s.energy)},
      {"envelope", to_json(s.envelope)},
      {"compliance",
       {{"verdict", to_string(s.compliance.verdict)},
        {"blocking_rules", s.compliance.blocking_rules},
        {"warnings", s.compliance.warnings},
        {"derates", s.compliance.derates}}},
      {"links", std::move(links)},
      {"service_faults", fault_list(s.service_faults)},
      {"warnings", fault_list(s.warnings)},
  };
}

Json to_json(const LimitsDto& l) {
  Json constraints = Json::array();
  for (const auto& c : l.constraints) {
    Json item = to_json(c.cause);
    item["bound"] = c.bound;
    item["direction"] = to_string(c.direction);
    item["value"] = c.value;
    item["binding"] = c.binding;
    constraints.push_back(std::move(item));
  }
  return {
      {"time", format_time(l.time)},
      {"bounds",
       {{"charge_power_max_w", bound_json(l.envelope.charge_power_max_w)},
        {"discharge_power_max_w", bound_json(l.envelope.discharge_power_max_w)},
        {"charge_current_max_a", bound_json(l.envelope.charge_current_max_a)},
        {"discharge_current_max_a", bound_json(l.envelope.discharge_current_max_a)},
        {"charge_voltage_max_v", bound_json(l.envelope.charge_voltage_max_v)}}},
      {"constraints", std::move(constraints)},
  };
}

Json to_json(const ComplianceDto& c) {
  Json j = c.report.is_object() ? c.report : Json::object();
  j["checked_at"] = opt_time(c.checked_at);
  j["charge_blocked"] = c.charge_blocked;
  j["discharge_blocked"] = c.discharge_blocked;
  j["config_fingerprint"] = c.config_fingerprint ? Json(*c.config_fingerprint) : Json(nullptr);
  return j;
}

Json to_json(const HealthDto& h) {
  Json values = Json::object();
  for (const auto& v : h.values) {
    Json value = v.number ? Json(*v.number) : v.text ? Json(*v.text) : Json(nullptr);
    values[v.name] = {
        {"value", std::move(value)}, {"source", to_string(v.source)}, {"note", v.note}};
  }
  return {{"time", format_time(h.time)}, {"values", std::move(values)}};
}

Json to_json(const EventRecord& e) {
  return {{"id", e.id},
          {"time", format_time(e.time)},
          {"severity", core::to_string(e.event.severity)},
          {"edge", core::to_string(e.event.edge)},
          {"source", e.event.source},
          {"code", e.event.code},
          {"message", e.event.message},
          {"fields", e.event.fields}};
}

Json to_json(const HistorySeries& h) {
  Json points = Json::array();
  for (const auto& p : h.points) {
    Json point{{"time", format_time(p.time)}};
    for (std::size_t i = 0; i < h.fields.size(); ++i)
      point[h.fields[i]] = i < p.values.size() ? opt(p.values[i]) : Json(nullptr);
    points.push_back(std::move(point));
  }
  return {
      {"resolution", to_string(h.resolution)}, {"fields", h.fields}, {"points", std::move(points)}};
}

Json to_json(const EnergyReport& r) {
  Json periods = Json::array();
  for (const auto& p : r.periods) {
    // A period bessd did not run in has its battery unknown too.
    Json period = period_kwh_json(p.increase);
    period["start"] = format_date(p.start);
    period["end"] = format_date(p.end);
    period["days"] = days_between(p.start, p.end);
    period["days_with_data"] = p.days_with_data;
    period["money"] =
        r.prices ? money_json(energy::money_of(p.increase, *r.prices)) : Json(nullptr);
    periods.push_back(std::move(period));
  }
  return {{"period", energy::to_string(r.period)},
          {"prices", prices_json(r.prices)},
          {"periods", std::move(periods)}};
}

Json to_json(const Requester& r) {
  return {{"transport", to_string(r.transport)},
          {"uid", opt(r.uid)},
          {"gid", opt(r.gid)},
          {"pid", opt(r.pid)},
          {"user", r.user},
          {"token", r.credential.empty() ? Json() : Json(r.credential)},
          {"peer", r.peer}};
}

Json to_json(const AuditRecord& a) {
  return {{"id", a.id},          {"time", format_time(a.time)}, {"who", to_json(a.who)},
          {"action", a.action},  {"request", a.request},        {"outcome", a.outcome},
          {"message", a.message}};
}

Json to_json(const ModeRequest& r) {
  Json body{{"mode", to_string(r.mode)}};
  if (r.setpoint_w) body["setpoint_w"] = *r.setpoint_w;
  if (r.expires_in_s) body["expires_in_s"] = *r.expires_in_s;
  return body;
}

Json to_json(const ModeVerdict& v) {
  return {{"accepted", v.accepted},
          {"mode", to_string(v.mode)},
          {"effective_setpoint_w", opt(v.effective_setpoint_w)},
          {"expires_at", v.expires_at ? Json(format_time(*v.expires_at)) : Json(nullptr)},
          {"message", v.message}};
}

Json to_json(const ScheduleStatus& s) {
  return {{"action", s.action},
          {"window", opt(s.window)},
          {"goal_soc_pct", opt(s.goal_soc_pct)},
          {"time_zone", s.time_zone},
          {"local_time", s.local_time},
          {"plan", opt(s.plan)}};
}

Json to_json(const PlanDto& p) {
  Json slots = Json::array();
  for (const auto& s : p.slots)
    slots.push_back({{"start", format_time(s.start)},
                     {"end", format_time(s.end)},
                     {"action", s.action},
                     {"import_per_kwh", s.import_per_kwh},
                     {"export_per_kwh", opt(s.export_per_kwh)},
                     {"grid_kwh", s.grid_kwh},
                     {"soc_after_pct", s.soc_after_pct},
                     {"assumed", s.assumed}});
  const auto& f = p.prices;
  return {{"configured", p.configured},
          {"in_force", p.in_force},
          {"prices",
           {{"file", f.file},
            {"read_at", opt_time(f.read_at)},
            {"slots", f.slots},
            {"first_start", opt_time(f.first_start)},
            {"last_end", opt_time(f.last_end)},
            {"error", opt(f.error)}}},
          {"currency", p.currency},
          {"ready_by", p.ready_by},
          {"made_at", opt_time(p.made_at)},
          {"deadline", opt_time(p.deadline)},
          {"start_soc_pct", opt(p.start_soc_pct)},
          {"target_soc_pct", opt(p.target_soc_pct)},
          {"charge_kwh", p.charge_kwh},
          {"charge_cost", p.charge_cost},
          {"sold_kwh", p.sold_kwh},
          {"sale_income", p.sale_income},
          {"expected_cost", p.expected_cost},
          {"target_reached", p.target_reached},
          {"shortfall_pct", p.shortfall_pct},
          {"waiting_for_prices_kwh", p.waiting_for_prices_kwh},
          {"unpriced_minutes", p.unpriced_minutes},
          {"summary", p.summary},
          {"slots", std::move(slots)}};
}

Json to_json(const SettingsRequest& r) {
  Json body = Json::object();
  if (r.reserve_soc_pct) body["reserve_soc_pct"] = opt(*r.reserve_soc_pct);
  if (r.target_soc_pct) body["target_soc_pct"] = opt(*r.target_soc_pct);
  return body;
}

Json to_json(const SocSetting& s) {
  return {{"effective_pct", s.effective_pct},
          {"configured_pct", s.configured_pct},
          {"owner_pct", opt(s.owner_pct)},
          {"source", s.owner_applies ? "owner" : "configuration"}};
}

Json to_json(const SettingsDto& s) {
  Json j{{"reserve_soc_pct", to_json(s.reserve)},
         {"target_soc_pct", to_json(s.target)},
         {"set_by", s.set_by.empty() ? Json(nullptr) : Json(s.set_by)},
         {"set_at", opt_time(s.set_at)}};
  if (!s.message.empty()) j["message"] = s.message;
  if (!s.note.empty()) j["note"] = s.note;
  return j;
}

Json to_json(const AckResult& a) {
  return {
      {"acknowledged", a.acknowledged}, {"still_active", a.still_active}, {"message", a.message}};
}

Json to_json(const SelfTestReport& r) {
  Json steps = Json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"condition", s.condition},
                     {"expected_action", s.expected_action},
                     {"observed_action", s.observed_action},
                     {"expected_event", s.expected_event},
                     {"event_seen", s.event_seen},
                     {"passed", s.passed},
                     {"message", s.message}});
  }
  return {{"started_at", format_time(r.started_at)},
          {"finished_at", format_time(r.finished_at)},
          {"passed", r.passed},
          {"steps", std::move(steps)}};
}

namespace {
bool is_secret_key(std::string_view key) {
  std::string lower;
  for (char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word :
       {"token", "secret", "password", "passphrase", "credential", "private_key", "api_key"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}
}  // namespace

Json redact_secrets(const Json& config) {
  if (config.is_object()) {
    Json out = Json::object();
    for (const auto& [key, value] : config.items())
      out[key] =
          (is_secret_key(key) && !value.is_null()) ? Json("<redacted>") : redact_secrets(value);
    return out;
  }
  if (config.is_array()) {
    Json out = Json::array();
    for (const auto& v : config) out.push_back(redact_secrets(v));
    return out;
  }
  return config;
}

}  // namespace bessd::api
