#pragma once
// Strict parsing of a request target's query string ("?since=-1h&limit=10"). Pure.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/api/error_response.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/common/result.hpp>

namespace bessd::api {

/// Splits "/path?query" and percent-decodes the parameters. Errors (as details): bad %-escapes,
/// repeated parameters, parameters not in `allowed`, empty names.
struct QueryParams {
  std::map<std::string, std::string> values;
  std::vector<ErrorDetail> errors;
};
std::string_view target_path(std::string_view target) noexcept;
QueryParams parse_query(std::string_view target, const std::vector<std::string_view>& allowed);

/// Decodes "%41" escapes; nullopt on a malformed escape. '+' is kept as is (RFC 3986).
std::optional<std::string> percent_decode(std::string_view text);

/// A time: RFC 3339 ("2026-11-24T02:00:00Z", "...+01:00", fractional seconds allowed), integer
/// Unix seconds ("1795000000"), or relative to `now` ("-90s", "-15m", "-2h", "-7d", "now").
std::optional<WallTime> parse_time(std::string_view text, WallTime now);

}  // namespace bessd::api
