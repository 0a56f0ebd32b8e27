#pragma once
// 16-bit register words from physical values, saturating instead of wrapping (a simulated device
// must never report a wrapped value). Shared by the SunSpec and Victron register images.

#include <algorithm>
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

}  // namespace bessd::sim::words
