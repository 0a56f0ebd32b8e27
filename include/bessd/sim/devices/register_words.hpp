#pragma once
// 16-bit register words from physical values, saturating instead of wrapping (a simulated device
// must never report a wrapped value). Shared by the SunSpec, Victron and GoodWe register images.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace bessd::sim::words {

inline std::uint16_t s16(double v) {
  return static_cast<std::uint16_t>(
      static_cast<std::int16_t>(std::clamp(std::lround(v), -32767L, 32767L)));
}

/// `max` lets SunSpec keep 0xFFFF free: it means "not implemented" there.
inline std::uint16_t u16(double v, long max = 65535L) {
  return static_cast<std::uint16_t>(std::clamp(std::lround(v), 0L, max));
}

/// 32-bit values as two words, high word first (the word order GoodWe's registers use).
inline std::array<std::uint16_t, 2> s32_hi_lo(double v) {
  const auto x = static_cast<std::uint32_t>(
      static_cast<std::int32_t>(std::clamp(std::llround(v), -2147483647LL, 2147483647LL)));
  return {static_cast<std::uint16_t>(x >> 16), static_cast<std::uint16_t>(x & 0xFFFFU)};
}

inline std::array<std::uint16_t, 2> u32_hi_lo(double v) {
  const auto x = static_cast<std::uint32_t>(std::clamp(std::llround(v), 0LL, 4294967295LL));
  return {static_cast<std::uint16_t>(x >> 16), static_cast<std::uint16_t>(x & 0xFFFFU)};
}

}  // namespace bessd::sim::words
