#pragma once
// Loading and validating the configuration file. Throws ConfigError (with every problem found)
// on anything invalid: unknown keys, wrong types, out-of-range values, missing required keys,
// JSON syntax errors (with line and column). Comments (// and /* */) are allowed.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <bessd/config/config.hpp>
#include <bessd/config/config_error.hpp>

namespace bessd::config {

/// Parses configuration text; `source` names it in messages (usually the file path).
Config parse_config(std::string_view text, const std::string& source = "<config>");
/// A configuration file's text, larger than any real one can be.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{16} * 1024 * 1024;
/// A configuration file's text. A ConfigError for a file missing, unreadable, larger than
/// kMaxConfigBytes, or not a regular file (a FIFO, device or directory: refused without waiting
/// for a writer, also when one takes the file's place while it is opened).
std::string read_config_text(const std::filesystem::path& path);
/// Reads (read_config_text) and parses a file.
Config load_config_file(const std::filesystem::path& path);
/// SHA-256-free content fingerprint (FNV-1a 64, hex) of the text, for config snapshots.
std::string config_fingerprint(std::string_view text);

}  // namespace bessd::config
