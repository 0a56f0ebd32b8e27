#pragma once
// Strict, typed reading of one JSON object of the configuration. Each section parser creates an
// ObjectReader over its object, reads every key it knows (assigning into fields that already hold
// their defaults), and calls finish(), which reports every key it did not read as unknown. All
// problems go into a shared IssueList with the JSON pointer of the offending value; reading never
// stops at the first problem.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/common/enum_names.hpp>
#include <bessd/config/config_error.hpp>

namespace bessd::config {

using Json = nlohmann::json;

class IssueList {
 public:
  void add(std::string pointer, std::string message) {
    issues_.push_back({std::move(pointer), std::move(message)});
  }
  bool empty() const { return issues_.empty(); }
  std::size_t size() const { return issues_.size(); }
  const std::vector<ConfigIssue>& items() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

/// Describes a JSON value in error messages: `"one"`, `true`, `null`, `an object`.
std::string describe_json(const Json& value);
/// Escapes a key for use in a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_escape(std::string_view key);

struct NumberRange {
  std::optional<double> min;
  std::optional<double> max;
  bool min_exclusive{false};
  static NumberRange at_least(double v) { return {v, std::nullopt, false}; }
  static NumberRange above(double v) { return {v, std::nullopt, true}; }
  static NumberRange between(double lo, double hi) { return {lo, hi, false}; }
  static NumberRange any() { return {}; }
};

enum class Presence : std::uint8_t { optional, required };

template <typename E>
using EnumTable = std::vector<std::pair<std::string_view, E>>;

class ObjectReader {
 public:
  /// `object` may be null (an absent optional section): every read then keeps its default and a
  /// required key is reported missing.
  ObjectReader(const Json* object, std::string pointer, IssueList& issues);
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  ObjectReader(ObjectReader&&) = default;
  ~ObjectReader() = default;

  const std::string& pointer() const { return pointer_; }
  std::string child_pointer(std::string_view key) const {
    return pointer_ + "/" + pointer_escape(key);
  }
  bool present() const { return object_ != nullptr; }
  bool has(std::string_view key) const;
  /// The keys present in the object (empty when absent), for maps keyed by name.
  std::vector<std::string> keys() const;
  IssueList& issues() { return issues_; }

  /// Each read returns true when a valid value was assigned.
  bool number(std::string_view key, double& out, NumberRange range = NumberRange::any(),
              Presence presence = Presence::optional);
  bool number(std::string_view key, std::optional<double>& out,
              NumberRange range = NumberRange::any());
  bool integer(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max,
               Presence presence = Presence::optional);
  template <typename I>
  bool integer_as(std::string_view key, I& out, std::int64_t min, std::int64_t max,
                  Presence presence = Presence::optional) {
    std::int64_t v = static_cast<std::int64_t>(out);
    if (!integer(key, v, min, max, presence)) return false;
    out = static_cast<I>(v);
    return true;
  }
  bool boolean(std::string_view key, bool& out, Presence presence = Presence::optional);
  bool boolean(std::string_view key, std::optional<bool>& out);
  bool string(std::string_view key, std::string& out, Presence presence = Presence::optional,
              bool allow_empty = true);
  bool string(std::string_view key, std::optional<std::string>& out, bool allow_empty = false);

  template <typename E>
  bool enumeration(std::string_view key, E& out, const EnumTable<E>& table,
                   Presence presence = Presence::optional) {
    std::string text;
    if (!string(key, text, presence, true)) return false;
    for (const auto& [name, value] : table) {
      if (name == text) {
        out = value;
        return true;
      }
    }
    std::string allowed;
    for (const auto& entry : table)
      allowed += (allowed.empty() ? "" : ", ") + std::string(entry.first);
    issues_.add(child_pointer(key), "must be one of " + allowed + "; got \"" + text + "\"");
    return false;
  }
  /// The same over an enum's name table (common/enum_names.hpp), in the table's order.
  template <typename E, std::size_t N>
  bool enumeration(std::string_view key, E& out, const std::array<EnumName<E>, N>& table,
                   Presence presence = Presence::optional) {
    EnumTable<E> pairs;
    pairs.reserve(N);
    for (const auto& row : table) pairs.emplace_back(row.name, row.value);
    return enumeration(key, out, pairs, presence);
  }

  /// Reads a nested object; returns a reader over it (over nothing when absent or wrong type).
  ObjectReader object(std::string_view key, Presence presence = Presence::optional);
  /// Reads an array, calling `each(element, pointer)` for every element.
  bool array(std::string_view key, const std::function<void(const Json&, const std::string&)>& each,
             Presence presence = Presence::optional);
  /// Marks a key as known without reading it (for keys handled elsewhere).
  void accept(std::string_view key);

  /// Reports every key that no read asked for as unknown (with a "did you mean" hint).
  void finish();

 private:
  const Json* find(std::string_view key, Presence presence);
  void expect(std::string_view key, std::string what, const Json& got);

  const Json* object_;
  std::string pointer_;
  IssueList& issues_;
  std::vector<std::string> known_;
  bool finished_{false};
};

}  // namespace bessd::config
