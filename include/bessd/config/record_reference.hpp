#pragma once
// A reference to a paper or digital record (second-life traceability record, grading report,
// the engineer's override): its presence is what a compliance rule checks, so a value that only
// looks present (" ", a zero-width space, "n/a") must not count as one (docs/compliance.md,
// "Second-life packs"). Pure.

#include <optional>
#include <string>
#include <string_view>

namespace bessd::config {

/// Why `text` is not a usable record reference (blank or invisible characters only, a control
/// character, a placeholder such as "n/a" or "tbc"), or nullopt when it is one. An empty text is
/// "not given", which is for the rule to judge, not an error.
std::optional<std::string> record_reference_problem(std::string_view text);

}  // namespace bessd::config
