#pragma once
// Pure reader of candump log files (`candump -L`, also written by `candump -l`):
//   (1700000000.123456) can0 351#1402C012C012C201
// Supported: standard (3 hex digits) and extended (8 hex digits) ids, remote frames ("#R",
// "#R5"), error frames (id with the CAN_ERR_FLAG bit 0x20000000). CAN FD records ("##") are
// rejected with a reason. Never throws.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>

namespace bessd::can::candump {

struct Record {
  std::int64_t timestamp_us{0};  // as logged (wall time of the capturing host), microseconds
  std::string interface;
  CanFrame frame;
  friend bool operator==(const Record&, const Record&) = default;
};

/// Parse one line (without newline). parse_error naming the problem for anything else.
Result<Record> parse_line(std::string_view line);

/// Format a record the way `candump -L` does.
std::string format_line(const Record& record);

struct LogLine {
  std::size_t line_number{0};  // 1-based
  Result<Record> record;
};

/// Split `text` into lines and parse each; blank lines and lines starting with '#' are skipped.
std::vector<LogLine> parse_log(std::string_view text);

}  // namespace bessd::can::candump
