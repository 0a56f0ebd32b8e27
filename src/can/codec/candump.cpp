#include <bessd/can/codec/candump.hpp>

#include <cstdio>
#include <limits>

#include "hex.hpp"

namespace bessd::can::candump {

using detail::parse_hex;

namespace {
constexpr std::uint32_t kErrFlag = 0x20000000U;
// The most seconds for which seconds * 1'000'000 + micros still fits timestamp_us.
constexpr std::int64_t kMaxSeconds =
    (std::numeric_limits<std::int64_t>::max() - 999'999) / 1'000'000;

Failure bad(std::string_view what, std::string_view line) {
  std::string shown(line.substr(0, 80));
  return fail(ErrorCode::parse_error, "candump: " + std::string(what) + " in \"" + shown + "\"");
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}
}  // namespace

Result<Record> parse_line(std::string_view line) {
  const std::string_view original = line;
  while (!line.empty() && (line.back() == '\r' || is_space(line.back()))) line.remove_suffix(1);
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  if (line.size() < 2 || line.front() != '(')
    return bad("no \"(seconds.micros)\" timestamp", original);
  const auto close = line.find(')');
  if (close == std::string_view::npos) return bad("unterminated timestamp", original);
  const std::string_view ts = line.substr(1, close - 1);
  const auto dot = ts.find('.');
  if (dot == std::string_view::npos || dot == 0 || ts.size() - dot - 1 != 6)
    return bad("timestamp is not seconds.6-digit-microseconds", original);
  std::int64_t seconds = 0;
  for (char c : ts.substr(0, dot)) {
    if (c < '0' || c > '9') return bad("bad timestamp seconds", original);
    seconds = seconds * 10 + (c - '0');
    if (seconds > kMaxSeconds) return bad("bad timestamp seconds", original);
  }
  std::int64_t micros = 0;
  for (char c : ts.substr(dot + 1)) {
    if (c < '0' || c > '9') return bad("bad timestamp microseconds", original);
    micros = micros * 10 + (c - '0');
  }
  Record rec;
  rec.timestamp_us = seconds * 1'000'000 + micros;

  line.remove_prefix(close + 1);
  if (line.empty() || !is_space(line.front())) return bad("no interface after timestamp", original);
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  const auto sp = line.find_first_of(" \t");
  if (sp == std::string_view::npos || sp == 0) return bad("no frame after interface", original);
  rec.interface = std::string(line.substr(0, sp));
  line.remove_prefix(sp);
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  // candump -L may append " T"/" R" (direction) in newer versions: accept a trailing token.
  if (const auto sp2 = line.find_first_of(" \t"); sp2 != std::string_view::npos) {
    std::string_view tail = line.substr(sp2);
    while (!tail.empty() && is_space(tail.front())) tail.remove_prefix(1);
    if (tail != "T" && tail != "R") return bad("unexpected text after frame", original);
    line = line.substr(0, sp2);
  }

  const auto hash = line.find('#');
  if (hash == std::string_view::npos) return bad("frame has no '#'", original);
  const std::string_view id_text = line.substr(0, hash);
  std::string_view data_text = line.substr(hash + 1);
  if (!data_text.empty() && data_text.front() == '#')
    return bad("CAN FD record (\"##\") not supported", original);
  if (id_text.size() != 3 && id_text.size() != 8)
    return bad("id is not 3 or 8 hex digits", original);
  auto id = parse_hex(id_text);
  if (!id) return bad("bad hex in id", original);
  CanFrame& f = rec.frame;
  if (id_text.size() == 8) {
    f.extended = true;
    if (*id & kErrFlag) {
      f.error = true;
      f.extended = false;
      *id &= ~kErrFlag;
    }
    if (*id > kMaxExtendedId) return bad("id above 29 bits", original);
  }
  f.id = *id;
  if (!data_text.empty() && (data_text.front() == 'R' || data_text.front() == 'r')) {
    f.remote = true;
    if (data_text.size() == 2) {
      const int dlc = detail::hex_value(data_text[1]);
      if (dlc < 0 || dlc > 8) return bad("bad remote DLC", original);
      f.dlc = static_cast<std::uint8_t>(dlc);
    } else if (data_text.size() != 1) {
      return bad("bad remote frame", original);
    }
    return rec;
  }
  // Data may contain '.' separators (candump -L does not write them, cansend accepts them).
  std::size_t n = 0;
  std::size_t i = 0;
  while (i < data_text.size()) {
    if (data_text[i] == '.') {
      ++i;
      continue;
    }
    if (i + 1 >= data_text.size()) return bad("odd number of hex digits in data", original);
    if (n >= kMaxDlc) return bad("more than 8 data bytes", original);
    auto b = parse_hex(data_text.substr(i, 2));
    if (!b) return bad("bad hex in data", original);
    f.data[n++] = static_cast<std::uint8_t>(*b);
    i += 2;
  }
  // Classic CAN with a DLC > 8 is written "_<dlc>"; not supported here.
  f.dlc = static_cast<std::uint8_t>(n);
  return rec;
}

std::string format_line(const Record& record) {
  char buf[48];
  const std::int64_t secs = record.timestamp_us / 1'000'000;
  const std::int64_t micros = record.timestamp_us % 1'000'000;
  std::snprintf(buf, sizeof buf, "(%lld.%06lld) ", static_cast<long long>(secs),
                static_cast<long long>(micros));
  return std::string(buf) + record.interface + " " + to_string(record.frame);
}

std::vector<LogLine> parse_log(std::string_view text) {
  std::vector<LogLine> out;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++number;
    std::string_view trimmed = line;
    while (!trimmed.empty() && (is_space(trimmed.front()) || trimmed.front() == '\r'))
      trimmed.remove_prefix(1);
    while (!trimmed.empty() && (is_space(trimmed.back()) || trimmed.back() == '\r'))
      trimmed.remove_suffix(1);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    out.push_back(LogLine{number, parse_line(trimmed)});
  }
  return out;
}

}  // namespace bessd::can::candump
