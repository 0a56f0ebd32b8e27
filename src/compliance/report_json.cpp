#include <bessd/compliance/report_json.hpp>

namespace bessd::compliance {

nlohmann::ordered_json to_json(const Finding& finding) {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  for (const auto& in : finding.inputs) inputs[in.name] = in.value;
  nlohmann::ordered_json j{
      {"rule", finding.rule_id},
      {"title", finding.title},
      {"verdict", std::string{to_string(finding.verdict)}},
      {"reference", finding.reference},
      {"confidence", std::string{tag(finding.confidence)}},
      {"message", finding.message},
      {"inputs", inputs},
  };
  if (finding.verify_published_text) j["note"] = std::string{kVerifyNote};
  return j;
}

nlohmann::ordered_json to_json(const ComplianceReport& report) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) findings.push_back(to_json(f));
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (Verdict v :
       {Verdict::block, Verdict::derate, Verdict::warn, Verdict::pass, Verdict::not_applicable})
    counts[std::string{to_string(v)}] = report.count(v);
  nlohmann::ordered_json derate = nullptr;
  if (const auto& d = report.second_life_derate) {
    derate = {{"factor", d->factor},
              {"soh_pct",
               d->soh_pct ? nlohmann::ordered_json(*d->soh_pct) : nlohmann::ordered_json(nullptr)},
              {"cell_voltage_max_v", d->cell_voltage_max_v},
              {"cell_voltage_min_v", d->cell_voltage_min_v}};
  }
  nlohmann::ordered_json nameplate = nullptr;
  if (const auto& n = report.bms_nameplate) {
    const auto opt = [](const auto& v) {
      return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
    };
    nameplate = {{"capacity_ah", n->capacity_ah},
                 {"energy_kwh", opt(n->energy_kwh)},
                 {"nominal_voltage_v", opt(n->nominal_voltage_v)},
                 {"voltage_basis", n->voltage_basis},
                 {"module_count", opt(n->module_count)}};
  }
  nlohmann::ordered_json j;
  j["verdict"] = std::string{to_string(report.verdict)};
  j["evaluated_on"] = format_date(report.evaluated_on);
  j["site"] = report.site_name;
  j["scope"] = {{"pas_63100", report.pas_63100_applies}, {"note", report.scope_note}};
  j["counts"] = counts;
  j["findings"] = findings;
  j["second_life_derate"] = derate;
  j["bms_nameplate"] = nameplate;
  return j;
}

}  // namespace bessd::compliance
