#pragma once
// The verdict of one installation rule, and of a whole compliance report (docs/compliance.md).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd::compliance {

/// Ordered by severity, least first: the overall verdict of a report is the most severe finding.
/// `not_applicable` ranks below `pass` so that a report of only inapplicable rules still reads
/// as nothing to do.
enum class Verdict : std::uint8_t {
  not_applicable,  // the rule does not apply to this site (jurisdiction, dwelling, second life)
  pass,            // the rule is met
  warn,            // logged and reported; power flows
  derate,          // limits reduced (SL-DER-01 factor); power flows
  block,           // no power flow until fixed: the daemon stays up, monitors and explains
};
inline constexpr auto kVerdictNames =
    std::to_array<EnumName<Verdict>>({{Verdict::not_applicable, "not_applicable"},
                                      {Verdict::pass, "pass"},
                                      {Verdict::warn, "warn"},
                                      {Verdict::derate, "derate"},
                                      {Verdict::block, "block"}});
static_assert(enum_names_complete(kVerdictNames));

/// "not_applicable", "pass", "warn", "derate", "block" (the JSON / API spelling).
std::string_view to_string(Verdict v) noexcept;
std::optional<Verdict> verdict_from_string(std::string_view text) noexcept;

/// The more severe of two verdicts.
constexpr Verdict worst(Verdict a, Verdict b) noexcept {
  return a < b ? b : a;
}

}  // namespace bessd::compliance
