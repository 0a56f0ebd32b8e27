#pragma once
// Pure Lawicel SLCAN codec (docs/protocols.md "SLCAN"): commands bessd sends, and a parser for
// what an adapter (CANable, USBtin, Lawicel, CanHacker) writes back. No I/O, never throws on
// bad bytes: garbage and over-long lines are reported and skipped, partial lines are kept
// until the rest arrives.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>

namespace bessd::can::slcan {

/// The longest valid line: extended frame, 8 data bytes, timestamp (29 chars + '\r').
inline constexpr std::size_t kMaxLineLength = 30;

/// "C\r": close the channel (required before S/s). bessd sends it first and ignores the reply.
std::string encode_close();
/// "O\r": open the channel in normal mode.
std::string encode_open();
/// "Sn\r" for a standard bit rate in bit/s: 10k..1M. 750000 and 800000 both map to S7
/// (CANable firmware runs S7 at 750 k, Lawicel/USBtin/Linux at 800 k). Others: invalid_argument.
Result<std::string> encode_bitrate(std::uint32_t bitrate);
/// "Z0\r"/"Z1\r": adapter timestamps off/on (bessd stamps frames on the host anyway).
std::string encode_timestamps(bool on);
/// "tiiildd..\r", "Tiiiiiiiildd..\r", "riiil\r", "Riiiiiiiil\r" (uppercase hex).
/// invalid_argument for an id out of range, dlc > 8 or an error frame.
Result<std::string> encode_frame(const CanFrame& frame);

/// A frame received from the adapter. `timestamp_ms` is the adapter's 0..59999 ms counter
/// when it sends one (Z1); bessd does not use it for timing.
struct ReceivedFrame {
  CanFrame frame;
  std::optional<std::uint16_t> timestamp_ms;
  friend bool operator==(const ReceivedFrame&, const ReceivedFrame&) = default;
};
/// "\r", "z\r", "Z\r": the adapter accepted the last command or frame.
struct Accepted {
  friend bool operator==(const Accepted&, const Accepted&) = default;
};
/// "\a" (BEL): the adapter rejected the last command or frame.
struct Rejected {
  friend bool operator==(const Rejected&, const Rejected&) = default;
};
/// "Fxx\r": status flags (bit 2 error warning, 3 data overrun, 5 error passive, 6 arbitration
/// lost, 7 bus error).
struct StatusFlags {
  std::uint8_t flags{0};
  friend bool operator==(const StatusFlags&, const StatusFlags&) = default;
};
/// Any other reply the adapter may send ("V1013", "N1234", CANable git hash): kept as text.
struct Info {
  std::string text;
  friend bool operator==(const Info&, const Info&) = default;
};
/// Linux slcan state line "s<a|w|p|b>..." (error-active/warning/passive/bus-off).
struct BusState {
  char state{'a'};
  friend bool operator==(const BusState&, const BusState&) = default;
};

using Message = std::variant<ReceivedFrame, Accepted, Rejected, StatusFlags, Info, BusState>;

/// Parse one line without its terminator ('\r' or '\a' already stripped; `bell` says which).
/// parse_error with a reason naming the line for anything that is not a valid message.
Result<Message> parse_line(std::string_view line, bool bell = false);

/// Streaming parser: feed bytes as they arrive in any split; get messages and errors in order.
class Parser {
 public:
  struct Output {
    std::vector<Message> messages;
    std::vector<Error> errors;  // one per rejected line (garbage, over-long, bad hex)
  };

  /// Append bytes; complete lines are parsed and appended to `out`.
  void feed(std::span<const std::uint8_t> bytes, Output& out);
  void feed(std::string_view text, Output& out);
  /// Drop any partial line (after a reconnect).
  void reset();
  /// Bytes of the current partial line.
  std::size_t pending() const noexcept { return line_.size(); }

 private:
  std::string line_;
  bool overflow_{false};  // current line exceeded kMaxLineLength: discard until terminator
};

/// Human-readable form of StatusFlags bits, e.g. "error passive, bus error".
std::string describe_status_flags(std::uint8_t flags);

}  // namespace bessd::can::slcan
