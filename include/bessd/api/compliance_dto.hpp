#pragma once
// GET /v1/compliance: the installation report (docs/compliance.md). The document is the one
// `bessd check-site --json` prints for the same configuration and day, produced by the same code
// (compliance::to_json), so verdicts never differ between the daemon and the offline check; the
// daemon adds its live fields around it (when it was checked, which directions are blocked) and
// its live inputs appear in the findings' inputs (the BMS nameplate in BAT-CAP-01, PAS-ENE-01)
// and in the report's `bms_nameplate`. `config_fingerprint` names the configuration in force, so
// `bessd check-site --live` can refuse to certify another file (docs/compliance.md).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <bessd/common/clock.hpp>

namespace bessd::api {

struct ComplianceDto {
  std::optional<WallTime> checked_at;
  bool charge_blocked{false};
  bool discharge_blocked{false};
  /// config::config_fingerprint of the configuration the daemon runs (absent when unknown).
  std::optional<std::string> config_fingerprint;
  /// The report document: verdict, evaluated_on, site, scope, counts, findings[] (rule, title,
  /// verdict, reference, confidence, message, inputs, note), second_life_derate.
  nlohmann::json report = nlohmann::json::object();
  friend bool operator==(const ComplianceDto&, const ComplianceDto&) = default;
};

}  // namespace bessd::api
