#include <bessd/api/prometheus_text.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <utility>

#include <bessd/api/json.hpp>

namespace bessd::api {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  const auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc{}) return "NaN";
  return std::string(buf.data(), ptr);
}

void gauge(PrometheusText& out, const char* name, const char* help, const std::optional<double>& v,
           std::map<std::string, std::string> labels = {}) {
  if (v) out.add({name, help, MetricType::gauge, std::move(labels), *v});
}

std::string label_text(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label(v) + "\"";
  }
  return out + '}';
}

std::string series_text(const MetricSample& s) {
  return s.name + label_text(s.labels);
}

std::string type_name(MetricType t) {
  return std::string(enum_name(kMetricTypeNames, t, "untyped"));
}

}  // namespace

void PrometheusText::add(MetricSample sample) {
  std::string family = sample.name;
  if (sample.type == MetricType::histogram)
    for (const char* series : {"_bucket", "_sum", "_count"})
      if (family.ends_with(series)) {
        family.resize(family.size() - std::string_view(series).size());
        break;
      }
  for (auto& f : families_) {
    if (f.name == family) {
      const bool repeated = std::any_of(f.samples.begin(), f.samples.end(), [&](const auto& s) {
        return s.name == sample.name && s.labels == sample.labels;
      });
      if (repeated) {
        duplicates_.push_back(series_text(sample));
        return;
      }
      f.samples.push_back(std::move(sample));
      return;
    }
  }
  families_.push_back({family, sample.help, sample.type, {}});
  families_.back().samples.push_back(std::move(sample));
}

std::string PrometheusText::render() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + f.name + " " + type_name(f.type) + "\n";
    for (const auto& s : f.samples) out += series_text(s) + ' ' + format_value(s.value) + '\n';
  }
  return out;
}

