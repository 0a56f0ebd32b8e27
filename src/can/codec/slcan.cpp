#include <bessd/can/codec/slcan.hpp>

#include <array>
#include <cstdio>

#include "hex.hpp"

namespace bessd::can::slcan {

using detail::kHexDigits;
using detail::parse_hex;

namespace {

void append_hex(std::string& out, std::uint32_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) out += kHexDigits[(value >> (4 * i)) & 0xF];
}

std::string quote(std::string_view line) {
  // Show the offending line with control characters escaped, bounded in length.
  std::string out = "\"";
  for (std::size_t i = 0; i < line.size() && i < 40; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (line.size() > 40) out += "...";
  out += '"';
  return out;
}

Failure bad(std::string_view line, std::string_view why) {
  return fail(ErrorCode::parse_error, "slcan: " + std::string(why) + " in line " + quote(line));
}

Result<Message> parse_frame(std::string_view line) {
  const char kind = line[0];
  const bool extended = (kind == 'T' || kind == 'R');
  const bool remote = (kind == 'r' || kind == 'R');
  const std::size_t id_len = extended ? 8 : 3;
  if (line.size() < 1 + id_len + 1) return bad(line, "frame too short");
  auto id = parse_hex(line.substr(1, id_len));
  if (!id) return bad(line, "bad hex in identifier");
  if (*id > (extended ? kMaxExtendedId : kMaxStandardId))
    return bad(line, "identifier out of range");
  const int dlc = detail::hex_value(line[1 + id_len]);
  if (dlc < 0 || dlc > 8) return bad(line, "DLC not 0-8");
  std::size_t pos = 1 + id_len + 1;
  CanFrame frame;
  frame.id = *id;
  frame.extended = extended;
  frame.remote = remote;
  frame.dlc = static_cast<std::uint8_t>(dlc);
  if (!remote) {
    const std::size_t data_len = static_cast<std::size_t>(dlc) * 2;
    if (line.size() < pos + data_len) return bad(line, "fewer data bytes than the DLC says");
    for (int i = 0; i < dlc; ++i) {
      auto b = parse_hex(line.substr(pos + static_cast<std::size_t>(i) * 2, 2));
      if (!b) return bad(line, "bad hex in data");
      frame.data[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(*b);
    }
    pos += data_len;
  }
  ReceivedFrame rx{frame, std::nullopt};
  const std::size_t rest = line.size() - pos;
  if (rest == 4) {
    auto ts = parse_hex(line.substr(pos, 4));
    if (!ts) return bad(line, "bad hex in timestamp");
    if (*ts > 59999) return bad(line, "timestamp above 59999 ms");
    rx.timestamp_ms = static_cast<std::uint16_t>(*ts);
  } else if (rest != 0) {
    return bad(line, "trailing characters after the frame");
  }
  return Message{rx};
}

}  // namespace

std::string encode_close() {
  return "C\r";
}
std::string encode_open() {
  return "O\r";
}
std::string encode_timestamps(bool on) {
  return on ? "Z1\r" : "Z0\r";
}

Result<std::string> encode_bitrate(std::uint32_t bitrate) {
  struct Entry {
    std::uint32_t bitrate;
    char code;
  };
  static constexpr std::array<Entry, 10> kTable{{{10000, '0'},
                                                 {20000, '1'},
                                                 {50000, '2'},
                                                 {100000, '3'},
                                                 {125000, '4'},
                                                 {250000, '5'},
                                                 {500000, '6'},
                                                 {750000, '7'},
                                                 {800000, '7'},
                                                 {1000000, '8'}}};
  for (const auto& e : kTable)
    if (e.bitrate == bitrate) return std::string{'S', e.code, '\r'};
  return fail(ErrorCode::invalid_argument,
              "slcan: bit rate " + std::to_string(bitrate) +
                  " bit/s has no S-code (10k, 20k, 50k, 100k, 125k, 250k, 500k, 750k/800k, 1M)");
}

Result<std::string> encode_frame(const CanFrame& frame) {
  if (frame.error) return fail(ErrorCode::invalid_argument, "slcan: cannot send an error frame");
  if (!is_valid(frame))
    return fail(ErrorCode::invalid_argument, "slcan: invalid frame " + to_string(frame));
  std::string out;
  out.reserve(kMaxLineLength);
  out += frame.remote ? (frame.extended ? 'R' : 'r') : (frame.extended ? 'T' : 't');
  append_hex(out, frame.id, frame.extended ? 8 : 3);
  out += static_cast<char>('0' + frame.dlc);
  for (std::uint8_t b : frame.payload()) append_hex(out, b, 2);
  out += '\r';
  return out;
}

Result<Message> parse_line(std::string_view line, bool bell) {
  if (bell) {
    if (line.empty()) return Message{Rejected{}};
    return bad(line, "text before BEL");
  }
  if (line.empty()) return Message{Accepted{}};
  const char c = line[0];
  switch (c) {
    case 't':
    case 'T':
    case 'r':
    case 'R':
      return parse_frame(line);
    case 'z':
    case 'Z':
      if (line.size() == 1) return Message{Accepted{}};
      return bad(line, "unexpected text after transmit acknowledgement");
    case 'F': {
      if (line.size() != 3) return bad(line, "status reply is not F + 2 hex digits");
      auto v = parse_hex(line.substr(1, 2));
      if (!v) return bad(line, "bad hex in status reply");
      return Message{StatusFlags{static_cast<std::uint8_t>(*v)}};
    }
    case 's':
      // Linux slcan state line: s<a|w|p|b> + counters. A CanHacker 's' line is a command
      // echo we never send, so treat 's' followed by a state letter as a state report.
      if (line.size() >= 2 &&
          (line[1] == 'a' || line[1] == 'w' || line[1] == 'p' || line[1] == 'b'))
        return Message{BusState{line[1]}};
      return bad(line, "unknown state line");
    case 'V':
    case 'v':
    case 'N':
    case 'e':  // Linux slcan error line, kept as information
      for (char ch : line)
        if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7F)
          return bad(line, "control characters in reply");
      return Message{Info{std::string(line)}};
    default:
      return bad(line, "unknown message type");
  }
}

void Parser::reset() {
  line_.clear();
  overflow_ = false;
}

void Parser::feed(std::string_view text, Output& out) {
  feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                     text.size()),
       out);
}

