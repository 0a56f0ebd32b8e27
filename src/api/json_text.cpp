#include <bessd/api/json_text.hpp>
#include <bessd/api/power_flow.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include <bessd/api/json.hpp>
#include <bessd/api/json_writer.hpp>

namespace bessd::api {

namespace {

// Every object below lists its keys in byte order, the order dump() gives them (see
// json_writer.hpp); the comments name the to_json() each one mirrors.

void cause_members(JsonWriter& w, const core::Cause& c) {
  w.member("kind", core::to_string(c.kind));
  w.key("rule_id");
  if (c.rule_id.empty())
    w.null();
  else
    w.value(c.rule_id);
  w.member("sentence", c.sentence);
}

void cause_object(JsonWriter& w, const core::Cause& c) {
  w.begin_object();
  cause_members(w, c);
  w.end_object();
}

/// Condition indices sorted by name: the member order of flags_to_json().
const std::array<core::BmsCondition, core::kBmsConditionCount>& conditions_by_name() {
  static const auto order = [] {
    std::array<core::BmsCondition, core::kBmsConditionCount> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<core::BmsCondition>(i);
    std::sort(out.begin(), out.end(),
              [](auto a, auto b) { return core::to_string(a) < core::to_string(b); });
    return out;
  }();
  return order;
}

void flags_object(JsonWriter& w, const core::BmsFlagSet& flags) {
  w.begin_object();
  for (const auto c : conditions_by_name())
    w.member(core::to_string(c), core::to_string(flags.get(c)));
  w.end_object();
}

void write_active_list(JsonWriter& w, const core::BmsFlagSet& flags) {
  w.begin_array();
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<core::BmsCondition>(i);
    if (flags.get(c) == core::FlagState::active) w.value(core::to_string(c));
  }
  w.end_array();
}

// to_json(PackState) plus the status's "age_s".
void pack_object(JsonWriter& w, const core::PackState& p, const std::optional<double>& age_s) {
  w.begin_object();
  w.key("active_protections");
  write_active_list(w, p.protections);
  w.key("active_warnings");
  write_active_list(w, p.warnings);
  w.member("age_s", age_s);
  w.member("available_capacity_ah", p.available_capacity_ah);
  w.key("bms_limits");
  w.begin_object();
  w.member("charge_current_limit_a", p.limits.charge_current_limit_a);
  w.member("charge_voltage_limit_v", p.limits.charge_voltage_limit_v);
  w.member("discharge_current_limit_a", p.limits.discharge_current_limit_a);
  w.member("discharge_voltage_limit_v", p.limits.discharge_voltage_limit_v);
  w.end_object();
  w.member("bms_name", p.bms_name);
  w.key("bms_requests");
  w.begin_object();
  w.member("charge_enable", p.requests.charge_enable);
  w.member("discharge_enable", p.requests.discharge_enable);
  w.member("force_charge", p.requests.force_charge);
  w.member("full_charge", p.requests.full_charge);
  w.end_object();
  w.member("capacity_ah", p.capacity_ah);
  w.member("cell_temperature_max_c", p.cell_temperature_max_c);
  w.member("cell_temperature_min_c", p.cell_temperature_min_c);
  w.member("cell_voltage_max_v", p.cell_voltage_max_v);
  w.member("cell_voltage_min_v", p.cell_voltage_min_v);
  w.key("cell_voltage_spread_mv");
  if (p.cell_voltage_min_v && p.cell_voltage_max_v)
    w.value((*p.cell_voltage_max_v - *p.cell_voltage_min_v) * 1000.0);
  else
    w.null();
  w.member("current_a", p.current_a);
  w.member("energy_charged_kwh", p.energy_charged_kwh);
  w.member("energy_discharged_kwh", p.energy_discharged_kwh);
  w.member("firmware", p.firmware);
  w.member("manufacturer", p.manufacturer);
  w.key("modules");
  w.begin_object();
  w.member("blocking_charge", p.modules.blocking_charge);
  w.member("blocking_discharge", p.modules.blocking_discharge);
  w.member("offline", p.modules.offline);
  w.member("online", p.modules.online);
  w.member("total", p.modules.total);
  w.end_object();
  w.member("power_w", p.power_w());
  w.key("protections");
  flags_object(w, p.protections);
  w.member("soc_pct", p.soc_pct);
  w.member("soh_pct", p.soh_pct);
  w.member("temperature_c", p.temperature_c);
  w.member("voltage_v", p.voltage_v);
  w.key("warnings");
  flags_object(w, p.warnings);
  w.end_object();
}

// to_json(InverterState) plus the status's "age_s".
void inverter_object(JsonWriter& w, const core::InverterState& i,
                     const std::optional<double>& age_s,
                     const std::vector<HeldLimitStatus>& held_limits) {
  w.begin_object();
  w.member("ac_power_w", i.ac_power_w);
  w.member("age_s", age_s);
  w.member("battery_current_a", i.battery_current_a);
  w.member("battery_power_w", i.battery_power_w);
  w.member("battery_voltage_v", i.battery_voltage_v);
  w.member("grid_power_w", i.grid_power_w);
  w.key("held_limits");
  w.begin_array();
  for (const auto& h : held_limits) {
    w.begin_object();
    w.member("envelope", h.envelope);
    w.member("held", h.held);
    w.member("limit", h.limit);
    w.member("loosen_in_s", h.loosen_in_s);
    w.end_object();
  }
  w.end_array();
  w.member("model", i.model);
  w.member("online", i.online);
  w.member("operating", core::to_string(i.operating));
  w.member("pv_power_w", i.pv_power_w);
  w.member("rated_power_w", i.rated_power_w);
  w.member("serial", i.serial);
  w.member("setpoint_readback_w", i.setpoint_readback_w);
  w.end_object();
}

// to_json(Envelope)
void envelope_object(JsonWriter& w, const core::Envelope& e) {
  w.begin_object();
  w.key("charge_power_cause");
  cause_object(w, e.charge_power_max_w.cause);
  w.member("charge_power_max_w", e.charge_power_max_w.value);
  w.key("discharge_power_cause");
  cause_object(w, e.discharge_power_max_w.cause);
  w.member("discharge_power_max_w", e.discharge_power_max_w.value);
  w.end_object();
}

void fault_object(JsonWriter& w, const ActiveFault& f) {
  w.begin_object();
  w.member("cause_cleared", f.cause_cleared);
  w.member("code", f.code);
  w.member("latched", f.latched);
  w.member("message", f.message);
  w.member("severity", core::to_string(f.severity));
  w.key("since");
  if (f.since)
    w.value(format_time(*f.since));
  else
    w.null();
  w.end_object();
}

void link_object(JsonWriter& w, const LinkStatus& l) {
  w.begin_object();
  w.member("age_s", l.age_s);
  w.member("detail", l.detail);
  w.member("error_count", l.error_count);
  w.member("name", l.name);
  w.member("state", to_string(l.state));
  w.end_object();
}

void compliance_object(JsonWriter& w, const ComplianceSummary& c) {
  w.begin_object();
  w.key("blocking_rules");
  w.begin_array();
  for (const auto& rule : c.blocking_rules) w.value(rule);
  w.end_array();
  w.member("derates", c.derates);
  w.member("verdict", to_string(c.verdict));
  w.member("warnings", c.warnings);
  w.end_object();
}

// bound_json() in json.cpp
void bound_object(JsonWriter& w, const core::Bound& b) {
  w.begin_object();
  cause_members(w, b.cause);
  w.member("value", b.value);
  w.end_object();
}

void constraint_object(JsonWriter& w, const Constraint& c) {
  w.begin_object();
  w.member("binding", c.binding);
  w.member("bound", c.bound);
  w.member("direction", to_string(c.direction));
  cause_members(w, c.cause);
  w.member("value", c.value);
  w.end_object();
}

void string_array(JsonWriter& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& item : items) w.value(item);
  w.end_array();
}