void add_status_metrics(PrometheusText& out, const StatusDto& s) {
  const auto& p = s.pack;
  gauge(out, "bessd_pack_soc_percent", "State of charge", p.soc_pct);
  gauge(out, "bessd_pack_soh_percent", "State of health reported by the BMS", p.soh_pct);
  gauge(out, "bessd_pack_voltage_volts", "Pack voltage", p.voltage_v);
  gauge(out, "bessd_pack_current_amperes", "Pack current, positive when charging", p.current_a);
  gauge(out, "bessd_pack_power_watts", "Pack power, positive when charging", p.power_w());
  gauge(out, "bessd_pack_temperature_celsius", "Pack temperature", p.temperature_c);
  gauge(out, "bessd_pack_cell_voltage_volts", "Cell voltage extremes", p.cell_voltage_min_v,
        {{"extreme", "min"}});
  gauge(out, "bessd_pack_cell_voltage_volts", "Cell voltage extremes", p.cell_voltage_max_v,
        {{"extreme", "max"}});
  gauge(out, "bessd_pack_cell_temperature_celsius", "Cell temperature extremes",
        p.cell_temperature_min_c, {{"extreme", "min"}});
  gauge(out, "bessd_pack_cell_temperature_celsius", "Cell temperature extremes",
        p.cell_temperature_max_c, {{"extreme", "max"}});
  gauge(out, "bessd_pack_data_age_seconds", "Age of the newest BMS measurement", s.pack_age_s);

  const auto& i = s.inverter;
  gauge(out, "bessd_inverter_online", "1 when the inverter answers", i.online ? 1.0 : 0.0);
  gauge(out, "bessd_inverter_battery_power_watts", "Inverter battery power, positive charging",
        i.battery_power_w);
  gauge(out, "bessd_inverter_grid_power_watts", "Grid power, positive when importing",
        i.grid_power_w);
  gauge(out, "bessd_inverter_pv_power_watts", "PV power", i.pv_power_w);
  gauge(out, "bessd_inverter_setpoint_readback_watts", "Setpoint read back from the inverter",
        i.setpoint_readback_w);
  gauge(out, "bessd_inverter_data_age_seconds", "Age of the last inverter read", s.inverter_age_s);

  // Counters in kWh, as the API shows them (docs/api.md "Energy counters"): only growing, kept
  // across restarts; Home Assistant's total_increasing and Prometheus's rate() both read them.
  const auto& t = s.energy.totals;
  // A flow nothing measures has no series (an absent series, not a 0 that never grows).
  struct Flow {
    const char* name;
    double kwh;
    bool known;
  };
  for (const auto& [flow, kwh, known] :
       {Flow{"battery_charged", t.battery_charged_kwh, true},
        Flow{"battery_discharged", t.battery_discharged_kwh, true},
        Flow{"grid_import", t.grid_import_kwh, t.grid_known()},
        Flow{"grid_export", t.grid_export_kwh, t.grid_known()}, Flow{"pv", t.pv_kwh, t.pv_known()},
        Flow{"house", t.house_kwh, t.house_known()}})
    if (known)
      out.add({"bessd_energy_kwh_total",
               "Energy per flow integrated from measured power since counting began, kWh",
               MetricType::counter,
               {{"flow", flow}},
               round_kwh(kwh)});
  out.add({"bessd_energy_unmeasured_seconds_total",
           "Time not counted because the readings were missing for longer than 10 s",
           MetricType::counter,
           {},
           std::round(t.unmeasured_s)});

  const auto& e = s.envelope;
  const char* env_help = "Enforced envelope bound (non-negative magnitude)";
  gauge(out, "bessd_envelope_power_max_watts", env_help, e.charge_power_max_w.value,
        {{"direction", "charge"}});
  gauge(out, "bessd_envelope_power_max_watts", env_help, e.discharge_power_max_w.value,
        {{"direction", "discharge"}});
  gauge(out, "bessd_envelope_current_max_amperes", env_help, e.charge_current_max_a.value,
        {{"direction", "charge"}});
  gauge(out, "bessd_envelope_current_max_amperes", env_help, e.discharge_current_max_a.value,
        {{"direction", "discharge"}});
  gauge(out, "bessd_envelope_charge_voltage_max_volts", env_help, e.charge_voltage_max_v.value);

  gauge(out, "bessd_controller_state", "Controller state (1 for the current one)", 1.0,
        {{"state", s.controller.state}});
  gauge(out, "bessd_controller_mode", "Operating mode (1 for the current one)", 1.0,
        {{"mode", std::string(to_string(s.controller.mode))}});
  gauge(out, "bessd_operating_reason", "Why the battery has its power now (1 for the current)", 1.0,
        {{"code", s.controller.operating_reason_code}});
  gauge(out, "bessd_controller_commanded_power_watts", "Commanded battery power, + charging",
        s.controller.commanded_power_w);
  gauge(out, "bessd_active_faults", "Number of active or latched faults",
        static_cast<double>(s.controller.active_faults.size()));
  for (const auto& f : s.controller.active_faults)
    gauge(out, "bessd_fault_active", "1 for each active or latched fault", 1.0,
          {{"code", f.code}, {"latched", f.latched ? "true" : "false"}});
  gauge(out, "bessd_compliance_verdict", "Installation verdict (1 for the current one)", 1.0,
        {{"verdict", std::string(to_string(s.compliance.verdict))}});
  for (const auto& l : s.links) {
    gauge(out, "bessd_link_up", "1 when the link is up", l.state == LinkState::up ? 1.0 : 0.0,
          {{"link", l.name}, {"state", std::string(to_string(l.state))}});
    gauge(out, "bessd_link_age_seconds", "Seconds since the last good message", l.age_s,
          {{"link", l.name}});
    out.add({"bessd_link_errors_total",
             "Errors on the link",
             MetricType::counter,
             {{"link", l.name}},
             static_cast<double>(l.error_count)});
  }
}

}  // namespace bessd::api
