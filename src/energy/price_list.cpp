#include <bessd/energy/price_list.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bessd::energy {

namespace {

using PriceJson = nlohmann::json;

constexpr std::size_t kMaxPriceTextBytes = 4U * 1024U * 1024U;
constexpr std::size_t kMaxCurrencyCharacters = 16;
// Above this a price is a unit mistake or a corrupt file, whatever the currency.
constexpr double kMaxPriceMagnitude = 1e6;
constexpr auto kShortestSlot = std::chrono::minutes{1};
constexpr auto kLongestSlot = std::chrono::hours{24};
constexpr std::string_view kTimeExpected =
    "an ISO 8601 time with an offset, such as 2026-12-05T23:00:00Z or 2026-12-05T23:00+01:00";

// One slot as read, before the list is sorted and checked as a whole.
struct SlotRead {
  PriceSlot slot;
  bool has_end{false};
  std::string where;  // "slot 3" (JSON, 0-based) or "line 12" (CSV, 1-based)
  std::string start_text;
  std::string end_text;  // quoted as written, or the next start with a note
};

std::string in_quotes(std::string_view text) {
  return "\"" + std::string{text} + "\"";
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t utf8_characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool read_digits(std::string_view s, std::size_t at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// YYYY-MM-DDTHH:MM[:SS] then Z, ±HH:MM or ±HHMM. An error is a reason, without the value.
Result<WallTime> parse_offset_time(std::string_view s) {
  const auto bad = [](std::string why) { return fail(ErrorCode::parse_error, std::move(why)); };
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_digits(s, 0, 4, year) || s.size() < 16 || s[4] != '-' || !read_digits(s, 5, 2, month) ||
      s[7] != '-' || !read_digits(s, 8, 2, day) || s[10] != 'T' || !read_digits(s, 11, 2, hour) ||
      s[13] != ':' || !read_digits(s, 14, 2, minute)) {
    return bad("expected " + std::string{kTimeExpected});
  }
  std::size_t at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!read_digits(s, at + 1, 2, second)) return bad("expected " + std::string{kTimeExpected});
    at += 3;
  }
  if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
    return bad("fractional seconds are not accepted (prices change on whole minutes): expected " +
               std::string{kTimeExpected});
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59)
    return bad("not a valid date and time: expected " + std::string{kTimeExpected});
  if (at == s.size()) {
    // A local time without offset names two instants on the night the clocks go back.
    return bad("has no offset (add Z for UTC or the local offset such as +01:00): expected " +
               std::string{kTimeExpected});
  }
  int offset_minutes = 0;
  const std::string_view zone = s.substr(at);
  if (zone != "Z") {
    int off_h = 0;
    int off_m = 0;
    const bool colon = zone.size() == 6 && zone[3] == ':';
    const bool ok = (zone[0] == '+' || zone[0] == '-') && (zone.size() == 5 || colon) &&
                    read_digits(zone, 1, 2, off_h) && read_digits(zone, colon ? 4 : 3, 2, off_m) &&
                    off_h <= 23 && off_m <= 59;
    if (!ok)
      return bad("the offset must be Z, ±HH:MM or ±HHMM: expected " + std::string{kTimeExpected});
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (off_h * 60 + off_m);
  }
  const auto utc = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                   std::chrono::minutes{minute} + std::chrono::seconds{second} -
                   std::chrono::minutes{offset_minutes};
  return std::chrono::time_point_cast<WallTime::duration>(utc);
}

// A price as read: finite and of a sane magnitude. `value_text` is the value as written.
Result<double> checked_price(double v, std::string_view value_text) {
  if (!std::isfinite(v) || std::fabs(v) > kMaxPriceMagnitude) {
    return fail(ErrorCode::out_of_range,
                std::string{value_text} + " is not a price: expected a finite number between " +
                    number_text(-kMaxPriceMagnitude) + " and " + number_text(kMaxPriceMagnitude));
  }
  return v;
}

