#include <bessd/compliance/confidence.hpp>
#include <bessd/compliance/verdict.hpp>

namespace bessd::compliance {

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::not_applicable:
      return "not_applicable";
    case Verdict::pass:
      return "pass";
    case Verdict::warn:
      return "warn";
    case Verdict::derate:
      return "derate";
    case Verdict::block:
      return "block";
  }
  return "invalid";
}

std::optional<Verdict> verdict_from_string(std::string_view text) noexcept {
  for (Verdict v :
       {Verdict::not_applicable, Verdict::pass, Verdict::warn, Verdict::derate, Verdict::block})
    if (to_string(v) == text) return v;
  return std::nullopt;
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
  switch (c) {
    case Confidence::confirmed:
      return "confirmed";
    case Confidence::secondary:
      return "secondary";
    case Confidence::uncertain:
      return "uncertain";
    case Confidence::judgement:
      return "judgement";
  }
  return "invalid";
}

}  // namespace bessd::compliance
