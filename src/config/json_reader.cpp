#include <bessd/config/json_reader.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace bessd::config {

namespace {

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

std::string range_text(const NumberRange& r) {
  if (r.min && r.max) return " between " + format_number(*r.min) + " and " + format_number(*r.max);
  if (r.min) return (r.min_exclusive ? " > " : " ≥ ") + format_number(*r.min);
  if (r.max) return " ≤ " + format_number(*r.max);
  return "";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string describe_json(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
    case Json::value_t::boolean:
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return value.dump();
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return "an invalid value";
  }
  return "an invalid value";
}

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

ObjectReader::ObjectReader(const Json* object, std::string pointer, IssueList& issues)
    : object_(object), pointer_(std::move(pointer)), issues_(issues) {}

bool ObjectReader::has(std::string_view key) const {
  return object_ != nullptr && object_->contains(key);
}

std::vector<std::string> ObjectReader::keys() const {
  std::vector<std::string> out;
  if (object_ != nullptr)
    for (const auto& item : object_->items()) out.push_back(item.key());
  return out;
}

void ObjectReader::accept(std::string_view key) {
  known_.emplace_back(key);
}

const Json* ObjectReader::find(std::string_view key, Presence presence) {
  known_.emplace_back(key);
  if (object_ == nullptr || !object_->contains(key)) {
    if (presence == Presence::required) issues_.add(child_pointer(key), "is required but missing");
    return nullptr;
  }
  return &(*object_)[std::string(key)];
}

void ObjectReader::expect(std::string_view key, std::string what, const Json& got) {
  issues_.add(child_pointer(key), "must be " + std::move(what) + ", got " + describe_json(got));
}

bool ObjectReader::number(std::string_view key, double& out, NumberRange range, Presence presence) {
  const Json* v = find(key, presence);
  if (v == nullptr) return false;
  const std::string what = "a number" + range_text(range);
  if (!v->is_number()) {
    expect(key, what, *v);
    return false;
  }
  const double d = v->get<double>();
  const bool below = range.min && (range.min_exclusive ? d <= *range.min : d < *range.min);
  const bool above = range.max && d > *range.max;
  if (!std::isfinite(d) || below || above) {
    expect(key, what, *v);
    return false;
  }
  out = d;
  return true;
}

bool ObjectReader::number(std::string_view key, std::optional<double>& out, NumberRange range) {
  double d = 0.0;
  if (!number(key, d, range, Presence::optional)) return false;
  out = d;
  return true;
}

bool ObjectReader::integer(std::string_view key, std::int64_t& out, std::int64_t min,
                           std::int64_t max, Presence presence) {
  const Json* v = find(key, presence);
  if (v == nullptr) return false;
  const std::string what =
      "an integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (!v->is_number_integer()) {
    // 5.0 is accepted as 5; 5.5 is not an integer.
    if (v->is_number_float()) {
      const double d = v->get<double>();
      if (std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(min) &&
          d <= static_cast<double>(max)) {
        out = static_cast<std::int64_t>(d);
        return true;
      }
    }
    expect(key, what, *v);
    return false;
  }
  std::int64_t i = 0;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) {
      expect(key, what, *v);
      return false;
    }
    i = static_cast<std::int64_t>(u);
  } else {
    i = v->get<std::int64_t>();
  }
  if (i < min || i > max) {
    expect(key, what, *v);
    return false;
  }
  out = i;
  return true;
}

bool ObjectReader::boolean(std::string_view key, bool& out, Presence presence) {
  const Json* v = find(key, presence);
  if (v == nullptr) return false;
  if (!v->is_boolean()) {
    expect(key, "true or false", *v);
    return false;
  }
  out = v->get<bool>();
  return true;
}

bool ObjectReader::boolean(std::string_view key, std::optional<bool>& out) {
  bool b = false;
  if (!boolean(key, b)) return false;
  out = b;
  return true;
}

bool ObjectReader::string(std::string_view key, std::string& out, Presence presence,
                          bool allow_empty) {
  const Json* v = find(key, presence);
  if (v == nullptr) return false;
  if (!v->is_string() || (!allow_empty && v->get_ref<const std::string&>().empty())) {
    expect(key, allow_empty ? "a string" : "a non-empty string", *v);
    return false;
  }
  out = v->get<std::string>();
  return true;
}

bool ObjectReader::string(std::string_view key, std::optional<std::string>& out, bool allow_empty) {
  std::string s;
  if (!string(key, s, Presence::optional, allow_empty)) return false;
  out = std::move(s);
  return true;
}

ObjectReader ObjectReader::object(std::string_view key, Presence presence) {
  const Json* v = find(key, presence);
  if (v != nullptr && !v->is_object()) {
    expect(key, "an object", *v);
    v = nullptr;
  }
  return ObjectReader(v, child_pointer(key), issues_);
}

bool ObjectReader::array(std::string_view key,
                         const std::function<void(const Json&, const std::string&)>& each,
                         Presence presence) {
  const Json* v = find(key, presence);
  if (v == nullptr) return false;
  if (!v->is_array()) {
    expect(key, "an array", *v);
    return false;
  }
  const std::string base = child_pointer(key);
  for (std::size_t i = 0; i < v->size(); ++i) each((*v)[i], base + "/" + std::to_string(i));
  return true;
}

void ObjectReader::finish() {
  if (finished_ || object_ == nullptr) return;
  finished_ = true;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string message = "unknown key";
    std::string best;
    std::size_t best_distance = 3;  // suggest only close matches
    for (const auto& k : known_) {
      // A known key that extends the typed one ("timeout" -> "timeout_ms") is the best hint.
      const bool extends = k.size() > key.size() && k.compare(0, key.size(), key) == 0;
      const std::size_t d = extends ? 0 : edit_distance(key, k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    if (!best.empty()) message += " (did you mean \"" + best + "\"?)";
    issues_.add(child_pointer(key), message);
  }
}

}  // namespace bessd::config