Result<std::string> checked_currency(std::string_view currency) {
  if (utf8_characters(currency) > kMaxCurrencyCharacters) {
    return fail(ErrorCode::out_of_range,
                "currency " + in_quotes(currency) + " is too long: expected at most " +
                    std::to_string(kMaxCurrencyCharacters) + " characters (\"p\", \"GBP\", \"€\")");
  }
  return std::string{currency};
}

// Sorts, fills the missing ends and checks the list as a whole.
Result<PriceList> finish_list(std::vector<SlotRead> read, std::string currency,
                              std::string_view source) {
  const auto error = [&](ErrorCode code, const SlotRead& s, const std::string& what) {
    return fail(code, std::string{source} + ": " + s.where + ": " + what);
  };
  if (read.empty()) {
    return fail(ErrorCode::invalid_argument,
                std::string{source} + ": no slots: a price file lists at least one slot");
  }
  std::stable_sort(read.begin(), read.end(), [](const SlotRead& a, const SlotRead& b) {
    return a.slot.start < b.slot.start;
  });
  for (std::size_t i = 0; i < read.size(); ++i) {
    auto& s = read[i];
    if (i + 1 < read.size() && read[i + 1].slot.start == s.slot.start) {
      return error(ErrorCode::invalid_argument, read[i + 1],
                   "start " + in_quotes(read[i + 1].start_text) + " is the start of " + s.where +
                       " too: slots must not overlap");
    }
    if (!s.has_end) {
      if (i + 1 == read.size()) {
        return error(ErrorCode::invalid_argument, s,
                     "has no end and is the last slot (start " + in_quotes(s.start_text) +
                         "): give it an end");
      }
      s.slot.end = read[i + 1].slot.start;
      s.end_text = in_quotes(read[i + 1].start_text) + " (the start of " + read[i + 1].where + ")";
    }
    if (s.slot.end <= s.slot.start) {
      return error(ErrorCode::invalid_argument, s,
                   "end " + s.end_text + " is not after start " + in_quotes(s.start_text));
    }
    const auto length = s.slot.end - s.slot.start;
    if (length < kShortestSlot || length > kLongestSlot) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(length).count();
      const auto length_text = seconds < 60 ? std::to_string(seconds) + " seconds"
                                            : std::to_string(seconds / 60) + " minutes";
      return error(ErrorCode::out_of_range, s,
                   "from " + in_quotes(s.start_text) + " to " + s.end_text + " is " + length_text +
                       " long: expected a slot from 1 minute to 24 hours long");
    }
    if (i > 0 && read[i - 1].slot.end > s.slot.start) {
      const auto& before = read[i - 1];
      return error(ErrorCode::invalid_argument, s,
                   "from " + in_quotes(s.start_text) + " overlaps " + before.where + " (from " +
                       in_quotes(before.start_text) + " to " + before.end_text +
                       "): slots must not overlap");
    }
  }
  PriceList list;
  list.currency = std::move(currency);
  list.slots.reserve(read.size());
  for (auto& s : read) list.slots.push_back(s.slot);
  return list;
}

std::string too_many_slots(std::string_view source) {
  return std::string{source} + ": more than " + std::to_string(kMaxPriceSlots) +
         " slots: split the file";
}

// --- JSON ------------------------------------------------------------------------------------

std::string json_line_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann keeps the last of two equal keys: {"export": 4.1, "export": 5} would lose a price
// without a word. The parse callback sees every key; the first repeat is remembered.
class RepeatedKeyFinder {
 public:
  bool operator()(int /*depth*/, PriceJson::parse_event_t event, PriceJson& parsed) {
    switch (event) {
      case PriceJson::parse_event_t::object_start:
        if (frames_.size() == 2 && frames_.back().is_array) ++slots_started_;
        frames_.push_back(Frame{false, {}});
        break;
      case PriceJson::parse_event_t::array_start:
        frames_.push_back(Frame{true, {}});
        break;
      case PriceJson::parse_event_t::key:
        if (!frames_.back().keys.insert(parsed.get<std::string>()).second && repeat_.empty()) {
          repeat_ = parsed.get<std::string>();
          // Slot objects sit at the third level: the file's object, "slots", the slot.
          repeat_where_ = frames_.size() == 3 ? "slot " + std::to_string(slots_started_ - 1)
                                              : std::string{"the file's object"};
        }
        break;
      case PriceJson::parse_event_t::object_end:
      case PriceJson::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case PriceJson::parse_event_t::value:
        break;
    }
    return true;
  }
  const std::string& repeat() const { return repeat_; }
  const std::string& repeat_where() const { return repeat_where_; }

