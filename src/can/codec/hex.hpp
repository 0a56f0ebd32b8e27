#pragma once
// Hex digit helpers shared by the SLCAN and candump codecs (internal).

#include <cstdint>
#include <optional>
#include <string_view>

namespace bessd::can::detail {

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// Parse exactly text.size() hex digits (at most 8) into a value; nullopt on any non-hex char.
inline std::optional<std::uint32_t> parse_hex(std::string_view text) noexcept {
  if (text.empty() || text.size() > 8) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : text) {
    int d = hex_value(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  return v;
}

inline constexpr char kHexDigits[] = "0123456789ABCDEF";

}  // namespace bessd::can::detail
