#include <bessd/api/query_params.hpp>

#include <algorithm>
#include <charconv>

namespace bessd::api {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads exactly `n` digits at `pos`; advances pos.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect_char(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<WallTime> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = digits(s, pos, 4);
  if (!y || !expect_char(s, pos, '-')) return std::nullopt;
  const auto mo = digits(s, pos, 2);
  if (!mo || !expect_char(s, pos, '-')) return std::nullopt;
  const auto d = digits(s, pos, 2);
  if (!d || pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return std::nullopt;
  ++pos;
  const auto h = digits(s, pos, 2);
  if (!h || !expect_char(s, pos, ':')) return std::nullopt;
  const auto mi = digits(s, pos, 2);
  if (!mi || !expect_char(s, pos, ':')) return std::nullopt;
  const auto sec = digits(s, pos, 2);
  if (!sec) return std::nullopt;
  long long nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    long long scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return std::nullopt;
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    const auto oh = digits(s, pos, 2);
    if (!oh || !expect_char(s, pos, ':')) return std::nullopt;
    const auto om = digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_min = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;  // a time without a zone is ambiguous
  }
  if (pos != s.size()) return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)},
                           day{static_cast<unsigned>(*d)}};
  // Years outside 1970..2200 are typos, and beyond 2262 they would overflow the nanosecond clock.
  if (!ymd.ok() || *y < 1970 || *y > 2200 || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  const auto since_epoch = sys_days{ymd}.time_since_epoch() + hours{*h} + minutes{*mi} +
                           seconds{*sec} + nanoseconds{nanos} - minutes{offset_min};
  return WallTime{duration_cast<WallClock::duration>(since_epoch)};
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string_view target_path(std::string_view target) noexcept {
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

QueryParams parse_query(std::string_view target, const std::vector<std::string_view>& allowed) {
  QueryParams out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    const auto eq = pair.find('=');
    const auto name = percent_decode(pair.substr(0, eq));
    const auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) {
      out.errors.push_back({std::string(pair.substr(0, eq)), "malformed percent-escape"});
      continue;
    }
    if (name->empty()) {
      out.errors.push_back({"", "query parameter without a name"});
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      out.errors.push_back({*name, "unknown query parameter (allowed: " +
                                       (list.empty() ? std::string{"none"} : list) + ")"});
      continue;
    }
    if (out.values.count(*name) != 0) {
      out.errors.push_back({*name, "given more than once"});
      continue;
    }
    out.values.emplace(*name, *value);
  }
  return out;
}

std::optional<WallTime> parse_time(std::string_view text, WallTime now) {
  using namespace std::chrono;
  if (text.empty()) return std::nullopt;
  if (text == "now") return now;
  if (text.front() == '-') {
    // Relative: -<digits><unit>
    const char unit = text.back();
    const std::string_view number = text.substr(1, text.size() - 2);
    if (number.empty()) return std::nullopt;
    long long n = 0;
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec != std::errc{} || ptr != number.data() + number.size() || n < 0) return std::nullopt;
    long long unit_s = 0;
    switch (unit) {
      case 's':
        unit_s = 1;
        break;
      case 'm':
        unit_s = 60;
        break;
      case 'h':
        unit_s = 3600;
        break;
      case 'd':
        unit_s = 86400;
        break;
      default:
        return std::nullopt;
    }
    if (n > 100LL * 365 * 86400 / unit_s) return std::nullopt;  // more than a century back
    return now - duration_cast<WallClock::duration>(seconds{n * unit_s});
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    // Up to the year 2200 (7258118400); a bigger number is a typo or milliseconds, and would
    // overflow the nanosecond clock past 2262.
    if (ec != std::errc{} || ptr != text.data() + text.size() || n > 7'258'118'400LL)
      return std::nullopt;
    return WallTime{duration_cast<WallClock::duration>(seconds{n})};
  }
  return parse_rfc3339(text);
}

}  // namespace bessd::api
