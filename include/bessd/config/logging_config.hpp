#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace bessd::config {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, critical, off };
enum class LogFormat : std::uint8_t { automatic, plain, journal };
std::string_view to_string(LogLevel l) noexcept;

struct LoggingConfig {
  LogLevel level{LogLevel::info};
  /// automatic: journal format when started by systemd (JOURNAL_STREAM set), plain otherwise.
  LogFormat format{LogFormat::automatic};
  std::map<std::string, LogLevel> components;  // per-logger overrides
};

}  // namespace bessd::config