void protection_object(JsonWriter& w, const ProtectionStatus& p) {
  w.begin_object();
  w.member("cell_data", p.cell_data);
  w.key("charge_blocked_by");
  string_array(w, p.charge_blocked_by);
  w.key("discharge_blocked_by");
  string_array(w, p.discharge_blocked_by);
  w.member("estimated_cell_voltage_v", p.estimated_cell_voltage_v);
  w.key("recovery_charge");
  if (p.recovery_charge)
    w.value(*p.recovery_charge);
  else
    w.null();
  w.member("uncommanded_discharge_w", p.uncommanded_discharge_w);
  w.member("waiting_for_bms", p.waiting_for_bms);
  w.end_object();
}

void power_flow_object(JsonWriter& w, const StatusDto& s) {
  const PowerFlow f = power_flow(s);
  const auto source = [&](const char* name, std::string_view v) {
    w.key(name);
    if (v.empty())
      w.null();
    else
      w.value(v);
  };
  w.begin_object();
  source("battery_source", f.battery_source);  // keys in dump()'s (sorted) order
  w.member("battery_w", f.battery_w);
  source("grid_source", f.grid_source);
  w.member("grid_w", f.grid_w);
  w.member("house_w", f.house_w);
  source("pv_source", f.pv_source);
  w.member("pv_w", f.pv_w);
  w.end_object();
}

