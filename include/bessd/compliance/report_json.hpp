#pragma once
// JSON form of a compliance report, for `bessd check-site --json` and the API:
// {"verdict": "block", "evaluated_on": "2026-11-24", "site": "...",
//  "counts": {"block": 1, ...},
//  "findings": [{"rule", "title", "verdict", "reference", "confidence", "message",
//                "inputs": {name: value}, "note"?}],
//  "second_life_derate": {"factor", "soh_pct", "cell_voltage_max_v", "cell_voltage_min_v"} | null}
// "note" ("verify against the published text") is present only on findings that need it.

#include <nlohmann/json.hpp>

#include <bessd/compliance/report.hpp>

namespace bessd::compliance {

/// ordered_json keeps keys in the order above (verdict first, inputs in reading order); it
/// converts to nlohmann::json by plain assignment where an unordered object is wanted.
nlohmann::ordered_json to_json(const Finding& finding);
nlohmann::ordered_json to_json(const ComplianceReport& report);

}  // namespace bessd::compliance
