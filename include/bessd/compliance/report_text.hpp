#pragma once
// Human-readable table of a compliance report (`bessd check-site` without --json): one block per
// rule with verdict, confidence, message wrapped to the width, reference, values read, and the
// "verify against the published text" note where it applies.

#include <cstddef>
#include <string>

#include <bessd/compliance/report.hpp>

namespace bessd::compliance {

/// `width` is the total line width in columns (minimum 60 is enforced).
std::string format_table(const ComplianceReport& report, std::size_t width = 100);

/// One line per finding for a log: "PAS-LOC-01 block: <message> [PAS 63100:2024, 6.5.5; [S],
/// verify against the published text]".
std::string format_log_line(const Finding& finding);

}  // namespace bessd::compliance