// A flow nothing measures is unknown, not 0 kWh.
void kwh_member(JsonWriter& w, const char* key, bool known, double v) {
  w.key(key);
  if (known)
    w.value(round_kwh(v));
  else
    w.null();
}

void money_member(JsonWriter& w, const char* key, const std::optional<double>& v) {
  w.member(key, v ? std::optional<double>{round_money(*v)} : std::nullopt);
}

void prices_member(JsonWriter& w, const std::optional<energy::FlatPrices>& p) {  // prices_json
  w.key("prices");
  if (!p) return w.null();
  w.begin_object();
  w.member("currency", p->currency);
  w.member("export_per_kwh", p->export_per_kwh);
  w.member("import_per_kwh", p->import_per_kwh);
  w.member("method", kSavingMethod);
  w.end_object();
}

void today_member(JsonWriter& w, const EnergyStatus& e) {  // today_json
  w.key("today");
  if (!e.today) return w.null();
  const auto& t = e.today->increase;
  w.begin_object();
  kwh_member(w, "battery_charged_kwh", t.battery_known(), t.battery_charged_kwh);
  kwh_member(w, "battery_discharged_kwh", t.battery_known(), t.battery_discharged_kwh);
  w.member("date", format_date(e.today->day));
  kwh_member(w, "grid_export_kwh", t.grid_known(), t.grid_export_kwh);
  kwh_member(w, "grid_import_kwh", t.grid_known(), t.grid_import_kwh);
  kwh_member(w, "house_kwh", t.house_known(), t.house_kwh);
  w.member("measured_s", std::round(t.measured_s));
  w.key("money");
  if (e.prices) {
    const auto m = energy::money_of(t, *e.prices);
    w.begin_object();
    money_member(w, "battery_saving", m.battery_saving);
    money_member(w, "export_income", m.export_income);
    money_member(w, "grid_cost", m.grid_cost);
    w.end_object();
  } else {
    w.null();
  }
  kwh_member(w, "pv_kwh", t.pv_known(), t.pv_kwh);
  w.end_object();
}

void energy_object(JsonWriter& w, const EnergyStatus& e) {  // energy_json
  const auto& t = e.totals;
  w.begin_object();
  w.key("as_of");
  if (e.as_of)
    w.value(format_time(*e.as_of));
  else
    w.null();
  w.member("battery_charged_kwh", round_kwh(t.battery_charged_kwh));
  w.member("battery_discharged_kwh", round_kwh(t.battery_discharged_kwh));
  kwh_member(w, "grid_export_kwh", t.grid_known(), t.grid_export_kwh);
  kwh_member(w, "grid_import_kwh", t.grid_known(), t.grid_import_kwh);
  kwh_member(w, "house_kwh", t.house_known(), t.house_kwh);
  w.member("measured_s", std::round(t.measured_s));
  prices_member(w, e.prices);
  kwh_member(w, "pv_kwh", t.pv_known(), t.pv_kwh);
  w.key("since");
  if (e.since)
    w.value(format_time(*e.since));
  else
    w.null();
  today_member(w, e);
  w.member("unmeasured_s", std::round(t.unmeasured_s));
  w.end_object();
}

