#include <bessd/config/json_text.hpp>

#include <set>
#include <vector>

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

/// JSON lets a key appear twice in an object and nlohmann keeps the last one: a file with
/// "location": "bedroom" and later "location": "outdoor_wall" would read as outdoors. The
/// parser's callback sees every key in order; each repeat is an error at its JSON pointer.
class DuplicateKeyFinder {
 public:
  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        frames_.push_back(Frame{false, 0, {}, {}});
        break;
      case Json::parse_event_t::array_start:
        frames_.push_back(Frame{true, 0, {}, {}});
        break;
      case Json::parse_event_t::key: {
        auto& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second)
          issues_.push_back({pointer(),
                             "appears twice in the same object; JSON readers keep only "
                             "one of them: remove the other"});
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case Json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  }
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::set<std::string> keys;
    std::string key;
  };
  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::string pointer() const {
    std::string out;
    for (const auto& f : frames_) {
      out += '/';
      if (f.array) {
        out += std::to_string(f.index);
        continue;
      }
      for (char c : f.key) out += c == '~' ? std::string{"~0"} : c == '/' ? "~1" : std::string{c};
    }
    return out;
  }
  std::vector<Frame> frames_;
  std::vector<ConfigIssue> issues_;
};

}  // namespace

Json parse_json_text(std::string_view text, const std::string& source) {
  try {
    DuplicateKeyFinder duplicates;
    Json doc = Json::parse(
        text.begin(), text.end(),
        [&duplicates](int depth, Json::parse_event_t event, Json& parsed) {
          return duplicates(depth, event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
    if (!duplicates.issues().empty()) throw ConfigError(source, duplicates.issues());
    return doc;
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