 private:
  struct Frame {
    bool is_array;
    std::set<std::string> keys;
  };
  std::vector<Frame> frames_;
  std::size_t slots_started_{0};
  std::string repeat_;
  std::string repeat_where_;
};

std::string describe_value(const PriceJson& v) {
  switch (v.type()) {
    case PriceJson::value_t::object:
      return "an object";
    case PriceJson::value_t::array:
      return "an array";
    case PriceJson::value_t::null:
    case PriceJson::value_t::string:
    case PriceJson::value_t::boolean:
    case PriceJson::value_t::number_integer:
    case PriceJson::value_t::number_unsigned:
    case PriceJson::value_t::number_float:
    case PriceJson::value_t::binary:
    case PriceJson::value_t::discarded:
      return v.dump();
  }
  return "a value";
}

Result<PriceList> parse_json_prices(std::string_view text, std::string_view source) {
  const std::string src{source};
  RepeatedKeyFinder repeats;
  PriceJson doc;
  try {
    doc = PriceJson::parse(text, std::ref(repeats));
  } catch (const PriceJson::parse_error& e) {
    std::string why = e.what();
    if (const auto colon = why.find(": "); colon != std::string::npos) why = why.substr(colon + 2);
    return fail(ErrorCode::parse_error,
                src + ": not valid JSON at " + json_line_column(text, e.byte) + ": " + why);
  } catch (const PriceJson::exception& e) {
    return fail(ErrorCode::parse_error, src + ": not valid JSON: " + e.what());
  }
  if (!repeats.repeat().empty()) {
    return fail(ErrorCode::parse_error, src + ": " + repeats.repeat_where() + ": key " +
                                            in_quotes(repeats.repeat()) +
                                            " appears twice: expected each key once");
  }
  if (!doc.is_object()) {
    return fail(ErrorCode::parse_error,
                src + ": expected a JSON object with \"slots\", got " + describe_value(doc));
  }
  std::string currency;
  for (const auto& [key, value] : doc.items()) {
    if (key == "currency") {
      if (!value.is_string()) {
        return fail(ErrorCode::invalid_argument,
                    src + ": \"currency\" is " + describe_value(value) +
                        ": expected a string such as \"p\" or \"GBP\"");
      }
      auto checked = checked_currency(value.get<std::string>());
      if (!checked) return fail(checked.error().code, src + ": " + checked.error().message);
      currency = std::move(*checked);
    } else if (key != "slots") {
      return fail(ErrorCode::invalid_argument, src + ": unknown key " + in_quotes(key) +
                                                   ": expected \"currency\" and \"slots\"");
    }
  }
  const auto slots = doc.find("slots");
  if (slots == doc.end() || !slots->is_array()) {
    return fail(ErrorCode::invalid_argument,
                src + ": expected \"slots\", an array of slots" +
                    (slots == doc.end() ? std::string{", and there is none"}
                                        : ", got " + describe_value(*slots)));
  }
  if (slots->size() > kMaxPriceSlots) return fail(ErrorCode::out_of_range, too_many_slots(source));

  std::vector<SlotRead> read;
  read.reserve(slots->size());
  for (std::size_t i = 0; i < slots->size(); ++i) {
    const auto& item = (*slots)[i];
    SlotRead s;
    s.where = "slot " + std::to_string(i);
    const auto error = [&](ErrorCode code, const std::string& what) {
      return fail(code, src + ": " + s.where + ": " + what);
    };
    if (!item.is_object()) {
      return error(ErrorCode::invalid_argument, "is " + describe_value(item) +
                                                    ": expected an object with \"start\" and "
                                                    "\"import\"");
    }
    for (const auto& [key, value] : item.items()) {
      if (key == "start" || key == "end") {
        if (!value.is_string())
          return error(ErrorCode::invalid_argument, in_quotes(key) + " is " +
                                                        describe_value(value) + ": expected " +
                                                        std::string{kTimeExpected});
        const auto& time_text = value.get_ref<const std::string&>();
        auto t = parse_offset_time(time_text);
        if (!t) {
          return error(ErrorCode::parse_error,
                       in_quotes(key) + " " + in_quotes(time_text) + ": " + t.error().message);
        }
        if (key == "start") {
          s.slot.start = *t;
          s.start_text = time_text;
        } else {
          s.slot.end = *t;
          s.end_text = in_quotes(time_text);
          s.has_end = true;
        }
      } else if (key == "import" || key == "export") {
        if (!value.is_number()) {
          return error(ErrorCode::invalid_argument,
                       in_quotes(key) + " is " + describe_value(value) +
                           ": expected a number (the price of one kWh)" +
                           (key == "export" ? "; leave the key out when there is none" : ""));
        }
        auto price = checked_price(value.get<double>(), value.dump());
        if (!price) return error(price.error().code, in_quotes(key) + " " + price.error().message);
        if (key == "import") {
          s.slot.import_per_kwh = *price;
        } else {
          s.slot.export_per_kwh = *price;
        }
      } else {
        return error(ErrorCode::invalid_argument,
                     "unknown key " + in_quotes(key) +
                         ": expected \"start\", \"end\", \"import\" and \"export\"");
      }
    }
    if (!item.contains("start")) return error(ErrorCode::invalid_argument, "has no \"start\"");
    if (!item.contains("import")) return error(ErrorCode::invalid_argument, "has no \"import\"");
    read.push_back(std::move(s));
  }
  return finish_list(std::move(read), std::move(currency), source);
}

