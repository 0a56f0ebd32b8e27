#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>

#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, critical, off };
inline constexpr auto kLogLevelNames =
    std::to_array<EnumName<LogLevel>>({{LogLevel::trace, "trace"},
                                       {LogLevel::debug, "debug"},
                                       {LogLevel::info, "info"},
                                       {LogLevel::warn, "warn"},
                                       {LogLevel::error, "error"},
                                       {LogLevel::critical, "critical"},
                                       {LogLevel::off, "off"}});
static_assert(enum_names_complete(kLogLevelNames));
enum class LogFormat : std::uint8_t { automatic, plain, journal };
inline constexpr auto kLogFormatNames = std::to_array<EnumName<LogFormat>>(
    {{LogFormat::automatic, "auto"}, {LogFormat::plain, "plain"}, {LogFormat::journal, "journal"}});
static_assert(enum_names_complete(kLogFormatNames));
std::string_view to_string(LogLevel l) noexcept;

struct LoggingConfig {
  LogLevel level{LogLevel::info};
  /// automatic: journal format when started by systemd (JOURNAL_STREAM set), plain otherwise.
  LogFormat format{LogFormat::automatic};
  std::map<std::string, LogLevel> components;  // per-logger overrides
};

}  // namespace bessd::config
