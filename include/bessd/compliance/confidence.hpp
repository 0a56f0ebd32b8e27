#pragma once
// How sure bessd is of the fact behind a rule or threshold (docs/compliance.md: [C] [S] [U] [I]).

#include <array>
#include <cstdint>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd::compliance {

enum class Confidence : std::uint8_t {
  confirmed,  // [C] confirmed from the primary text
  secondary,  // [S] from a secondary source (installer guidance, vendor code)
  uncertain,  // [U] uncertain
  judgement,  // [I] bessd's own engineering judgement
};
inline constexpr auto kConfidenceNames =
    std::to_array<EnumName<Confidence>>({{Confidence::confirmed, "confirmed"},
                                         {Confidence::secondary, "secondary"},
                                         {Confidence::uncertain, "uncertain"},
                                         {Confidence::judgement, "judgement"}});
static_assert(enum_names_complete(kConfidenceNames));

/// The tag as printed in reports: "[C]", "[S]", "[U]", "[I]".
std::string_view tag(Confidence c) noexcept;
/// "confirmed", "secondary", "uncertain", "judgement".
std::string_view to_string(Confidence c) noexcept;

/// Findings whose threshold rests on anything but the confirmed primary text carry this note.
inline constexpr std::string_view kVerifyNote = "verify against the published text";
constexpr bool needs_verification(Confidence c) noexcept {
  return c != Confidence::confirmed;
}

}  // namespace bessd::compliance
