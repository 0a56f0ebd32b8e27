#pragma once
// A classic CAN 2.0 frame as bessd sees it, independent of the transport (SocketCAN, SLCAN,
// in-process simulation). Pure value type: no I/O.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace bessd::can {

inline constexpr std::uint32_t kMaxStandardId = 0x7FF;       // 11-bit
inline constexpr std::uint32_t kMaxExtendedId = 0x1FFFFFFF;  // 29-bit
inline constexpr std::uint8_t kMaxDlc = 8;                   // classic CAN

struct CanFrame {
  std::uint32_t id{0};   // 11-bit (extended == false) or 29-bit identifier, no flag bits
  bool extended{false};  // 29-bit identifier
  bool remote{false};    // RTR: no data, dlc = requested length
  bool error{false};     // SocketCAN error frame (id holds CAN_ERR_* class bits)
  std::uint8_t dlc{0};   // 0..8
  std::array<std::uint8_t, kMaxDlc> data{};  // bytes beyond dlc are zero

  /// The payload bytes actually carried (empty for remote frames; at most 8 even when a
  /// malformed frame claims a larger dlc).
  std::span<const std::uint8_t> payload() const {
    const std::size_t n = dlc > kMaxDlc ? kMaxDlc : dlc;
    return {data.data(), remote ? std::size_t{0} : n};
  }
  friend bool operator==(const CanFrame&, const CanFrame&) = default;
};

/// A standard (11-bit) data frame; at most 8 bytes are used, the rest ignored.
CanFrame make_frame(std::uint32_t id, std::initializer_list<std::uint8_t> bytes);
CanFrame make_frame(std::uint32_t id, std::span<const std::uint8_t> bytes);
/// An extended (29-bit) data frame.
CanFrame make_extended_frame(std::uint32_t id, std::span<const std::uint8_t> bytes);

/// True when id, dlc and flags are consistent (id within 11/29 bits, dlc <= 8).
bool is_valid(const CanFrame& frame) noexcept;

/// "351#1402C012C012C201" (candump's compact form); "1FFFFFFF#R2" for remote frames.
std::string to_string(const CanFrame& frame);

/// Acceptance filter: a received frame passes when (frame.id & mask) == (id & mask) and its
/// extended flag matches. Same semantics as struct can_filter without the flag bits.
struct CanFilter {
  std::uint32_t id{0};
  std::uint32_t mask{kMaxStandardId};
  bool extended{false};
  friend bool operator==(const CanFilter&, const CanFilter&) = default;
};

bool matches(const CanFilter& filter, const CanFrame& frame) noexcept;

}  // namespace bessd::can