void Parser::feed(std::span<const std::uint8_t> bytes, Output& out) {
  for (std::uint8_t byte : bytes) {
    const char c = static_cast<char>(byte);
    if (c == '\r' || c == '\a') {
      if (overflow_) {
        out.errors.push_back(Error{ErrorCode::parse_error,
                                   "slcan: line longer than " + std::to_string(kMaxLineLength) +
                                       " bytes discarded (starts " + quote(line_) + ")"});
      } else {
        auto msg = parse_line(line_, c == '\a');
        if (msg) {
          out.messages.push_back(std::move(msg.value()));
        } else {
          out.errors.push_back(msg.error());
        }
      }
      line_.clear();
      overflow_ = false;
      continue;
    }
    if (c == '\n' && line_.empty()) continue;  // tolerate CRLF from some clones
    if (overflow_) continue;
    if (line_.size() >= kMaxLineLength) {
      overflow_ = true;  // keep the first bytes for the error message
      continue;
    }
    line_ += c;
  }
}

std::string describe_status_flags(std::uint8_t flags) {
  static constexpr std::array<const char*, 8> kNames{
      "RX FIFO full", "TX FIFO full",  "error warning",    "data overrun",
      "bit 4",        "error passive", "arbitration lost", "bus error"};
  std::string out;
  for (int bit = 0; bit < 8; ++bit) {
    if (flags & (1U << bit)) {
      if (!out.empty()) out += ", ";
      out += kNames[static_cast<std::size_t>(bit)];
    }
  }
  return out.empty() ? std::string("none") : out;
}

}  // namespace bessd::can::slcan
