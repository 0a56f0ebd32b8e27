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

}  // namespace bessd::compliance