// Both documents are a few KB: one allocation up front instead of a doubling series.
constexpr std::size_t kInitialCapacity = 4096;

}  // namespace

std::string to_json_text(const StatusDto& s) {
  JsonWriter w(kInitialCapacity);
  w.begin_object();
  w.key("active_faults");
  w.begin_array();
  for (const auto& f : s.controller.active_faults) fault_object(w, f);
  w.end_array();
  w.member("command_reason", s.controller.command_reason);
  w.member("commanded_power_w", s.controller.commanded_power_w);
  w.key("compliance");
  compliance_object(w, s.compliance);
  w.key("energy");
  energy_object(w, s.energy);
  w.key("envelope");
  envelope_object(w, s.envelope);
  w.key("inverter");
  inverter_object(w, s.inverter, s.inverter_age_s, s.inverter_held_limits);
  w.key("links");
  w.begin_array();
  for (const auto& l : s.links) link_object(w, l);
  w.end_array();
  w.member("manual_setpoint_w", s.controller.manual_setpoint_w);
  w.member("mode", to_string(s.controller.mode));
  w.key("mode_expires_at");
  if (s.controller.mode_expires_at)
    w.value(format_time(*s.controller.mode_expires_at));
  else
    w.null();
  w.key("mode_set_at");
  if (s.controller.mode_set_at)
    w.value(format_time(*s.controller.mode_set_at));
  else
    w.null();
  w.key("mode_set_by");
  if (s.controller.mode_set_by.empty())
    w.null();
  else
    w.value(s.controller.mode_set_by);
  w.member("mode_source", s.controller.mode_source);
  w.key("operating_reason");
  w.begin_object();
  w.member("code", s.controller.operating_reason_code);
  w.member("text", s.controller.operating_reason);
  w.end_object();
  w.key("pack");
  pack_object(w, s.pack, s.pack_age_s);
  w.key("power_flow");
  power_flow_object(w, s);
  w.key("protection");
  protection_object(w, s.protection);
  w.member("reserve_soc_pct", s.controller.reserve_soc_pct);
  w.key("schedule");
  if (const auto& sc = s.controller.schedule) {
    w.begin_object();
    w.member("action", sc->action);
    w.member("goal_soc_pct", sc->goal_soc_pct);
    w.member("local_time", sc->local_time);
    w.member("plan", sc->plan);
    w.member("time_zone", sc->time_zone);
    w.member("window", sc->window);
    w.end_object();
  } else {
    w.null();
  }
  w.key("service_faults");
  w.begin_array();
  for (const auto& f : s.service_faults) fault_object(w, f);
  w.end_array();
  w.member("state", s.controller.state);
  w.member("target_soc_pct", s.controller.target_soc_pct);
  w.member("time", format_time(s.time));
  w.key("warnings");
  w.begin_array();
  for (const auto& f : s.warnings) fault_object(w, f);
  w.end_array();
  w.end_object();
  return w.take();
}

std::string to_json_text(const LimitsDto& l) {
  JsonWriter w(kInitialCapacity);
  w.begin_object();
  w.key("bounds");
  w.begin_object();
  w.key("charge_current_max_a");
  bound_object(w, l.envelope.charge_current_max_a);
  w.key("charge_power_max_w");
  bound_object(w, l.envelope.charge_power_max_w);
  w.key("charge_voltage_max_v");
  bound_object(w, l.envelope.charge_voltage_max_v);
  w.key("discharge_current_max_a");
  bound_object(w, l.envelope.discharge_current_max_a);
  w.key("discharge_power_max_w");
  bound_object(w, l.envelope.discharge_power_max_w);
  w.end_object();
  w.key("constraints");
  w.begin_array();
  for (const auto& c : l.constraints) constraint_object(w, c);
  w.end_array();
  w.member("time", format_time(l.time));
  w.end_object();
  return w.take();
}

}  // namespace bessd::api
