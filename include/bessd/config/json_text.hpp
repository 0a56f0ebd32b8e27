#pragma once
// JSON text as bessd reads its files (the configuration, inverter profiles): comments allowed,
// and every way the text can fail to be JSON, a number too large for a double included, is a
// ConfigError naming the source, never another exception.

#include <string>
#include <string_view>

#include <bessd/config/config_error.hpp>
#include <bessd/config/json_reader.hpp>

namespace bessd::config {

/// Parses `text`; throws ConfigError with one problem at pointer "" ("invalid JSON at line L,
/// column C: ..." where the parser reports a position).
Json parse_json_text(std::string_view text, const std::string& source);

}  // namespace bessd::config
