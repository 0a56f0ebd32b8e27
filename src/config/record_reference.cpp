#include <bessd/config/record_reference.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace bessd::config {

namespace {

/// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come back as U+FFFD.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  std::uint32_t cp = b & (0x3Fu >> extra);
  for (; extra > 0; --extra) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

/// White space and the invisible format characters people paste from documents.
bool invisible(std::uint32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x2060 ||
         cp == 0x3000 || cp == 0xFEFF;
}

bool control(std::uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

std::string lower_trimmed_ascii(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> record_reference_problem(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool visible = false;
  for (std::size_t i = 0; i < text.size();) {
    const std::uint32_t cp = next_code_point(text, i);
    if (control(cp)) return "contains a control character: write the record's reference as text";
    if (!invisible(cp)) visible = true;
  }
  if (!visible)
    return "holds only blank or invisible characters: write the record's reference, or leave "
           "the key out if there is no record";
  static constexpr std::array<std::string_view, 14> kPlaceholders{
      "-",   "--",   "?", "n/a", "na",      "none",    "tbc",
      "tbd", "todo", "x", "xxx", "unknown", "pending", "."};
  const std::string key = lower_trimmed_ascii(text);
  if (std::find(kPlaceholders.begin(), kPlaceholders.end(), key) != kPlaceholders.end())
    return "\"" + std::string{text} +
           "\" is a placeholder, not a record: write the record's reference, or leave the key "
           "out if there is no record";
  return std::nullopt;
}

}  // namespace bessd::config