// --- CSV -------------------------------------------------------------------------------------

enum class PriceColumn { start, end, import_price, export_price };

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t from = 0;
  for (;;) {
    const auto comma = line.find(',', from);
    fields.push_back(
        trimmed(line.substr(from, comma == std::string_view::npos ? line.npos : comma - from)));
    if (comma == std::string_view::npos) break;
    from = comma + 1;
  }
  return fields;
}

std::string lowered(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Result<PriceList> parse_csv_prices(std::string_view text, std::string_view source) {
  const std::string src{source};
  std::vector<PriceColumn> columns;
  bool header_seen = false;
  std::optional<std::string> currency;
  std::vector<SlotRead> read;
  std::size_t line_number = 0;
  std::size_t from = 0;
  while (from < text.size()) {
    const auto newline = text.find('\n', from);
    const auto raw = text.substr(from, newline == text.npos ? text.npos : newline - from);
    from = newline == text.npos ? text.size() : newline + 1;
    ++line_number;
    const std::string where = "line " + std::to_string(line_number);
    const auto error = [&](ErrorCode code, const std::string& what) {
      return fail(code, src + ": " + where + ": " + what);
    };
    const auto line = trimmed(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      const auto comment = trimmed(line.substr(1));
      if (lowered(comment.substr(0, 9)) == "currency:") {
        const auto value = trimmed(comment.substr(9));
        if (currency) {
          return error(ErrorCode::invalid_argument, "a second currency comment (" +
                                                        in_quotes(value) + " after " +
                                                        in_quotes(*currency) + "): expected one");
        }
        auto checked = checked_currency(value);
        if (!checked) return error(checked.error().code, checked.error().message);
        currency = std::move(*checked);
      }
      continue;
    }
    const auto fields = split_fields(line);
    if (!header_seen) {
      header_seen = true;
      for (const auto name : fields) {
        const auto key = lowered(name);
        PriceColumn column{};
        if (key == "start") {
          column = PriceColumn::start;
        } else if (key == "end") {
          column = PriceColumn::end;
        } else if (key == "import") {
          column = PriceColumn::import_price;
        } else if (key == "export") {
          column = PriceColumn::export_price;
        } else {
          return error(ErrorCode::invalid_argument,
                       "unknown column " + in_quotes(name) +
                           ": expected a header naming start, end (optional), import and "
                           "export (optional), separated by commas");
        }
        if (std::find(columns.begin(), columns.end(), column) != columns.end())
          return error(ErrorCode::invalid_argument, "column " + in_quotes(name) + " appears twice");
        columns.push_back(column);
      }
      for (const auto& [needed, name] : {std::pair{PriceColumn::start, "start"},
                                         std::pair{PriceColumn::import_price, "import"}}) {
        if (std::find(columns.begin(), columns.end(), needed) == columns.end()) {
          return error(ErrorCode::invalid_argument,
                       std::string{"the header has no "} + name + " column: expected start, " +
                           "end (optional), import and export (optional)");
        }
      }
      continue;
    }
    if (read.size() == kMaxPriceSlots) return fail(ErrorCode::out_of_range, too_many_slots(source));
    if (fields.size() != columns.size()) {
      return error(ErrorCode::parse_error,
                   "has " + std::to_string(fields.size()) + " fields: expected " +
                       std::to_string(columns.size()) + " as the header names");
    }
    SlotRead s;
    s.where = where;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto field = fields[i];
      switch (columns[i]) {
        case PriceColumn::start:
        case PriceColumn::end: {
          const bool is_start = columns[i] == PriceColumn::start;
          const std::string name = is_start ? "start" : "end";
          if (field.empty() && !is_start) break;  // ends at the next slot's start
          auto t = parse_offset_time(field);
          if (!t) {
            return error(ErrorCode::parse_error,
                         name + " " + in_quotes(field) + ": " + t.error().message);
          }
          if (is_start) {
            s.slot.start = *t;
            s.start_text = std::string{field};
          } else {
            s.slot.end = *t;
            s.end_text = in_quotes(field);
            s.has_end = true;
          }
          break;
        }
        case PriceColumn::import_price:
        case PriceColumn::export_price: {
          const bool is_import = columns[i] == PriceColumn::import_price;
          const std::string name = is_import ? "import" : "export";
          if (field.empty() && !is_import) break;  // no export price in this slot
          double v = 0.0;
          const auto* end = field.data() + field.size();
          const auto [ptr, ec] = std::from_chars(field.data(), end, v);
          if (field.empty() || ec != std::errc{} || ptr != end) {
            return error(ErrorCode::parse_error,
                         name + " " + in_quotes(field) +
                             " is not a number: expected a decimal number such as 7.5 or -1.25" +
                             (is_import ? "" : ", or nothing when there is no export price"));
          }
          auto price = checked_price(v, in_quotes(field));
          if (!price) return error(price.error().code, name + " " + price.error().message);
          if (is_import) {
            s.slot.import_per_kwh = *price;
          } else {
            s.slot.export_per_kwh = *price;
          }
          break;
        }
      }
    }
    read.push_back(std::move(s));
  }
  if (!header_seen) {
    return fail(ErrorCode::invalid_argument,
                src +
                    ": no slots: the file has no header line (start,end,import,export) and no "
                    "slots after it");
  }
  return finish_list(std::move(read), currency.value_or(""), source);
}

}  // namespace

Result<PriceList> parse_price_list(std::string_view text, std::string_view source) {
  if (text.size() > kMaxPriceTextBytes) {
    return fail(ErrorCode::out_of_range, std::string{source} + ": " + std::to_string(text.size()) +
                                             " bytes: expected at most 4 MiB (4194304 bytes)");
  }
  // Spreadsheets often start a file with a UTF-8 byte order mark.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != text.npos && text[first] == '{') return parse_json_prices(text, source);
  return parse_csv_prices(text, source);
}

const PriceSlot* slot_at(const PriceList& list, WallTime t) {
  // The first slot starting after t; the one before it is the only one that can hold t.
  const auto after = std::upper_bound(list.slots.begin(), list.slots.end(), t,
                                      [](WallTime at, const PriceSlot& s) { return at < s.start; });
  if (after == list.slots.begin()) return nullptr;
  const auto& candidate = *std::prev(after);
  return t < candidate.end ? &candidate : nullptr;
}

}  // namespace bessd::energy
