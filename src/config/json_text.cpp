#include <bessd/config/json_text.hpp>

namespace bessd::config {

namespace {

// nlohmann reports a byte offset; people need line and column.
std::string line_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// Drops nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
std::string reason(const Json::exception& e) {
  std::string what = e.what();
  if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
  if (auto pos = what.find(": "); pos != std::string::npos && what.starts_with("parse error"))
    what = what.substr(pos + 2);
  return what;
}

}  // namespace

Json parse_json_text(std::string_view text, const std::string& source) {
  try {
    return Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                       /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    throw ConfigError(
        source, {{"", "invalid JSON at " + line_column(text, e.byte == 0 ? 0 : e.byte - 1) + ": " +
                          reason(e)}});
  } catch (const Json::exception& e) {
    // A number beyond the range of a double (1e999) is out_of_range, not parse_error, and
    // carries no position; the message quotes the number.
    throw ConfigError(source, {{"", "invalid JSON: " + reason(e)}});
  }
}

}  // namespace bessd::config
