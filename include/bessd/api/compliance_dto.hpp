#pragma once
// GET /v1/compliance: the full installation report (standards.md §3), one finding per rule.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <bessd/api/status_dto.hpp>
#include <bessd/common/clock.hpp>

namespace bessd::api {

struct ComplianceFinding {
  std::string rule_id;  // "PAS-LOC-01"
  Verdict verdict{Verdict::pass};
  std::string title;                          // what the rule checks
  std::string message;                        // what was found, in words
  std::string reference;                      // "PAS 63100:2024 6.5.1"
  std::map<std::string, std::string> values;  // the values read ("location": "garage_integral")
  bool verify_against_text{
      false};  // rests on a secondary source: verify against the published text
  friend bool operator==(const ComplianceFinding&, const ComplianceFinding&) = default;
};

struct ComplianceDto {
  std::optional<WallTime> checked_at;
  Verdict verdict{Verdict::pass};
  bool charge_blocked{false};
  bool discharge_blocked{false};
  std::vector<ComplianceFinding> findings;
  friend bool operator==(const ComplianceDto&, const ComplianceDto&) = default;
};

}  // namespace bessd::api
