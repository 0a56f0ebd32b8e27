#pragma once
// 16-bit register words from physical values, saturating instead of wrapping (a simulated device
// must never report a wrapped value). Shared by the SunSpec, Victron, GoodWe and SolaX register
// images.

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

/// SunSpec keeps 0xFFFF for "not implemented": a real uint16 value saturates at 65534.
inline std::uint16_t sunspec_u16(double v) {
  return u16(v, 65534L);
}

/// A SunSpec scale factor (sunssf): a power-of-ten exponent as a signed register word.
inline std::uint16_t sunssf(int exponent) {
  return static_cast<std::uint16_t>(static_cast<std::int16_t>(exponent));
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

/// 32-bit values as two words, low word first (SolaX's "little endian" word order: the lower
/// address holds the LSB word).
inline std::array<std::uint16_t, 2> s32_lo_hi(double v) {
  const auto w = s32_hi_lo(v);
  return {w[1], w[0]};
}

inline std::array<std::uint16_t, 2> u32_lo_hi(double v) {
  const auto w = u32_hi_lo(v);
  return {w[1], w[0]};
}

/// The reverse, for what a client wrote: two words, low word first, as a signed 32-bit value.
inline std::int32_t s32_of_lo_hi(std::uint16_t lo, std::uint16_t hi) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}

}  // namespace bessd::sim::words
