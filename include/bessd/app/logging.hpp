#pragma once
// Logging set-up: one spdlog logger per component, all writing to stderr. Under systemd
// (JOURNAL_STREAM set, or format "journal") lines carry sd-daemon priority prefixes ("<4>") and
// no timestamps, since journald adds its own.

#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include <bessd/config/logging_config.hpp>

namespace bessd::app {

/// (Re)configures every component logger. `override_level` (from --log-level) wins over the file.
void setup_logging(const config::LoggingConfig& cfg,
                   std::optional<config::LogLevel> override_level = std::nullopt);
/// The logger of a component ("bms", "control", ...); created on first use with the current sinks.
std::shared_ptr<spdlog::logger> logger(const std::string& component);
/// True when the chosen format is the journald one.
bool journal_format_active();

}  // namespace bessd::app
