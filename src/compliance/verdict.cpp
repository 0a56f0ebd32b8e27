#include <bessd/compliance/confidence.hpp>
#include <bessd/compliance/verdict.hpp>

namespace bessd::compliance {

std::string_view to_string(Verdict v) noexcept {
  return enum_name(kVerdictNames, v);
}

std::optional<Verdict> verdict_from_string(std::string_view text) noexcept {
  return enum_from_name(kVerdictNames, text);
}

std::string_view tag(Confidence c) noexcept {
  switch (c) {
    case Confidence::confirmed:
      return "[C]";
    case Confidence::secondary:
      return "[S]";
    case Confidence::uncertain:
      return "[U]";
    case Confidence::judgement:
      return "[I]";
  }
  return "[?]";
}

std::string_view to_string(Confidence c) noexcept {
  return enum_name(kConfidenceNames, c);
}

}  // namespace bessd::compliance
