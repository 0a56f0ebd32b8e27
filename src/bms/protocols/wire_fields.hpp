#pragma once
// Little- and big-endian field access and wire rounding shared by the BMS frame codecs (an internal
// header of src/bms/protocols: not part of the public interface).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>

namespace bessd::bms::wire {

inline std::uint16_t le16(const can::CanFrame& f, std::size_t at) {
  return static_cast<std::uint16_t>(f.data[at] | (f.data[at + 1] << 8));
}
inline std::int16_t les16(const can::CanFrame& f, std::size_t at) {
  return static_cast<std::int16_t>(le16(f, at));
}
inline std::uint32_t le32(const can::CanFrame& f, std::size_t at) {
  return static_cast<std::uint32_t>(le16(f, at)) |
         (static_cast<std::uint32_t>(le16(f, at + 2)) << 16);
}

// Big-endian (BYD HVS).
inline std::uint16_t be16(const can::CanFrame& f, std::size_t at) {
  return static_cast<std::uint16_t>((f.data[at] << 8) | f.data[at + 1]);
}
inline std::int16_t bes16(const can::CanFrame& f, std::size_t at) {
  return static_cast<std::int16_t>(be16(f, at));
}
inline void put16_be(can::CanFrame& f, std::size_t at, std::uint16_t v) {
  f.data[at] = static_cast<std::uint8_t>(v >> 8);
  f.data[at + 1] = static_cast<std::uint8_t>(v & 0xFF);
}

inline void put16(can::CanFrame& f, std::size_t at, std::uint16_t v) {
  f.data[at] = static_cast<std::uint8_t>(v & 0xFF);
  f.data[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
inline void put32(can::CanFrame& f, std::size_t at, std::uint32_t v) {
  put16(f, at, static_cast<std::uint16_t>(v & 0xFFFF));
  put16(f, at + 2, static_cast<std::uint16_t>(v >> 16));
}

/// Round (value + offset) / scale to the wire integer, clamped to the field's range (NaN -> 0).
template <typename Int>
Int to_raw(double value, double scale, double offset = 0.0) {
  double raw = std::round((value + offset) / scale);
  if (std::isnan(raw)) raw = 0;
  raw = std::clamp(raw, static_cast<double>(std::numeric_limits<Int>::min()),
                   static_cast<double>(std::numeric_limits<Int>::max()));
  return static_cast<Int>(raw);
}
inline std::uint16_t u16(double v, double scale, double offset = 0.0) {
  return to_raw<std::uint16_t>(v, scale, offset);
}
inline std::uint16_t s16(double v, double scale) {
  return static_cast<std::uint16_t>(to_raw<std::int16_t>(v, scale));
}

inline can::CanFrame frame_of(std::uint32_t id, std::uint8_t dlc, bool extended = false) {
  can::CanFrame f;
  f.id = id;
  f.dlc = dlc;
  f.extended = extended;
  return f;
}

/// "<protocol> 0x356: DLC 4, need at least 6": a known frame shorter than its layout.
inline Failure too_short(const char* protocol, const can::CanFrame& f, unsigned need) {
  char buf[112];
  std::snprintf(buf, sizeof buf, "%s 0x%0*X: DLC %u, need at least %u", protocol,
                f.extended ? 4 : 3, f.id, static_cast<unsigned>(f.dlc), need);
  return fail(ErrorCode::parse_error, buf);
}

/// "<protocol> 0x4280: <why> (<the frame in candump form>)".
inline Failure malformed(const char* protocol, const can::CanFrame& f, const char* why) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s 0x%0*X: %s (%s)", protocol, f.extended ? 4 : 3, f.id, why,
                can::to_string(f).c_str());
  return fail(ErrorCode::parse_error, buf);
}

/// "<protocol> 0x1D0: pack voltage 1613.6 V outside the plausible range (wrong byte order?)
/// (<the frame>)": a value no pack of that kind reports, most often a field read in the wrong
/// byte order.
inline Failure implausible(const char* protocol, const can::CanFrame& f, const char* what,
                           double value, const char* unit) {
  char why[96];
  std::snprintf(why, sizeof why, "%s %.1f %s outside the plausible range (wrong byte order?)", what,
                value, unit);
  return malformed(protocol, f, why);
}

/// A temperature outside [min_c, max_c] as an implausible value; nullopt inside.
inline std::optional<Failure> temperature_window(const char* protocol, const can::CanFrame& f,
                                                 const char* what, double c, double min_c,
                                                 double max_c) {
  if (c < min_c || c > max_c) return implausible(protocol, f, what, c, "degC");
  return std::nullopt;
}

/// Bytes [from, to) as ASCII text with trailing spaces and NULs stripped; nullopt, with `why`
/// set, when a byte is not printable or text follows the NUL padding.
inline std::optional<std::string> ascii(const can::CanFrame& f, std::size_t from, std::size_t to,
                                        const char*& why) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) {
    const std::uint8_t c = f.data[i];
    if (c == 0) {
      for (std::size_t j = i; j < to; ++j) {
        if (f.data[j] != 0 && f.data[j] != ' ') {
          why = "text after NUL padding";
          return std::nullopt;
        }
      }
      break;
    }
    if (c < 0x20 || c >= 0x7F) {
      why = "non-printable byte in ASCII text";
      return std::nullopt;
    }
    s += static_cast<char>(c);
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace bessd::bms::wire
